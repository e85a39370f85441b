using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Photos;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Enrollment;

/// <summary>A first enrolment from an ID photo, validated (the photo holds one usable face).</summary>
/// <param name="IdNumber">The parsed ID number.</param>
/// <param name="IdNumberHash">Its keyed hash.</param>
/// <param name="Name">The validated name.</param>
/// <param name="RegionCode">The validated region.</param>
/// <param name="Photo">The photo's bytes.</param>
/// <param name="Format">Its format.</param>
/// <param name="RequestHash">Identifies the request (region, name, photo bytes).</param>
/// <param name="SubmittedBy">The operator (token subject).</param>
public sealed record IdPhotoEnrollmentRequest(CitizenIdNumber IdNumber, string IdNumberHash, string Name, string RegionCode, ReadOnlyMemory<byte> Photo,
    PhotoFormat Format, string RequestHash, string SubmittedBy);

/// <summary>
/// Four-eyes on a first reference that is a scanned ID or archive photo (<c>referenceSource=id-photo</c>): such a photo
/// rightly fails passive liveness, so nobody enrols it alone. The request claims the pensioner id for the ID number,
/// stores the photo (its own blob) and the identity data (<see cref="PendingEnrollment"/>, encrypted) and opens an
/// <c>id-photo-enrollment</c> review case; nothing is enrolled. Only another operator (never the submitter) approving
/// the case creates the pensioner with that reference (version 1, source id-photo, both operators in
/// <see cref="PensionerProfile.ReferenceChangedBy"/>); rejecting it, or its lapse after
/// <see cref="IdPhotoEnrollmentOptions.LapseDays"/>, deletes the photo and the identity data and keeps only the case.
/// One open case per ID number: the same request again answers the same case, another one 409 id-photo-enrollment-pending.
/// </summary>
public sealed partial class IdPhotoEnrollmentService(
    IFaceAnalyzer faceAnalyzer,
    IPensionerRepository pensioners,
    IPendingEnrollmentStore pendingEnrollments,
    IPhotoStore photos,
    ReviewIntake reviewIntake,
    IReviewCaseStore reviewCases,
    CycleService cycle,
    Retention.PendingPhotoSweep pendingPhotos,
    IOptions<CyclePolicyOptions> cyclePolicy,
    TimeProvider timeProvider,
    ILogger<IdPhotoEnrollmentService> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>A row whose case is not open yet is taken as another request still being stored for this long.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Opens (or, for the same request, returns) the review case of an ID-photo enrolment of an ID number nobody is
    /// enrolled with; returns the pensioner id the person will have and the case.
    /// </summary>
    /// <exception cref="ProblemException">id-photo-enrollment-pending (409) while another request's case is open or its approval is being applied.</exception>
    public async Task<(string PensionerId, ReviewCase Case)> HoldAsync(IdPhotoEnrollmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pensionerId = await pensioners.ClaimIdAsync(request.IdNumberHash, Ids.NewPensionerId(), cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var pending = await pendingEnrollments.GetAsync(pensionerId, cancellationToken);
            if (pending is not null)
            {
                var current = await reviewCases.GetAsync(pending.CaseId, cancellationToken);
                if (pending.RequestHash == request.RequestHash && current is null or { State: ReviewCaseState.Open })
                {
                    // The same request again (a retry, or a crash before its case was opened): one case.
                    var open = current ?? await OpenCaseAsync(pending, cancellationToken);
                    LogReplayed(logger, pensionerId, open.CaseId);
                    return (pensionerId, open);
                }
                var inFlight = current is null && timeProvider.GetUtcNow() - pending.RequestedAt < InFlight;
                if (inFlight || current is { State: ReviewCaseState.Open or ReviewCaseState.Approved })
                    throw new ProblemException(ProblemTypes.IdPhotoEnrollmentPending);
                // Its case was rejected or lapsed (or never opened): the row is left over and is replaced below.
            }

            var suffix = Guid.NewGuid().ToString("N");
            var blobName = $"{pensionerId}/pending-e{suffix}";
            // Recorded first: a crash between the upload and the row below leaves a photo the retention run finds and deletes.
            await pendingPhotos.RecordAsync(pensionerId, request.RegionCode, blobName, Retention.PendingPhotoKinds.IdPhotoEnrollment, cancellationToken);
            using (var content = new MemoryStream(request.Photo.ToArray(), writable: false))
                await photos.UploadAsync(PhotoContainer.References, blobName, content, PhotoFormatSniffer.ContentType(request.Format), cancellationToken);
            var row = new PendingEnrollment
            {
                PensionerId = pensionerId,
                IdNumberHash = request.IdNumberHash,
                IdNumber = request.IdNumber.Value,
                MaskedIdNumber = request.IdNumber.Masked,
                Name = request.Name,
                RegionCode = request.RegionCode,
                PhotoBlobName = blobName,
                RequestHash = request.RequestHash,
                CaseId = ReviewCase.IdForIdPhotoEnrollment(request.RegionCode, suffix),
                RequestedBy = request.SubmittedBy,
                RequestedAt = timeProvider.GetUtcNow(),
                ETag = pending?.ETag,
            };
            try
            {
                await pendingEnrollments.SaveAsync(row, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another request for this ID number stored its row first: ours goes, and theirs is judged above.
                await photos.DeleteAsync(PhotoContainer.References, blobName, CancellationToken.None);
                continue;
            }
            if (pending is not null) await photos.DeleteAsync(PhotoContainer.References, pending.PhotoBlobName, cancellationToken);
            var opened = await OpenCaseAsync(row, cancellationToken);
            LogHeld(logger, pensionerId, opened.CaseId);
            return (pensionerId, opened);
        }
    }

    /// <summary>
    /// Enrols an approved case's pending photo as the pensioner's first reference (version 1, source id-photo) and
    /// schedules the first due date. Idempotent (the sweep may run it again after a crash). Nothing is enrolled when
    /// the pensioner was enrolled otherwise meanwhile (e.g. photographed live at a counter) or the photo no longer holds
    /// a usable face; the pending row goes either way.
    /// </summary>
    public async Task ApplyApprovedAsync(ReviewCase approved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approved);
        var pending = await pendingEnrollments.GetAsync(approved.PensionerId, cancellationToken);
        if (pending is null || pending.CaseId != approved.CaseId) return; // applied already
        for (var attempt = 1; ; attempt++)
        {
            var existing = await pensioners.GetAsync(pending.PensionerId, cancellationToken);
            if (existing is not null)
            {
                if (existing.ReferenceBlobName == pending.PhotoBlobName) await cycle.ScheduleAsync(existing, cancellationToken);
                else
                {
                    LogAlreadyEnrolled(logger, pending.PensionerId, approved.CaseId);
                    await photos.DeleteAsync(PhotoContainer.References, pending.PhotoBlobName, cancellationToken);
                }
                await pendingEnrollments.DeleteAsync(pending.PensionerId, approved.CaseId, cancellationToken);
                return;
            }
            var bytes = await photos.DownloadAsync(PhotoContainer.References, pending.PhotoBlobName, cancellationToken);
            var analysis = bytes is null ? null : await faceAnalyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Enrollment, cancellationToken);
            if (analysis is not { IsUsable: true })
            {
                LogUnusable(logger, pending.PensionerId, approved.CaseId);
                await DiscardAsync(approved, cancellationToken);
                return;
            }
            var now = timeProvider.GetUtcNow();
            var today = ChinaTime.ToChinaDate(now);
            var idNumber = RequestValidation.RequireIdNumber(pending.IdNumber, today);
            var profile = new PensionerProfile
            {
                PensionerId = pending.PensionerId,
                IdNumberHash = pending.IdNumberHash,
                MaskedIdNumber = pending.MaskedIdNumber,
                Name = pending.Name,
                IdNumber = pending.IdNumber,
                RegionCode = pending.RegionCode,
                ReferenceVersion = 1,
                ReferenceBlobName = pending.PhotoBlobName,
                ReferenceEmbedding = analysis.Embedding!,
                EnrolledAt = now,
                FirstEnrolledAt = now,
                // As any newly entitled pensioner: first due one cycle after enrolment.
                ValidUntil = CycleCalendar.ValidUntil(cyclePolicy.Value.For(pending.RegionCode).Window, today, idNumber.BirthDate.Month),
                Standing = PensionerStanding.Active,
                BirthMonth = idNumber.BirthDate.Month,
                ReferenceChangedBy = ReferenceChangeService.WithChangers([], pending.RequestedBy, approved.DecidedBy),
                EnrollmentRequestHash = pending.RequestHash,
                ReferenceSource = ReferenceSources.IdPhoto,
            };
            try
            {
                await pensioners.SaveEnrollmentAsync(profile, superseded: null, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                continue; // stored meanwhile (a retried write that landed, or another enrolment): judged above
            }
            await cycle.ScheduleAsync(profile, cancellationToken);
            await pendingEnrollments.DeleteAsync(pending.PensionerId, approved.CaseId, cancellationToken);
            LogEnrolled(logger, pending.PensionerId, approved.CaseId);
            return;
        }
    }

    /// <summary>A rejected or lapsed case: its proposed photo and identity data are deleted (idempotent); the case stays as the record.</summary>
    public async Task DiscardAsync(ReviewCase decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        var profile = await pensioners.GetAsync(decided.PensionerId, cancellationToken);
        if (decided.Subject is { } blob && profile?.ReferenceBlobName != blob)
            await photos.DeleteAsync(PhotoContainer.References, blob, cancellationToken);
        await pendingEnrollments.DeleteAsync(decided.PensionerId, decided.CaseId, cancellationToken);
    }

    private async Task<ReviewCase> OpenCaseAsync(PendingEnrollment pending, CancellationToken cancellationToken)
    {
        var opened = await reviewIntake.OpenForOperatorRequestAsync(pending.CaseId, ReviewReasons.IdPhotoEnrollment, pending.RegionCode, pending.PensionerId,
            pending.RequestedBy, pending.PhotoBlobName, requestNote: null, effectiveOn: null, cancellationToken, ReferenceSources.IdPhoto);
        return await reviewCases.GetAsync(opened.CaseId, cancellationToken) ?? opened;
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "ID-photo enrolment for pensioner id {PensionerId} waits for a second operator: review case {CaseId}")]
    private static partial void LogHeld(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "ID-photo enrolment for pensioner id {PensionerId} repeated: its review case {CaseId} answers")]
    private static partial void LogReplayed(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Pensioner {PensionerId} enrolled from an ID photo approved in review case {CaseId} (reference version 1)")]
    private static partial void LogEnrolled(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Approved ID-photo enrolment {CaseId} not applied: pensioner {PensionerId} was enrolled otherwise meanwhile")]
    private static partial void LogAlreadyEnrolled(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Approved ID-photo enrolment {CaseId} not applied: the photo for pensioner id {PensionerId} is missing or holds no usable face")]
    private static partial void LogUnusable(ILogger logger, string pensionerId, string caseId);
}
