using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Photos;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Enrollment;

/// <summary>An enrollment request as received (unvalidated strings).</summary>
/// <param name="IdNumber">18-digit citizen ID number (GB 11643-1999) or 15-digit legacy number.</param>
/// <param name="Name">Name as on the ID card, 1-50 characters.</param>
/// <param name="RegionCode">6-digit administrative region code (GB/T 2260).</param>
/// <param name="Photo">Encoded reference photo bytes (JPEG, PNG or WebP).</param>
/// <param name="Operator">The operator enrolling; when set, the new region and any existing enrollment's region must be served.</param>
/// <param name="ReferenceSource">Where the photo comes from (<see cref="ReferenceSources"/>): <c>live-capture</c> (default) or <c>id-photo</c>.</param>
public sealed record EnrollPensionerCommand(string? IdNumber, string? Name, string? RegionCode, ReadOnlyMemory<byte> Photo, Operators.OperatorPrincipal? Operator = null, string? ReferenceSource = null);

/// <summary>The outcome of an enrollment.</summary>
/// <param name="PensionerId">Opaque id (not derived from the ID number).</param>
/// <param name="ReferenceVersion">1 for a first enrollment; higher after re-enrollment.</param>
/// <param name="Created">True when the pensioner was new.</param>
/// <param name="EnrolledAt">When this reference was stored; null while an ID-photo enrolment waits (nothing is enrolled yet).</param>
/// <param name="PendingReviewCaseId">
/// Set when the new reference photo did not pass liveness and the match with the current one (it waits for a second
/// operator in this review case, and the current reference stays), or when a first enrolment from an ID photo waits
/// for a second operator (<see cref="ReferenceVersion"/> 0: nobody is enrolled until the case is approved).
/// </param>
public sealed record EnrollmentResult(string PensionerId, int ReferenceVersion, bool Created, DateTimeOffset? EnrolledAt, string? PendingReviewCaseId = null);

/// <summary>
/// Enrolls a pensioner: validates identity data, requires exactly one usable face on the reference photo, stores
/// the photo (private blob) and the profile with the reference embedding. Re-enrolling the same ID number replaces
/// the reference and keeps the superseded one in the history, under four-eyes (<see cref="ReferenceChangeService"/>):
/// a photo that is not live or does not match the current reference waits for a second operator. A deceased
/// pensioner cannot be enrolled again, and a different name is refused (names change only through the explicit,
/// audited name change). A first enrolment must pass passive liveness unless its source is <c>id-photo</c>, which
/// enrols nobody by itself: it opens a four-eyes case (<see cref="IdPhotoEnrollmentService"/>).
/// </summary>
public sealed partial class EnrollmentService(
    IFaceAnalyzer faceAnalyzer,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    IIdNumberHasher hasher,
    CycleService cycle,
    ReferenceChangeService referenceChanges,
    IdPhotoEnrollmentService idPhotoEnrollments,
    ErasedIdentityGate erasedIdentities,
    VerificationPolicy verificationPolicy,
    IOptions<CyclePolicyOptions> cyclePolicy,
    TimeProvider timeProvider,
    ILogger<EnrollmentService> logger)
{
    private const int MaxNameLength = 50;
    private const int MaxSaveAttempts = 5;

    /// <summary>Enrolls or re-enrolls a pensioner.</summary>
    /// <exception cref="ProblemException">Invalid fields (400), region-not-served (403), unsupported photo (415), no usable face or a first live-capture that is not live (422), enrollment-conflict (409) when concurrent enrollments of the same person keep colliding, id-photo-enrollment-pending (409).</exception>
    public async Task<EnrollmentResult> EnrollAsync(EnrollPensionerCommand command, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var idNumber = RequestValidation.RequireIdNumber(command.IdNumber, ChinaTime.ToChinaDate(now));
        var name = RequireName(command.Name);
        if (!AdministrativeRegionCode.TryParse(command.RegionCode, out var region))
            throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (command.Operator is { } op && !op.Serves(region.Value))
            throw new ProblemException(ProblemTypes.RegionNotServed);
        var source = ReferenceSources.Require(command.ReferenceSource);
        var format = PhotoFormatSniffer.RequireSupported(command.Photo.Span[..Math.Min(command.Photo.Length, PhotoFormatSniffer.HeaderLength)]);

        // In the orientation the photo's face is upright in (a sideways scan without EXIF; ReferenceOrientation).
        var reading = await faceAnalyzer.AnalyzeReferenceAsync(command.Photo, FaceAnalysisPurpose.Enrollment, cancellationToken);
        var analysis = reading.Analysis;
        if (reading.ClockwiseDegrees != 0) LogTurned(logger, reading.ClockwiseDegrees);
        if (!analysis.IsUsable)
            throw new ProblemException(ProblemTypes.ReferencePhotoUnusable, reasons: analysis.Problems);

        var hash = hasher.Hash(idNumber);
        var requestHash = RequestHash(region.Value, name, command.Photo.Span);
        // Enrolled means a stored profile: an ID number's id may be claimed without one (an ID-photo enrolment waiting
        // for its second operator, a crash before the first save), and that must not skip the first enrolment's checks.
        var enrolled = await pensioners.FindIdAsync(hash, cancellationToken) is { } knownId && await pensioners.GetAsync(knownId, cancellationToken) is not null;
        // A first enrolment captures the person in front of the clerk: a photo of a photo is refused as a selfie is
        // (re-enrolments are checked by the four-eyes rules of ReferenceChangeService); a declared ID photo goes to a
        // second operator instead.
        if (!enrolled && source == ReferenceSources.LiveCapture && !(analysis.LivenessScore >= verificationPolicy.LivenessRejectThreshold))
            throw new ProblemException(ProblemTypes.ReferenceNotLive);
        await erasedIdentities.RequireAllowedAsync(hash, requestHash, command.Operator, cancellationToken);
        if (!enrolled && source == ReferenceSources.IdPhoto)
        {
            var (pendingId, reviewCase) = await idPhotoEnrollments.HoldAsync(
                new IdPhotoEnrollmentRequest(idNumber, hash, name, region.Value, command.Photo, format, requestHash, command.Operator?.Subject ?? "system"), cancellationToken);
            return new EnrollmentResult(pendingId, 0, false, null, reviewCase.CaseId);
        }
        var pensionerId = await pensioners.ClaimIdAsync(hash, Ids.NewPensionerId(), cancellationToken);

        for (var attempt = 1; ; attempt++)
        {
            var existing = await pensioners.GetAsync(pensionerId, cancellationToken);
            if (existing is not null && command.Operator is { } enrolling && !enrolling.Serves(existing.RegionCode))
                throw new ProblemException(ProblemTypes.RegionNotServed);
            if (existing is not null && existing.EnrollmentRequestHash == requestHash)
            {
                // The same enrollment again (a retry after a lost response or a timeout): its profile is stored; finish
                // what may not have happened (the first due date) and answer as the first time, changing nothing else.
                LogReplayed(logger, pensionerId, existing.ReferenceVersion);
                return await FinishAsync(existing, first: existing.ReferenceVersion == 1, cancellationToken);
            }
            if (existing is not null)
            {
                if (existing.Standing == PensionerStanding.Deceased) throw new ProblemException(ProblemTypes.PensionerDeceased);
                if (!string.Equals(existing.Name, name, StringComparison.Ordinal)) throw new ProblemException(ProblemTypes.NameChangeNotExplicit);
                if (!await referenceChanges.PassesAsync(existing, command.Photo, cancellationToken))
                {
                    var held = await referenceChanges.HoldAsync(existing, command.Photo, format, command.Operator?.Subject ?? "system", cancellationToken, source);
                    return new EnrollmentResult(pensionerId, existing.ReferenceVersion, false, existing.EnrolledAt, held.CaseId);
                }
            }
            var version = (existing?.ReferenceVersion ?? 0) + 1;
            // Named by version and request: a retry overwrites its own upload instead of leaving another blob, and a
            // different request that loses the race below never overwrites the winner's photo.
            var blobName = $"{pensionerId}/{version.ToString(CultureInfo.InvariantCulture)}-{requestHash[..32]}";
            using (var content = new MemoryStream(command.Photo.ToArray(), writable: false))
                await photos.UploadAsync(PhotoContainer.References, blobName, content, PhotoFormatSniffer.ContentType(format), cancellationToken);

            var profile = new PensionerProfile
            {
                PensionerId = pensionerId,
                IdNumberHash = hash,
                MaskedIdNumber = idNumber.Masked,
                Name = name,
                IdNumber = idNumber.Value,
                RegionCode = region.Value,
                ReferenceVersion = version,
                ReferenceBlobName = blobName,
                ReferenceEmbedding = analysis.Embedding!,
                ReferenceFingerprint = analysis.Fingerprint,
                EnrolledAt = now,
                LastCertifiedAt = existing?.LastCertifiedAt,
                // A newly entitled pensioner is first due one cycle after the first payment (taken as the enrollment date).
                ValidUntil = existing is null
                    ? CycleCalendar.ValidUntil(cyclePolicy.Value.For(region.Value).Window, ChinaTime.ToChinaDate(now), idNumber.BirthDate.Month)
                    : existing.ValidUntil,
                Standing = existing?.Standing ?? PensionerStanding.Active,
                BirthMonth = idNumber.BirthDate.Month,
                PreferredChannel = existing?.PreferredChannel,
                InvestigationOpenedOn = existing?.InvestigationOpenedOn,
                SuspendedOn = existing?.SuspendedOn,
                EndedOn = existing?.EndedOn,
                OpenHolds = existing?.OpenHolds ?? [],
                DeathReportCaseId = existing?.DeathReportCaseId,
                PaymentHeldOn = existing?.PaymentHeldOn,
                DeathReports = existing?.DeathReports ?? 0,
                FirstEnrolledAt = existing is null ? now : existing.FirstEnrolledAt ?? existing.EnrolledAt,
                ReferenceChangedBy = ReferenceChangeService.WithChangers(existing?.ReferenceChangedBy ?? [], command.Operator?.Subject),
                EnrollmentRequestHash = requestHash,
                // A replacement reaching here passed the four-eyes check without a second operator: it starts the period.
                LastAutomaticReferenceChangeAt = existing is null ? null : now,
                ReferenceSource = source,
                ETag = existing?.ETag,
            };
            var superseded = existing is null ? null : ReferenceChangeService.Superseded(existing, now);
            try
            {
                await pensioners.SaveEnrollmentAsync(profile, superseded, cancellationToken);
                LogEnrolled(logger, pensionerId, version);
                return await FinishAsync(profile, first: existing is null, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // A lost response: the storage client retried a write that had landed and got "already exists" / "changed".
                if (await pensioners.GetAsync(pensionerId, cancellationToken) is { } stored && stored.ReferenceBlobName == blobName)
                    return await FinishAsync(stored, first: existing is null, cancellationToken);
                // Another enrollment of the same person won the race: drop our photo, reread and build on theirs.
                await photos.DeleteAsync(PhotoContainer.References, blobName, CancellationToken.None);
                if (attempt >= MaxSaveAttempts) throw new ProblemException(ProblemTypes.EnrollmentConflict);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50) * attempt), timeProvider, cancellationToken);
            }
        }
    }

    /// <summary>A first enrollment places the pensioner in the due-date index (idempotent: the same date again).</summary>
    private async Task<EnrollmentResult> FinishAsync(PensionerProfile stored, bool first, CancellationToken cancellationToken)
    {
        if (first) await cycle.ScheduleAsync(stored, cancellationToken);
        return new EnrollmentResult(stored.PensionerId, stored.ReferenceVersion, first, stored.EnrolledAt);
    }

    /// <summary>Identifies one enrollment request (region, name and photo), so its retry is recognised; the photo's bytes make it unguessable.</summary>
    private static string RequestHash(string region, string name, ReadOnlySpan<byte> photo)
    {
        var photoHash = SHA256.HashData(photo);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{region}\n{name}\n{Convert.ToHexString(photoHash)}")));
    }

    internal static string RequireName(string? raw)
    {
        var name = (raw ?? "").Normalize(NormalizationForm.FormKC).Trim();
        if (name.Length is 0 or > MaxNameLength) throw new ProblemException(ProblemTypes.InvalidName);
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var allowed = Rune.IsLetter(rune) || rune.Value is ' ' or '·' or '•' or '.' or '-' or '\''
                || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!allowed) throw new ProblemException(ProblemTypes.InvalidName);
        }
        return name;
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Reference photo analysed turned {ClockwiseDegrees} degrees clockwise (stored sideways or upside down without EXIF orientation)")]
    private static partial void LogTurned(ILogger logger, int clockwiseDegrees);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Enrollment of pensioner {PensionerId} repeated (reference version {ReferenceVersion} already stored); nothing changed")]
    private static partial void LogReplayed(ILogger logger, string pensionerId, int referenceVersion);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Enrolled pensioner {PensionerId} with reference version {ReferenceVersion}")]
    private static partial void LogEnrolled(ILogger logger, string pensionerId, int referenceVersion);
}
