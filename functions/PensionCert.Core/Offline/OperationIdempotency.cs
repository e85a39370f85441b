using System.Security.Cryptography;
using System.Text;
using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Offline;

/// <summary>What an <c>Idempotency-Key</c> claim found.</summary>
public enum IdempotencyClaim
{
    /// <summary>No key, or the key is new: carry out the request.</summary>
    Fresh,

    /// <summary>The same request was made with this key before: answer with the resource as it is now.</summary>
    Replay,
}

/// <summary>
/// <c>Idempotency-Key</c> for the operator and client commands of home visits and family helpers, on the same
/// <see cref="IIdempotencyStore"/> (and the same 24-hour lifetime and purge) as certification submissions. A key is
/// scoped by caller and bound to the resource id and a hash of the request: the same key with the same request is a
/// replay (the handler answers with the resource as it is now and changes nothing), with a different request 409
/// <c>idempotency-key-reused</c>. The stored binding's <c>CertificationId</c> field holds <c>{resourceId}/{nonce}</c>.
/// </summary>
public sealed class OperationIdempotency(IIdempotencyStore store, TimeProvider timeProvider)
{
    /// <summary>Claims <paramref name="key"/> for <paramref name="resourceId"/> and the request described by <paramref name="fingerprint"/>.</summary>
    /// <returns>Fresh or Replay, and the resource id the key is bound to (for a create: the id chosen by the first request).</returns>
    /// <exception cref="ProblemException">invalid-idempotency-key, idempotency-key-reused.</exception>
    public async Task<IdempotencyTicket> ClaimAsync(string scope, string? key, string resourceId, string fingerprint, CancellationToken cancellationToken)
    {
        if (key is null) return new(IdempotencyClaim.Fresh, resourceId, null, null);
        if (key.Length is 0 or > 128 || key.Any(c => c is < '!' or > '~')) throw new ProblemException(ProblemTypes.InvalidIdempotencyKey);
        var now = timeProvider.GetUtcNow();
        var scoped = Hash("op\n" + scope + "\n" + key);
        var requestHash = Hash(fingerprint);
        var candidate = new IdempotencyEntry(resourceId + "/" + Guid.NewGuid().ToString("N"), requestHash, now);
        var bound = await store.ClaimAsync(scoped, candidate, now - CertificationOptions.IdempotencyKeyLifetime, cancellationToken);
        if (bound.CertificationId == candidate.CertificationId) return new(IdempotencyClaim.Fresh, resourceId, scoped, candidate.CertificationId);
        if (!string.Equals(bound.RequestHash, requestHash, StringComparison.Ordinal)) throw new ProblemException(ProblemTypes.IdempotencyKeyReused);
        var slash = bound.CertificationId.IndexOf('/', StringComparison.Ordinal);
        return new(IdempotencyClaim.Replay, slash < 0 ? bound.CertificationId : bound.CertificationId[..slash], null, null);
    }

    /// <summary>Releases a fresh claim whose request was then refused, so a retry with the same key is judged afresh.</summary>
    public async Task ReleaseAsync(IdempotencyTicket ticket, CancellationToken cancellationToken)
    {
        if (ticket.ScopedKey is not null && ticket.BoundValue is not null)
            await store.ReleaseAsync(ticket.ScopedKey, ticket.BoundValue, cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/>; when it refuses with a problem, releases a fresh claim first.</summary>
    public async Task<T> ReleaseOnRefusalAsync<T>(IdempotencyTicket ticket, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (ProblemException)
        {
            await ReleaseAsync(ticket, CancellationToken.None);
            throw;
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>The outcome of <see cref="OperationIdempotency.ClaimAsync"/>.</summary>
/// <param name="Claim">Fresh or Replay.</param>
/// <param name="ResourceId">The resource the key is bound to.</param>
/// <param name="ScopedKey">The stored key of a fresh claim (for release), else null.</param>
/// <param name="BoundValue">The stored binding of a fresh claim, else null.</param>
public sealed record IdempotencyTicket(IdempotencyClaim Claim, string ResourceId, string? ScopedKey, string? BoundValue)
{
    /// <summary>True for a replay of an earlier request.</summary>
    public bool IsReplay => Claim == IdempotencyClaim.Replay;
}
