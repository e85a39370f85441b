using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Photos;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Enrollment;

/// <summary>
/// Four-eyes on a pensioner's face: a new reference photo replaces the current one at once only when it is live,
/// matches the current reference <b>and every earlier reference version</b> (templates kept in the history) at or
/// above the accept threshold (the review band is for a person), and no other automatic replacement happened within
/// <see cref="ReferenceChangeOptions.AutomaticChangePeriodDays"/>. Checking the current reference alone let a chain of
/// blended photos (A→B in 20 % steps) walk the reference from the pensioner to another person one small step at a
/// time. Otherwise the photo is stored as pending (its own blob, never the current reference) and a review case of
/// reason reference-change waits for a second operator, who may not be the uploader; until then certifications keep
/// matching against the current reference. Approval makes the pending photo the new reference version and keeps the
/// old one (photo and template) in the history.
/// </summary>
public sealed partial class ReferenceChangeService(
    IFaceAnalyzer faceAnalyzer,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    VerificationPolicy policy,
    ReviewIntake reviewIntake,
    IReviewCaseStore reviewCases,
    Retention.PendingPhotoSweep pendingPhotos,
    Microsoft.Extensions.Options.IOptions<ReferenceChangeOptions> options,
    TimeProvider timeProvider,
    ILogger<ReferenceChangeService> logger)
{
    private const int MaxChangedBy = 20;

    /// <summary>
    /// True when <paramref name="photo"/> may replace <paramref name="existing"/>'s reference without a second operator:
    /// no automatic replacement within the period, live, and at or above the accept threshold against the current
    /// reference and every superseded one. A superseded reference stored without its template (before templates were
    /// kept) cannot be checked, so the change goes to a second operator (fails closed).
    /// </summary>
    public async Task<bool> PassesAsync(PensionerProfile existing, ReadOnlyMemory<byte> photo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var periodDays = options.Value.AutomaticChangePeriodDays;
        if (periodDays > 0 && existing.LastAutomaticReferenceChangeAt is { } last && timeProvider.GetUtcNow() - last < TimeSpan.FromDays(periodDays))
            return false;
        var history = await pensioners.GetReferenceHistoryAsync(existing.PensionerId, cancellationToken);
        if (history.Any(h => h.Embedding is null)) return false;
        var candidate = await faceAnalyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Verification, cancellationToken);
        return policy.AllowsReferenceChange(candidate, [existing.ReferenceEmbedding, .. history.Select(h => h.Embedding!)]);
    }

    /// <summary>
    /// Stores <paramref name="photo"/> as a pending reference and opens its four-eyes case; returns the case. One open
    /// reference-change case per pensioner: while one waits, another attempt is refused (409 reference-change-pending)
    /// and stores nothing, so repeated attempts never flood the reviewers (two attempts in the same instant may still
    /// both open one; each is decided on its own).
    /// </summary>
    /// <exception cref="ProblemException">reference-change-pending (409).</exception>
    public async Task<ReviewCase> HoldAsync(PensionerProfile existing, ReadOnlyMemory<byte> photo, PhotoFormat format, string uploadedBy, CancellationToken cancellationToken, string referenceSource = ReferenceSources.LiveCapture)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var open = await reviewCases.ListOpenForPensionerAsync(existing.RegionCode, existing.PensionerId, cancellationToken);
        if (open.Any(c => c.Reason == ReviewReasons.ReferenceChange))
            throw new ProblemException(ProblemTypes.ReferenceChangePending);
        var changeId = Guid.NewGuid().ToString("N");
        var blobName = $"{existing.PensionerId}/pending-{changeId}";
        // Recorded first: a crash between the upload and the case below leaves a photo the retention run finds and deletes.
        await pendingPhotos.RecordAsync(existing.PensionerId, existing.RegionCode, blobName, Retention.PendingPhotoKinds.ReferenceChange, cancellationToken);
        using (var content = new MemoryStream(photo.ToArray(), writable: false))
            await photos.UploadAsync(PhotoContainer.References, blobName, content, PhotoFormatSniffer.ContentType(format), cancellationToken);
        var reviewCase = await reviewIntake.OpenForOperatorRequestAsync(ReviewCase.IdForReferenceChange(existing.RegionCode, changeId), ReviewReasons.ReferenceChange,
            existing, uploadedBy, blobName, requestNote: null, effectiveOn: null, cancellationToken, referenceSource);
        LogHeld(logger, existing.PensionerId, reviewCase.CaseId);
        return reviewCase;
    }

    /// <summary>
    /// Makes an approved pending photo the pensioner's reference (next version; the current one goes to the history);
    /// both operators join <see cref="PensionerProfile.ReferenceChangedBy"/>. Idempotent: nothing happens when the
    /// pending photo already is the reference. A pending photo that no longer holds a usable face changes nothing.
    /// <paramref name="referenceSource"/> (the source the uploader declared) is recorded on the profile.
    /// </summary>
    public async Task ApplyApprovedAsync(string pensionerId, string pendingBlob, string? uploadedBy, string approvedBy, CancellationToken cancellationToken, string? referenceSource = null)
    {
        var bytes = await photos.DownloadAsync(PhotoContainer.References, pendingBlob, cancellationToken);
        if (bytes is null) return;
        var analysis = await faceAnalyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Enrollment, cancellationToken);
        if (!analysis.IsUsable) return;
        for (var attempt = 1; ; attempt++)
        {
            var existing = await pensioners.GetAsync(pensionerId, cancellationToken);
            if (existing is null || existing.ReferenceBlobName == pendingBlob) return;
            var now = timeProvider.GetUtcNow();
            var updated = existing with
            {
                ReferenceVersion = existing.ReferenceVersion + 1,
                ReferenceBlobName = pendingBlob,
                ReferenceEmbedding = analysis.Embedding!,
                // The kept selfies matched the old reference; a new reference starts again from itself alone.
                LiveReferences = [],
                EnrolledAt = now,
                FirstEnrolledAt = existing.FirstEnrolledAt ?? existing.EnrolledAt,
                ReferenceChangedBy = WithChangers(existing.ReferenceChangedBy, uploadedBy, approvedBy),
                ReferenceSource = referenceSource,
            };
            try
            {
                await pensioners.SaveEnrollmentAsync(updated, Superseded(existing, now), cancellationToken);
                LogApplied(logger, pensionerId, updated.ReferenceVersion);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>The history entry for <paramref name="existing"/>'s current reference when it is replaced at <paramref name="replacedAt"/> (with its template).</summary>
    public static ReferenceHistoryEntry Superseded(PensionerProfile existing, DateTimeOffset replacedAt)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return new(existing.ReferenceVersion, existing.ReferenceBlobName, existing.EnrolledAt, replacedAt, existing.ReferenceEmbedding, existing.ReferenceSource);
    }

    /// <summary>The list of operators who changed the reference, with <paramref name="changers"/> added (most recent kept).</summary>
    public static IReadOnlyList<string> WithChangers(IReadOnlyList<string> current, params string?[] changers) =>
        current.Concat(changers.OfType<string>()).Reverse().Distinct(StringComparer.Ordinal).Take(MaxChangedBy).Reverse().ToArray();

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "New reference photo for pensioner {PensionerId} did not pass liveness and match: pending, review case {CaseId}")]
    private static partial void LogHeld(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Approved reference change applied to pensioner {PensionerId}: reference version {ReferenceVersion}")]
    private static partial void LogApplied(ILogger logger, string pensionerId, int referenceVersion);
}
