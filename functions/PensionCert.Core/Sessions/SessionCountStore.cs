namespace PensionCert.Core.Sessions;

/// <summary>
/// The sessions created for each pensioner per China calendar day, for the daily cap
/// (<see cref="SessionOptions.MaxSessionsPerPensionerPerDay"/>). Kept apart from the sessions themselves, which are
/// purged an hour after they expire: the count must outlive them until the day ends.
/// </summary>
public interface ISessionCountStore
{
    /// <summary>How many sessions were recorded for <paramref name="pensionerId"/> on <paramref name="day"/>.</summary>
    Task<int> CountAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// Records session <paramref name="sessionId"/> for <paramref name="pensionerId"/> on <paramref name="day"/> (idempotent
    /// per session). Written only while the pensioner exists, so it never recreates an erased pensioner's data.
    /// </summary>
    /// <returns>False (nothing written) when the pensioner no longer exists.</returns>
    Task<bool> RecordAsync(string pensionerId, DateOnly day, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the session rows of every pensioner recorded for days before <paramref name="firstKeptDay"/> (they count
    /// for nothing any more); returns how many were deleted. Touches no other row. Idempotent.
    /// </summary>
    Task<int> PurgeBeforeAsync(DateOnly firstKeptDay, CancellationToken cancellationToken);
}
