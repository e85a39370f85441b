namespace PensionCert.Core.Audit;

/// <summary>
/// One operator action, as written to the append-only audit table. Holds ids and outcomes only: never an ID
/// number, a name or a photo.
/// </summary>
/// <param name="At">When the action finished (UTC).</param>
/// <param name="Actor">The operator's token subject (opaque staff id), or <c>anonymous</c> when no valid token was presented.</param>
/// <param name="Role">The operator's role wire name, or empty.</param>
/// <param name="Action">What was done: the function name, e.g. <c>EnrollPensioner</c>, <c>ErasePensioner</c>.</param>
/// <param name="PensionerId">The opaque pensioner id acted on, when known.</param>
/// <param name="Outcome">The HTTP status returned, e.g. 201, 403.</param>
/// <param name="ProblemCode">The problem code when the action was refused, e.g. <c>region-not-served</c>.</param>
/// <param name="Source">Where the call came from: the remote IP address as the host saw it.</param>
/// <param name="Detail">A short, non-personal note (e.g. <c>idNumber revealed</c>, counts of erased items).</param>
public sealed record AuditEntry(
    DateTimeOffset At, string Actor, string Role, string Action, string? PensionerId, int Outcome, string? ProblemCode, string Source, string? Detail);

/// <summary>The append-only audit trail of operator actions (no update or delete operation exists).</summary>
public interface IAuditLog
{
    /// <summary>Appends one entry.</summary>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="entry"/> once for <paramref name="key"/> (an id without personal data): a repeat with the
    /// same key and entry adds nothing. Used by writers that may run twice (the outbox dispatcher after a crash).
    /// The default appends every time.
    /// </summary>
    Task AppendOnceAsync(AuditEntry entry, string key, CancellationToken cancellationToken) => AppendAsync(entry, cancellationToken);

    /// <summary>Reads the entries for one pensioner, oldest first (for audits and tests).</summary>
    Task<IReadOnlyList<AuditEntry>> ForPensionerAsync(string pensionerId, CancellationToken cancellationToken);
}
