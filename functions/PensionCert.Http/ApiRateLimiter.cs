using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace PensionCert.Http;

/// <summary>
/// Request rate limits, section <c>PensionCert:RateLimits</c>: the one definition of every limit. Enforced by
/// <see cref="ApiRateLimiter"/> inside the API after authentication (in memory per process). The local host turns
/// them on; in Azure the equivalent is API Management in front of the Function App (see the README), so
/// <see cref="Enabled"/> stays off there (behind the Functions front end every caller has the same remote address).
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:RateLimits";

    /// <summary>Enforce the limits (default off; the local host switches it on).</summary>
    public bool Enabled { get; set; }

    /// <summary>Requests per minute per client app whose key matched a configured key (token bucket per client name).</summary>
    [Range(1, 1_000_000)]
    public int ClientPermitsPerMinute { get; set; } = 600;

    /// <summary>Requests per minute per operator whose bearer token validated (token bucket per token <c>sub</c>).</summary>
    [Range(1, 1_000_000)]
    public int OperatorPermitsPerMinute { get; set; } = 300;

    /// <summary>
    /// Requests per minute per remote address for everything not authenticated: anonymous routes, a missing, unknown
    /// or rotated client key, an invalid bearer token (token bucket per address, so rotating keys does not help).
    /// </summary>
    [Range(1, 1_000_000)]
    public int AnonymousPermitsPerMinute { get; set; } = 60;

    /// <summary>
    /// Requests per minute per pensioner id in the route (eligibility, operator reads and actions), counted only for
    /// authorised calls, separately for client apps and for operators: an unauthenticated flood never uses up a real
    /// pensioner's allowance, and app traffic never locks operators out of a pensioner (fixed window).
    /// </summary>
    [Range(1, 100_000)]
    public int PensionerPermitsPerMinute { get; set; } = 30;
}

/// <summary>Who a rate-limited request is counted against (see <see cref="ApiRateLimiter"/>).</summary>
public enum RateLimitIdentity
{
    /// <summary>A client app whose key matched a configured key; the partition is the client name.</summary>
    Client,

    /// <summary>An operator whose token validated; the partition is the token subject.</summary>
    Operator,

    /// <summary>Anything unauthenticated; the partition is the remote address.</summary>
    Address,
}

/// <summary>
/// Per-identity and per-pensioner request limits, applied by <see cref="ApiPipeline"/> after it has authenticated
/// the caller, so partitions follow who the caller proved to be rather than what it claims: a client key counts for
/// its client name only when it matches a configured key, a bearer token for its subject only when it validated,
/// and everything else (anonymous, unknown or rotated keys, forged tokens) for its remote address; only an
/// authorised call counts against the pensioner in the route.
/// </summary>
/// <remarks>
/// Buckets live in two <see cref="PartitionedRateLimiter{TResource}"/>s of System.Threading.RateLimiting. Their
/// default implementation runs a 100 ms heartbeat that replenishes the buckets (so the limiters need no timer each:
/// <c>AutoReplenishment = false</c>) and removes and disposes a partition's limiter once its <c>IdleDuration</c>
/// exceeds 10 s; a token bucket or fixed window reports an idle duration only when it is full again. So a partition
/// lives at most about a minute and ten seconds after its last request, and the number of live partitions is bounded
/// by the distinct callers (addresses, client names, operators) and pensioner ids seen in that time. Pensioner
/// partitions are created only for well-formed pensioner ids of authorised calls, whose count the per-identity
/// limits bound in turn. A reclaimed bucket was full, so reclaiming never forgives a request.
/// </remarks>
public sealed class ApiRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<(RateLimitIdentity Kind, string Key)>? _callers;
    private readonly PartitionedRateLimiter<string>? _pensioners;
    private readonly PartitionedRateLimiter<string>? _refusalAudits;

    /// <summary>Creates the limiters from the validated <paramref name="options"/> (none when disabled).</summary>
    public ApiRateLimiter(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        if (!_options.Enabled) return;
        _callers = PartitionedRateLimiter.Create<(RateLimitIdentity Kind, string Key), (RateLimitIdentity, string)>(caller =>
            RateLimitPartition.GetTokenBucketLimiter(caller, c => PerMinute(c.Item1 switch
            {
                RateLimitIdentity.Client => _options.ClientPermitsPerMinute,
                RateLimitIdentity.Operator => _options.OperatorPermitsPerMinute,
                _ => _options.AnonymousPermitsPerMinute,
            })));
        _pensioners = PartitionedRateLimiter.Create<string, string>(pensionerId =>
            RateLimitPartition.GetFixedWindowLimiter(pensionerId, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = _options.PensionerPermitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            }), StringComparer.Ordinal);
        _refusalAudits = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = 1,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            }), StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether an unauthenticated caller's 429 from <paramref name="address"/> gets an audit row: the first in each
    /// minute does, the rest of that minute do not, so a flood from one address writes at most one row a minute for
    /// its refusals (its 401s are already bounded by <see cref="RateLimitOptions.AnonymousPermitsPerMinute"/>).
    /// </summary>
    public bool ShouldAuditAnonymousRefusal(string address)
    {
        if (_refusalAudits is null) return true;
        using var lease = _refusalAudits.AttemptAcquire(address);
        return lease.IsAcquired;
    }

    /// <summary>True when the limits are enforced.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>
    /// Takes one permit for the caller and, when <paramref name="pensionerId"/> is given, one for that pensioner.
    /// Returns null when the request may go on, or how long to wait (at least 1 s) when a limit is reached.
    /// </summary>
    /// <param name="identity">Whom the caller proved to be.</param>
    /// <param name="key">Client name, operator subject or remote address.</param>
    /// <param name="pensionerId">The pensioner in the route, only for an authorised call; else null.</param>
    public TimeSpan? TryAcquire(RateLimitIdentity identity, string key, string? pensionerId)
    {
        if (_callers is null || _pensioners is null) return null;
        using (var lease = _callers.AttemptAcquire((identity, key)))
            if (!lease.IsAcquired) return RetryAfter(lease);
        if (pensionerId is null) return null;
        // Client apps and operators count in separate buckets per pensioner: app traffic (whose keys ship inside the
        // apps) must never lock operators out of a pensioner's record, its investigation or its erasure.
        using var pensionerLease = _pensioners.AttemptAcquire((identity == RateLimitIdentity.Operator ? "operator:" : "client:") + pensionerId);
        return pensionerLease.IsAcquired ? null : RetryAfter(pensionerLease);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _callers?.Dispose();
        _pensioners?.Dispose();
        _refusalAudits?.Dispose();
    }

    private static TokenBucketRateLimiterOptions PerMinute(int permits) => new()
    {
        TokenLimit = permits,
        TokensPerPeriod = permits,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = false,
    };

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)))
            : TimeSpan.FromMinutes(1);
}
