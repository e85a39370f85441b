using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PensionCert.Core.Errors;

namespace PensionCert.Core.Certification;

/// <summary>
/// Limits certification submissions per pensioner (<see cref="CertificationOptions.SubmissionsPerPensionerPerMinute"/>,
/// a fixed one-minute window per pensioner id; System.Threading.RateLimiting, which keeps its own monotonic clock). It guards the face pipeline and the
/// pensioner's daily attempts against a client that loops on one pensioner. The count is per process: with N instances
/// a pensioner may reach N times the limit, so a deployment that needs one global figure adds API Management
/// <c>rate-limit-by-key</c> in front (README). Idle windows are reclaimed by the partitioned limiter itself, so the
/// memory held is bounded by the pensioners seen in the last minute.
/// </summary>
public sealed class SubmissionRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the limiter from <paramref name="options"/> (read once).</summary>
    public SubmissionRateLimiter(IOptions<CertificationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var permits = options.Value.SubmissionsPerPensionerPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(pensionerId => RateLimitPartition.GetFixedWindowLimiter(pensionerId, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            // The partitioned limiter's 100 ms heartbeat replenishes every window: no timer per pensioner.
            AutoReplenishment = false,
        }));
    }

    /// <summary>Takes one submission permit for <paramref name="pensionerId"/>.</summary>
    /// <exception cref="ProblemException">pensioner-submissions-limited (429) with <see cref="ProblemException.RetryAfter"/> set.</exception>
    public void EnsureAllowed(string pensionerId)
    {
        using var lease = _limiter.AttemptAcquire(pensionerId);
        if (lease.IsAcquired) return;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        throw new ProblemException(ProblemTypes.PensionerSubmissionsLimited) { RetryAfter = retryAfter };
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
