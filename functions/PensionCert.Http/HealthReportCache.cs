using System.ComponentModel.DataAnnotations;
using PensionCert.Core.Storage;

namespace PensionCert.Http;

/// <summary>Health endpoint settings, section <c>PensionCert:Health</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Health";

    /// <summary>
    /// How long one health report is served (the probe interval): at most one check of storage and the models per
    /// interval and instance, however often <c>GET /api/health</c> is called. Default 10 s.
    /// </summary>
    [Range(1, 300)]
    public int CacheSeconds { get; set; } = 10;
}

/// <summary>
/// The health report of the <see cref="IHealthProbe"/>s, checked at most once per <see cref="HealthOptions.CacheSeconds"/>:
/// concurrent requests share one check, later ones get the cached report until it is older than the interval. So an
/// anonymous caller cannot turn health probes into storage load.
/// </summary>
public sealed class HealthReportCache(IEnumerable<IHealthProbe> probes, Microsoft.Extensions.Options.IOptions<HealthOptions> options, TimeProvider timeProvider) : IDisposable
{
    private readonly IHealthProbe[] _probes = probes.ToArray();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile HealthReport? _current;

    /// <summary>The current report, checked now only when the cached one is older than the interval.</summary>
    public async Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_current) is { } cached) return cached;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_current) is { } justChecked) return justChecked;
            // Not the request's token: other requests wait for this check (each probe has its own time limit).
            var missing = (await Task.WhenAll(_probes.Select(p => p.CheckAsync(CancellationToken.None)))).SelectMany(m => m).ToArray();
            var report = new HealthReport(missing, timeProvider.GetUtcNow());
            _current = report;
            return report;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private HealthReport? Fresh(HealthReport? report) =>
        report is not null && timeProvider.GetUtcNow() - report.CheckedAt < TimeSpan.FromSeconds(options.Value.CacheSeconds) ? report : null;

    /// <inheritdoc />
    public void Dispose() => _refresh.Dispose();
}

/// <summary>One health check: what is missing (empty when healthy) and when it was checked.</summary>
public sealed record HealthReport(IReadOnlyList<string> Missing, DateTimeOffset CheckedAt)
{
    /// <summary>True when nothing is missing.</summary>
    public bool IsHealthy => Missing.Count == 0;
}
