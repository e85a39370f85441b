namespace PensionCert.Core.Enrollment;

/// <summary>
/// A first enrolment from an ID photo waiting for its four-eyes case: what approving it enrols. The name and ID
/// number are clear only in memory; the store keeps them AES-GCM encrypted like a profile's. One per pensioner id
/// (the id the ID number's hash is claimed for); deleted when the case is decided or lapses.
/// </summary>
public sealed record PendingEnrollment
{
    public required string PensionerId { get; init; }
    public required string IdNumberHash { get; init; }
    /// <summary>The normalised 18-character ID number (personal data: encrypted at rest).</summary>
    public required string IdNumber { get; init; }
    public required string MaskedIdNumber { get; init; }
    /// <summary>Name as on the ID card (personal data: encrypted at rest).</summary>
    public required string Name { get; init; }
    public required string RegionCode { get; init; }
    /// <summary>The proposed reference photo in the reference container (becomes the reference blob on approval).</summary>
    public required string PhotoBlobName { get; init; }
    /// <summary>Identifies the request (region, name, photo bytes), so a retry answers the same case.</summary>
    public required string RequestHash { get; init; }
    /// <summary>The <c>id-photo-enrollment</c> review case deciding it.</summary>
    public required string CaseId { get; init; }
    /// <summary>The operator who submitted it (token subject).</summary>
    public required string RequestedBy { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public string? ETag { get; init; }
}

/// <summary>Pending ID-photo enrolments, one per pensioner id (Table store: a row in the pensioner's partition, so erasure removes it too).</summary>
public interface IPendingEnrollmentStore
{
    /// <summary>The pending enrolment of <paramref name="pensionerId"/>, or null.</summary>
    Task<PendingEnrollment?> GetAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>Stores it: ETag null means "must not exist yet", otherwise replaces the row if its ETag still matches.</summary>
    /// <exception cref="Storage.ConcurrencyConflictException">Another request stored or changed one meanwhile.</exception>
    Task SaveAsync(PendingEnrollment pending, CancellationToken cancellationToken);

    /// <summary>Deletes the pending enrolment of <paramref name="pensionerId"/> if it belongs to <paramref name="caseId"/> (no error if absent).</summary>
    Task DeleteAsync(string pensionerId, string caseId, CancellationToken cancellationToken);
}
