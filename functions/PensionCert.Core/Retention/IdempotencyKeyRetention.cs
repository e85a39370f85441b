using Microsoft.Extensions.Logging;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Retention;

/// <summary>
/// Deletes idempotency-key bindings older than <see cref="CertificationOptions.IdempotencyKeyLifetime"/> (24 h): an
/// expired binding no longer deduplicates anything (a reuse of the key binds afresh), so keeping it only grows the
/// store. Called by the daily <c>PurgeExpiredIdempotencyKeys</c> timer of both hosts; idempotent.
/// </summary>
public sealed partial class IdempotencyKeyRetentionService(IIdempotencyStore store, TimeProvider timeProvider, ILogger<IdempotencyKeyRetentionService> logger)
{
    /// <summary>Deletes every binding created more than the key lifetime before now; returns how many were deleted.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var expiredBefore = timeProvider.GetUtcNow() - CertificationOptions.IdempotencyKeyLifetime;
        var deleted = await store.PurgeExpiredAsync(expiredBefore, cancellationToken);
        LogPurged(logger, deleted, expiredBefore);
        return deleted;
    }

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Idempotency keys: {Count} bindings created before {ExpiredBefore:o} deleted")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset expiredBefore);
}
