using PensionCert.Core.Certification;

namespace PensionCert.Core.Sessions;

/// <summary>Where a certification session is in its life.</summary>
public enum SessionState
{
    /// <summary>Created; the page may upload frames until it submits or the session expires.</summary>
    Open,

    /// <summary>Submitted once: the certification exists; the token can only read the result now.</summary>
    Submitted,
}

/// <summary>
/// A short-lived, single-use certification session created by a channel's server for one pensioner. The browser holds
/// only the session token (<c>{sessionId}.{secret}</c>); the table keeps the secret's SHA-256, never the secret.
/// </summary>
public sealed record CertificationSession
{
    public required string SessionId { get; init; }
    /// <summary>SHA-256 of the token's secret part, hex.</summary>
    public required string SecretHash { get; init; }
    public required string PensionerId { get; init; }
    public required CertificationChannel Channel { get; init; }
    /// <summary>The client key that created the session.</summary>
    public required string ClientId { get; init; }
    public required IReadOnlyList<ChallengeAction> Actions { get; init; }
    /// <summary>Random value the page sends back with every upload (binds uploads to this challenge).</summary>
    public required string Nonce { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    /// <summary>Where the page sends the pensioner after the result (the channel's page), if the channel gave one.</summary>
    public string? ReturnUrl { get; init; }
    public SessionState State { get; init; }
    /// <summary>Frames stored per action step (index = step).</summary>
    public IReadOnlyList<int> FrameCounts { get; init; } = [];
    /// <summary>The certification created by the submission.</summary>
    public string? CertificationId { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public string? ETag { get; init; }

    /// <summary>Blob name of frame <paramref name="index"/> of step <paramref name="step"/> in the session-frames container.</summary>
    public static string FrameBlobName(string sessionId, int step, int index) => $"{sessionId}/{step}/{index:D2}";
}

/// <summary>Certification sessions in storage: point reads by id, ETag updates, a scan for the purge.</summary>
public interface ICertificationSessionStore
{
    Task CreateAsync(CertificationSession session, CancellationToken cancellationToken);

    Task<CertificationSession?> GetAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Replaces the session if its ETag still matches; otherwise throws <see cref="Storage.ConcurrencyConflictException"/>.</summary>
    Task<CertificationSession> UpdateAsync(CertificationSession session, CancellationToken cancellationToken);

    /// <summary>Sessions that expired before <paramref name="before"/>, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<CertificationSession>> ListExpiredAsync(DateTimeOffset before, int max, CancellationToken cancellationToken);

    Task DeleteAsync(string sessionId, CancellationToken cancellationToken);
}
