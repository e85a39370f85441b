using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Storage;
using PensionCert.Core.Telemetry;
using PensionCert.Http;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>A health probe that reports nothing missing and counts how often it is asked (optionally holding each check).</summary>
public sealed class CountingHealthProbe : IHealthProbe
{
    private int _checks;

    public int Checks => Volatile.Read(ref _checks);

    /// <summary>When set, each check waits for it (to hold concurrent callers on one check).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _checks);
        if (Gate is { } gate) await gate.Task;
        return [];
    }
}

/// <summary>GET /api/health serves a cached report: at most one check (one storage round trip) per probe interval.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class HealthReportTests(TelemetryFixture host)
{
    [Fact]
    public async Task Cache_ConcurrentCallersShareOneCheck_NextCheckOnlyAfterTheInterval()
    {
        var probe = new CountingHealthProbe { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z"));
        using var cache = new HealthReportCache([probe], Options.Create(new HealthOptions { CacheSeconds = 10 }), clock);

        var callers = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(CancellationToken.None)).ToArray();
        await Task.Delay(100);
        Assert.Equal(1, probe.Checks);
        probe.Gate.SetResult();
        var reports = await Task.WhenAll(callers);
        Assert.All(reports, r => Assert.Same(reports[0], r));
        Assert.True(reports[0].IsHealthy);

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Same(reports[0], await cache.GetAsync(CancellationToken.None));
        Assert.Equal(1, probe.Checks);

        clock.Advance(TimeSpan.FromSeconds(1));
        var next = await cache.GetAsync(CancellationToken.None);
        Assert.NotSame(reports[0], next);
        Assert.Equal(2, probe.Checks);
        Assert.Equal(clock.GetUtcNow(), next.CheckedAt);
    }

    [Fact]
    public async Task StorageCheck_IsOneRequestPerService_AndFindsEveryResource()
    {
        using var scope = StorageCallScope.Begin();
        var missing = await new StorageHealthCheck(host.Storage).CheckAsync(CancellationToken.None);

        Assert.Empty(missing);
        // One listing each of containers, queues and tables, sent together (one round trip), instead of 24 requests.
        Assert.Equal(3, scope.Calls);
    }

    [Fact]
    public async Task Endpoint_ManyRequestsWithinTheInterval_AtMostOneCheck()
    {
        var before = host.HealthChecks.Checks;
        var started = DateTime.UtcNow;
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.Http.GetAsync("/api/health")));
        var elapsed = DateTime.UtcNow - started;

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in responses) r.Dispose();
        Assert.True(elapsed < TimeSpan.FromSeconds(new HealthOptions().CacheSeconds), $"40 requests took {elapsed}");
        // The cached report may expire once while the requests run: two checks at most, never one per request.
        Assert.InRange(host.HealthChecks.Checks - before, 0, 2);
    }
}
