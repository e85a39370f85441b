namespace PensionCert.Core.Storage;

/// <summary>Another writer changed the row since it was read (ETag mismatch) or it already exists.</summary>
public sealed class ConcurrencyConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Storage could not be reached or failed transiently; the caller may retry later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Pensioner profiles, reference history and the ID-number-hash index.</summary>
public interface IPensionerRepository
{
    /// <summary>Reads a profile, or null.</summary>
    Task<PensionerProfile?> GetAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>Finds the pensioner id for a keyed ID number hash, or null.</summary>
    Task<string?> FindIdAsync(string idNumberHash, CancellationToken cancellationToken);

    /// <summary>Maps the hash to <paramref name="candidateId"/> unless already mapped; returns the id the hash maps to.</summary>
    Task<string> ClaimIdAsync(string idNumberHash, string candidateId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="profile"/> and, when re-enrolling, the superseded reference as a history entry, in one
    /// transaction. Optimistic: <paramref name="profile"/>.ETag null means "must not exist yet".
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">The profile changed or appeared meanwhile.</exception>
    Task SaveEnrollmentAsync(PensionerProfile profile, ReferenceHistoryEntry? superseded, CancellationToken cancellationToken);

    /// <summary>Replaces the profile if its ETag still matches.</summary>
    /// <exception cref="ConcurrencyConflictException">The profile changed meanwhile.</exception>
    Task UpdateAsync(PensionerProfile profile, CancellationToken cancellationToken);

    /// <summary>The tombstone of an erased pensioner with this ID number hash, or null.</summary>
    Task<ErasedIdentity?> GetErasedAsync(string idNumberHash, CancellationToken cancellationToken);

    /// <summary>Writes (replaces) a tombstone; with an ETag only if unchanged.</summary>
    /// <exception cref="ConcurrencyConflictException">The tombstone changed meanwhile.</exception>
    Task SaveErasedAsync(ErasedIdentity tombstone, CancellationToken cancellationToken);

    /// <summary>Lists the superseded references, oldest first.</summary>
    Task<IReadOnlyList<ReferenceHistoryEntry>> GetReferenceHistoryAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="certificationId"/> belongs to the pensioner (idempotent), so erasure finds it. Only
    /// for old-layout ids: a certification id that names its pensioner (<see cref="Ids.PensionerIdOf"/>) has its record
    /// in that row already.
    /// </summary>
    Task AddCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the certification index row written by <see cref="AddCertificationAsync"/> (no error if absent; never
    /// creates a row). The worker uses it to remove a submission that raced an erasure.
    /// </summary>
    Task RemoveCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken);

    /// <summary>Every certification id recorded for the pensioner: index rows of <see cref="AddCertificationAsync"/> and the records in the partition.</summary>
    Task<IReadOnlyList<string>> ListCertificationIdsAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the ID-number-hash index entry (if it still maps to this pensioner) and every row of the pensioner
    /// (profile, reference history, failed attempts, outbox rows) except the certification rows (index rows, and the
    /// records of certification ids that name the pensioner), the profile
    /// last and only if it did not change while the partition was emptied (otherwise the partition is read and
    /// emptied again), so a row written together with a profile change during the erasure goes too. The certification
    /// rows stay for the caller, which erases each certification listed (some may have been decided while the profile
    /// still existed; the record and its selfie go together) and then removes its row with <see cref="RemoveCertificationAsync"/>. Idempotent.
    /// Returns the rows deleted.
    /// </summary>
    Task<int> DeleteAsync(string pensionerId, string idNumberHash, CancellationToken cancellationToken);

    /// <summary>
    /// Records a rejected certification on <paramref name="day"/> (China date); idempotent per certification. Written
    /// only while the profile exists (one transaction with the profile), so it never recreates an erased pensioner's
    /// partition.
    /// </summary>
    /// <returns>False (nothing written) when the profile no longer exists (erased).</returns>
    Task<bool> RecordFailedAttemptAsync(string pensionerId, DateOnly day, string certificationId, CancellationToken cancellationToken);

    /// <summary>How many rejected certifications were recorded for <paramref name="day"/>.</summary>
    Task<int> CountFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// What a submission needs to know, in one storage round trip where the store can (the Table store reads the
    /// profile row and the day's rejection rows with one partition query): the profile, or null, and the number of
    /// rejected certifications recorded for <paramref name="day"/>. The default reads them one after the other.
    /// </summary>
    async Task<(PensionerProfile? Profile, int FailedAttempts)> GetWithFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken)
    {
        var profile = await GetAsync(pensionerId, cancellationToken);
        return (profile, profile is null ? 0 : await CountFailedAttemptsAsync(pensionerId, day, cancellationToken));
    }

    /// <summary>
    /// The profile, or null, and the decision a worker wrote for <paramref name="certificationId"/> with its cycle change
    /// (<see cref="CertificationIntent"/>, in the certification's index row), in one storage round trip where the store
    /// can (the Table store: one partition query). The default reads the profile and finds no intent.
    /// </summary>
    async Task<(PensionerProfile? Profile, CertificationIntent? Intent)> GetWithIntentAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) =>
        (await GetAsync(pensionerId, cancellationToken), null);
}

/// <summary>Certification records.</summary>
public interface ICertificationRepository
{
    /// <summary>Reads a record, or null.</summary>
    Task<CertificationRecord?> GetAsync(string certificationId, CancellationToken cancellationToken);

    /// <summary>Inserts a record; returns false (and changes nothing) if one with that id exists.</summary>
    Task<bool> TryCreateAsync(CertificationRecord record, CancellationToken cancellationToken);

    /// <summary>Replaces the record if its ETag still matches; returns the stored record with its new ETag.</summary>
    /// <exception cref="ConcurrencyConflictException">The record changed or was deleted (erased) meanwhile.</exception>
    Task<CertificationRecord> UpdateAsync(CertificationRecord record, CancellationToken cancellationToken);

    /// <summary>Deletes a record if it exists (erasure).</summary>
    Task DeleteAsync(string certificationId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes <paramref name="record"/> only if its ETag still matches (erasure: a decision written meanwhile must be
    /// read again, for its selfie retention entry). True when deleted or already gone; false when it changed.
    /// </summary>
    Task<bool> TryDeleteAsync(CertificationRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// For a certification whose record lives in its pensioner's partition (<see cref="Ids.PensionerIdOf"/>): the record,
    /// the profile and the failed-attempt rows of <paramref name="fromDay"/> through <paramref name="throughDay"/>, in one
    /// storage round trip (the Table store: one partition query). Null when the store cannot (the caller reads them
    /// one by one).
    /// </summary>
    Task<CertificationWithPensioner?> GetWithPensionerAsync(string certificationId, DateOnly fromDay, DateOnly throughDay, CancellationToken cancellationToken) =>
        Task.FromResult<CertificationWithPensioner?>(null);
}

/// <summary>A certification record read with its pensioner (<see cref="ICertificationRepository.GetWithPensionerAsync"/>).</summary>
/// <param name="Record">The record, or null (not written yet, or erased).</param>
/// <param name="Profile">The profile, or null (erased).</param>
/// <param name="FromDay">The first China date whose failed-attempt rows were read.</param>
/// <param name="ThroughDay">The last China date whose failed-attempt rows were read.</param>
/// <param name="FailedAttempts">The failed-attempt rows read: China date and certification.</param>
public sealed record CertificationWithPensioner(CertificationRecord? Record, PensionerProfile? Profile, DateOnly FromDay, DateOnly ThroughDay,
    IReadOnlyList<(DateOnly Day, string CertificationId)> FailedAttempts)
{
    /// <summary>Rejections recorded on <paramref name="day"/> other than <paramref name="certificationId"/>'s, or null when that day was not read.</summary>
    public int? FailedAttemptsOn(DateOnly day, string certificationId) =>
        day < FromDay || day > ThroughDay ? null : FailedAttempts.Count(f => f.Day == day && f.CertificationId != certificationId);
}

/// <summary>Idempotency keys of certification submissions.</summary>
public interface IIdempotencyStore
{
    /// <summary>Binds <paramref name="scopedKey"/> to <paramref name="candidate"/> unless already bound; returns the binding in force.</summary>
    Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ClaimAsync(string, IdempotencyEntry, CancellationToken)"/>, but a binding created before
    /// <paramref name="expiredBefore"/> has expired and is replaced by <paramref name="candidate"/> (ETag-conditional, so
    /// two concurrent claims of an expired key still agree on one binding).
    /// </summary>
    Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, DateTimeOffset expiredBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the binding of <paramref name="scopedKey"/> if it is still bound to <paramref name="certificationId"/>
    /// (a submission refused after it claimed the key, so a retry is judged afresh); otherwise changes nothing.
    /// </summary>
    Task ReleaseAsync(string scopedKey, string certificationId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every binding created before <paramref name="expiredBefore"/> (such a binding is already treated as
    /// absent by <see cref="ClaimAsync(string, IdempotencyEntry, DateTimeOffset, CancellationToken)"/>); returns how many
    /// were deleted. A binding renewed meanwhile by a claim is kept (ETag-conditional delete). Safe to run twice.
    /// </summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken);
}

/// <summary>Private blob storage for reference photos and selfies.</summary>
public interface IPhotoStore
{
    /// <summary>Streams <paramref name="content"/> to a blob, overwriting any blob of that name.</summary>
    Task UploadAsync(PhotoContainer container, string blobName, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>Downloads a blob, or null when it does not exist.</summary>
    Task<byte[]?> DownloadAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken);

    /// <summary>Whether a blob exists (one metadata request; the content is not read).</summary>
    Task<bool> ExistsAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken);

    /// <summary>Deletes a blob if it exists.</summary>
    Task DeleteAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken);

    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/>; returns how many.</summary>
    Task<int> DeleteByPrefixAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken);

    /// <summary>The names of the blobs whose name starts with <paramref name="prefix"/> (one listing request per 5,000).</summary>
    IAsyncEnumerable<string> ListNamesAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The "directories" directly below <paramref name="prefix"/>: each distinct name prefix up to the next <c>/</c>
    /// after it, ending in <c>/</c> (blobs with no further <c>/</c> are not returned).
    /// </summary>
    IAsyncEnumerable<string> ListDirectoriesAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken);
}

/// <summary>
/// Decided selfies by the China date they are due for deletion, so the retention timer reads only the few due
/// partitions instead of scanning every certification.
/// </summary>
public interface ISelfieRetentionIndex
{
    /// <summary>Schedules the selfie of <paramref name="certificationId"/> for deletion on <paramref name="deleteOn"/> (idempotent).</summary>
    Task ScheduleAsync(DateOnly deleteOn, string certificationId, CancellationToken cancellationToken);

    /// <summary>Entries due on or before <paramref name="onOrBefore"/>, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<SelfieRetentionEntry>> ListDueAsync(DateOnly onOrBefore, int max, CancellationToken cancellationToken);

    /// <summary>Removes entries (missing ones are ignored).</summary>
    Task RemoveAsync(IReadOnlyCollection<SelfieRetentionEntry> entries, CancellationToken cancellationToken);
}

/// <summary>A certification accepted and not yet known to be decided (<see cref="IInFlightCertificationIndex"/>).</summary>
/// <param name="SubmittedAt">When it was accepted.</param>
/// <param name="CertificationId">The certification.</param>
public sealed record InFlightCertification(DateTimeOffset SubmittedAt, string CertificationId);

/// <summary>
/// The stale sweep's watch list, by time: certifications it re-queued or found waiting behind a backlog (it looks at
/// them again), and those submitted before selfies were named by date (<see cref="SelfieNames"/>; a submission then
/// wrote an entry, the decision removed it). A submission today writes no entry: the sweep lists the dated selfie
/// names of the minutes that have just become stale. Holds ids only, and the sweep's watermark.
/// </summary>
public interface IInFlightCertificationIndex
{
    /// <summary>Adds an entry (idempotent).</summary>
    Task AddAsync(InFlightCertification entry, CancellationToken cancellationToken);

    /// <summary>Removes an entry (no error if absent).</summary>
    Task RemoveAsync(InFlightCertification entry, CancellationToken cancellationToken);

    /// <summary>Entries submitted before <paramref name="before"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<InFlightCertification>> ListSubmittedBeforeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken);

    /// <summary>
    /// The stale sweep's watermark over dated selfie names (<see cref="SelfieNames"/>): every minute before it has been
    /// examined. Null before the first sweep.
    /// </summary>
    Task<DateTimeOffset?> GetSweptUntilAsync(CancellationToken cancellationToken);

    /// <summary>Stores the watermark (see <see cref="GetSweptUntilAsync"/>).</summary>
    Task SetSweptUntilAsync(DateTimeOffset sweptUntil, CancellationToken cancellationToken);
}

/// <summary>The verification queue (one message per accepted certification).</summary>
public interface IVerificationQueue
{
    /// <summary>Enqueues a message.</summary>
    Task EnqueueAsync(VerificationMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// When the oldest message waiting in the queue (visible, not being processed) was sent, or null when none waits:
    /// one peek. A certification queued before this time has no message waiting any more.
    /// </summary>
    Task<DateTimeOffset?> OldestWaitingSinceAsync(CancellationToken cancellationToken);
}

/// <summary>One part of readiness (storage, face models); <c>GET /api/health</c> asks every registered probe.</summary>
public interface IHealthProbe
{
    /// <summary>Returns what is missing or unreachable, e.g. <c>blob:selfies</c> or <c>model:fr_feature.onnx</c>; empty when ready.</summary>
    Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken);
}
