using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Retention;

/// <summary>What a pending reference photo is for.</summary>
public static class PendingPhotoKinds
{
    /// <summary>The proposed first reference of an ID-photo enrolment (<c>{pensionerId}/pending-e{suffix}</c>, kept by its <see cref="PendingEnrollment"/> row).</summary>
    public const string IdPhotoEnrollment = "id-photo-enrollment";

    /// <summary>A proposed new reference (<c>{pensionerId}/pending-{changeId}</c>, kept by its reference-change review case).</summary>
    public const string ReferenceChange = "reference-change";
}

/// <summary>A pending reference photo about to be stored (ids only: no ID number, name or photo).</summary>
/// <param name="UploadedAt">When the upload began.</param>
/// <param name="PensionerId">The pensioner (or the id claimed for an ID-photo enrolment).</param>
/// <param name="RegionCode">The pensioner's region (the partition of its review cases).</param>
/// <param name="BlobName">The photo's blob in the reference container.</param>
/// <param name="Kind">One of <see cref="PendingPhotoKinds"/>.</param>
public sealed record PendingPhotoUpload(DateTimeOffset UploadedAt, string PensionerId, string RegionCode, string BlobName, string Kind);

/// <summary>
/// Pending reference photos by upload time, written before each upload, so a photo whose pending-enrolment row or
/// review case was never written (the process died in between) is found without listing the reference container.
/// </summary>
public interface IPendingPhotoUploadIndex
{
    /// <summary>Records an upload about to start (idempotent).</summary>
    Task AddAsync(PendingPhotoUpload upload, CancellationToken cancellationToken);

    /// <summary>Entries whose upload began before <paramref name="before"/>, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<PendingPhotoUpload>> ListBeforeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken);

    /// <summary>Removes an entry (no error if absent).</summary>
    Task RemoveAsync(PendingPhotoUpload upload, CancellationToken cancellationToken);
}

/// <summary>
/// The way out of an orphan pending reference photo: the ID-photo enrolment and the reference change store the photo
/// first and then the record that keeps it (the pending-enrolment row, the review case); a crash in between left the
/// photo in storage for good. Each upload is recorded in <see cref="IPendingPhotoUploadIndex"/> before it starts; once
/// an entry is older than <see cref="RetentionOptions.PendingPhotoGraceHours"/>, the daily retention run looks for what
/// keeps the photo — the pensioner's reference (an approved enrolment or change), the pending-enrolment row naming it,
/// or the reference-change case of its id (any state: a rejected or lapsed change keeps its photo beside the history
/// until erasure, as documented) — and deletes the photo when nothing does. The entry goes either way. Idempotent.
/// </summary>
public sealed partial class PendingPhotoSweep(
    IPendingPhotoUploadIndex uploads,
    IPhotoStore photos,
    IPensionerRepository pensioners,
    IPendingEnrollmentStore pendingEnrollments,
    IReviewCaseStore reviewCases,
    IOptions<RetentionOptions> options,
    TimeProvider timeProvider,
    ILogger<PendingPhotoSweep> logger)
{
    private const int PageSize = 200;

    /// <summary>Records a pending upload about to start (call before the photo is uploaded).</summary>
    public Task RecordAsync(string pensionerId, string regionCode, string blobName, string kind, CancellationToken cancellationToken) =>
        uploads.AddAsync(new PendingPhotoUpload(timeProvider.GetUtcNow(), pensionerId, regionCode, blobName, kind), cancellationToken);

    /// <summary>Checks every upload older than the grace period; returns (checked, deleted orphans).</summary>
    public async Task<(int Checked, int Deleted)> SweepAsync(CancellationToken cancellationToken)
    {
        var before = timeProvider.GetUtcNow() - TimeSpan.FromHours(options.Value.PendingPhotoGraceHours);
        int checkedCount = 0, deleted = 0;
        while (true)
        {
            var due = await uploads.ListBeforeAsync(before, PageSize, cancellationToken);
            foreach (var upload in due)
            {
                if (!await IsKeptAsync(upload, cancellationToken))
                {
                    await photos.DeleteAsync(PhotoContainer.References, upload.BlobName, cancellationToken);
                    deleted++;
                    LogOrphanDeleted(logger, upload.PensionerId, upload.Kind);
                }
                await uploads.RemoveAsync(upload, cancellationToken);
                checkedCount++;
            }
            if (due.Count < PageSize) break;
        }
        LogSwept(logger, checkedCount, deleted);
        return (checkedCount, deleted);
    }

    private async Task<bool> IsKeptAsync(PendingPhotoUpload upload, CancellationToken cancellationToken)
    {
        var profile = await pensioners.GetAsync(upload.PensionerId, cancellationToken);
        if (profile?.ReferenceBlobName == upload.BlobName) return true;
        switch (upload.Kind)
        {
            case PendingPhotoKinds.IdPhotoEnrollment:
                var pending = await pendingEnrollments.GetAsync(upload.PensionerId, cancellationToken);
                return pending?.PhotoBlobName == upload.BlobName;
            case PendingPhotoKinds.ReferenceChange:
                var changeId = upload.BlobName[(upload.BlobName.LastIndexOf("/pending-", StringComparison.Ordinal) + "/pending-".Length)..];
                // Its case, in any state, keeps it (an approved change also made it the reference or put it in the history).
                return await reviewCases.GetAsync(ReviewCase.IdForReferenceChange(upload.RegionCode, changeId), cancellationToken) is not null;
            default:
                return true; // unknown kind: never delete what we cannot judge
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Orphan pending reference photo of pensioner {PensionerId} ({Kind}) deleted: no pending enrolment, review case or profile names it")]
    private static partial void LogOrphanDeleted(ILogger logger, string pensionerId, string kind);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Pending photo uploads: {Checked} checked after the grace period, {Deleted} orphan photos deleted")]
    private static partial void LogSwept(ILogger logger, int @checked, int deleted);
}
