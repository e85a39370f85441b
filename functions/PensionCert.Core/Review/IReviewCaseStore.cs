namespace PensionCert.Core.Review;

/// <summary>
/// Review cases, one row per case, partitioned by the pensioner's region. Writes are ETag-conditional
/// (<see cref="Storage.ConcurrencyConflictException"/> when another writer won).
/// </summary>
public interface IReviewCaseStore
{
    /// <summary>Creates the case unless one with its id exists (idempotent); true when created.</summary>
    Task<bool> OpenAsync(ReviewCase reviewCase, CancellationToken cancellationToken);

    /// <summary>Reads a case, or null.</summary>
    Task<ReviewCase?> GetAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Replaces the case if its ETag still matches; returns it with the new ETag.</summary>
    /// <exception cref="Storage.ConcurrencyConflictException">Another writer changed (or deleted) the case.</exception>
    Task<ReviewCase> UpdateAsync(ReviewCase reviewCase, CancellationToken cancellationToken);

    /// <summary>
    /// Cases in regions whose codes start with one of <paramref name="regionPrefixes"/> (one range query per prefix),
    /// only those in <paramref name="state"/> when given.
    /// </summary>
    Task<IReadOnlyList<ReviewCase>> ListAsync(IReadOnlyCollection<string> regionPrefixes, ReviewCaseState? state, CancellationToken cancellationToken);

    /// <summary>The open cases of one pensioner in <paramref name="regionCode"/> (a filtered query of the region's partition).</summary>
    Task<IReadOnlyList<ReviewCase>> ListOpenForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);

    /// <summary>Every open case and every decided case whose effects are not recorded yet (the sweep's work), across regions.</summary>
    IAsyncEnumerable<ReviewCase> ListUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every case of a pensioner in <paramref name="regionCode"/> (erasure); returns how many.</summary>
    Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);
}
