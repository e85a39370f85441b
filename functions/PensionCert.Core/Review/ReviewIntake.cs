using PensionCert.Core.Cycle;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>
/// Opens review cases (idempotently: each cause has a deterministic case id, so a retried opening is one case).
/// Used by the verification worker, the daily attempt limit, death records, reference changes and reversal requests.
/// </summary>
public sealed class ReviewIntake(IReviewCaseStore cases, TimeProvider timeProvider)
{
    /// <summary>Opens the case of a NeedsReview certification; returns its id.</summary>
    public async Task<string> OpenForCertificationAsync(CertificationRecord record, PensionerProfile pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pensioner);
        var now = timeProvider.GetUtcNow();
        var reviewCase = new ReviewCase
        {
            CaseId = ReviewCase.IdForCertification(pensioner.RegionCode, record.CertificationId),
            RegionCode = pensioner.RegionCode,
            PensionerId = record.PensionerId,
            Reason = ReviewReasons.CertificationNeedsReview,
            Day = ChinaTime.ToChinaDate(now),
            OpenedAt = now,
            CertificationId = record.CertificationId,
            // The operator who captured the photo (counter, community, home visit) may not decide its review.
            SubmittedBy = record.SubmittedBy ?? record.CapturedBy,
            // A replayed reference photo is marked, so the pensioner's next replay finds this case open (one at a time).
            Subject = record.ReasonCodes.Contains(Faces.Reasons.ProbeMatchesReference.Code) ? ReviewCase.ReplaySubject : null,
        };
        await cases.OpenAsync(reviewCase, cancellationToken);
        return reviewCase.CaseId;
    }

    /// <summary>
    /// True when the pensioner has an open review of a replayed reference photo other than <paramref name="exceptCaseId"/>
    /// (the case of the certification being decided, when a redelivery decides it again).
    /// </summary>
    public async Task<bool> HasOpenReplayReviewAsync(string regionCode, string pensionerId, string exceptCaseId, CancellationToken cancellationToken)
    {
        var open = await cases.ListOpenForPensionerAsync(regionCode, pensionerId, cancellationToken);
        return open.Any(c => c.Reason == ReviewReasons.CertificationNeedsReview && c.Subject == ReviewCase.ReplaySubject && c.CaseId != exceptCaseId);
    }

    /// <summary>Opens the case of a pensioner who reached the daily limit of rejected certifications on <paramref name="day"/>.</summary>
    public Task OpenForDailyAttemptsAsync(string regionCode, DateOnly day, string pensionerId, CancellationToken cancellationToken) =>
        cases.OpenAsync(new ReviewCase
        {
            CaseId = ReviewCase.IdForDailyAttempts(regionCode, day, pensionerId),
            RegionCode = regionCode,
            PensionerId = pensionerId,
            Reason = ReviewReasons.DailyAttemptsExhausted,
            Day = day,
            OpenedAt = timeProvider.GetUtcNow(),
        }, cancellationToken);

    /// <summary>Opens the case of a death record dated before a later live certification; returns its id.</summary>
    public async Task<string> OpenForDeathConflictAsync(PensionerProfile pensioner, DateOnly dateOfDeath, string source, string? submittedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pensioner);
        var now = timeProvider.GetUtcNow();
        var reviewCase = new ReviewCase
        {
            CaseId = ReviewCase.IdForDeathConflict(pensioner.RegionCode, dateOfDeath, pensioner.PensionerId),
            RegionCode = pensioner.RegionCode,
            PensionerId = pensioner.PensionerId,
            Reason = ReviewReasons.DeathBeforeCertification,
            Day = ChinaTime.ToChinaDate(now),
            OpenedAt = now,
            EffectiveOn = dateOfDeath,
            Subject = source,
            SubmittedBy = submittedBy,
        };
        await cases.OpenAsync(reviewCase, cancellationToken);
        return reviewCase.CaseId;
    }

    /// <summary>Opens a four-eyes case: a reference change (<paramref name="subject"/> = pending blob) or a reversal request.</summary>
    public Task<ReviewCase> OpenForOperatorRequestAsync(string caseId, string reason, PensionerProfile pensioner, string submittedBy, string? subject, string? requestNote, DateOnly? effectiveOn, CancellationToken cancellationToken, string? referenceSource = null)
    {
        ArgumentNullException.ThrowIfNull(pensioner);
        return OpenForOperatorRequestAsync(caseId, reason, pensioner.RegionCode, pensioner.PensionerId, submittedBy, subject, requestNote, effectiveOn, cancellationToken, referenceSource);
    }

    /// <summary>Opens a four-eyes case about a pensioner id that has no profile yet (an ID-photo enrolment: <paramref name="subject"/> = the proposed photo's blob).</summary>
    public async Task<ReviewCase> OpenForOperatorRequestAsync(string caseId, string reason, string regionCode, string pensionerId, string submittedBy, string? subject, string? requestNote, DateOnly? effectiveOn, CancellationToken cancellationToken, string? referenceSource = null)
    {
        var now = timeProvider.GetUtcNow();
        var reviewCase = new ReviewCase
        {
            CaseId = caseId,
            RegionCode = regionCode,
            PensionerId = pensionerId,
            Reason = reason,
            Day = ChinaTime.ToChinaDate(now),
            OpenedAt = now,
            SubmittedBy = submittedBy,
            Subject = subject,
            RequestNote = requestNote,
            EffectiveOn = effectiveOn,
            ReferenceSource = referenceSource,
        };
        await cases.OpenAsync(reviewCase, cancellationToken);
        return reviewCase;
    }

    /// <summary>Removes the cases of a pensioner found erased after a case was opened.</summary>
    public Task RemoveForErasedAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        cases.DeleteForPensionerAsync(regionCode, pensionerId, cancellationToken);
}
