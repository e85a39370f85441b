using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>
/// Records what a review decision means, idempotently (safe to run again after a crash):
/// <list type="bullet">
/// <item>a certification approved: the year restarts from the selfie's time, the hold closes and certification.approved
/// is emitted (source review), then the record becomes Approved with the reviewer as <c>decidedBy</c>;</item>
/// <item>a certification rejected or sent offline: certification.rejected with the guidance for the pensioner (retake,
/// counter, home visit, re-enrol), the hold closes, the record becomes Rejected;</item>
/// <item>a death record approved: the death is applied (pensioner.deceased, payment.stopped);</item>
/// <item>an operator's death report approved by a second admin: the death is applied (pensioner.deceased, payment.stopped);
/// rejected or lapsed: its payment hold is released (payment.released with back-pay);</item>
/// <item>an operator's transfer report approved by a second admin: the transfer is applied (pensioner.transferred, payment.stopped);</item>
/// <item>a reference change approved: the new reference replaces the current one (the old one goes to the history);</item>
/// <item>an ID-photo enrolment approved: the pensioner is enrolled with that photo (reference version 1, source id-photo);
/// rejected or lapsed: the proposed photo and identity data are deleted;</item>
/// <item>a reversal approved: the pensioner is reinstated, payment resumes with back-pay events;</item>
/// <item>a document-only <c>certified</c> investigation outcome approved by an admin: the year restarts from the
/// approval (channel home-visit, the document named as evidence), a suspended payment resumes with back-pay; rejected
/// or lapsed: nothing changes (the investigation or suspension goes on).</item>
/// </list>
/// Rejecting a death record, a reference change or a reversal changes nothing but the case. A case that lapsed
/// undecided (<see cref="ReviewCaseState.Expired"/>) is announced (review.case-lapsed) and audited, and changes nothing
/// else but a death report's payment hold (released).
/// </summary>
public sealed class ReviewEffects(ICertificationRepository certifications, CycleService cycle, Enrollment.ReferenceChangeService referenceChanges, Enrollment.IdPhotoEnrollmentService idPhotoEnrollments, Audit.IAuditLog audit)
{
    /// <summary>The OperatorAudit action of a lapse (actor <c>system</c>).</summary>
    public const string LapseAuditAction = "ReviewCaseLapsed";

    /// <summary>Applies the effects of a decided case.</summary>
    public async Task ApplyAsync(ReviewCase decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        if (decided.State == ReviewCaseState.Expired) await RecordLapseAsync(decided, cancellationToken);
        switch (decided.Reason)
        {
            case ReviewReasons.CertificationNeedsReview when decided.CertificationId is { } certificationId:
                await ApplyCertificationAsync(decided, certificationId, cancellationToken);
                break;
            case ReviewReasons.DeathBeforeCertification when decided.State == ReviewCaseState.Approved && decided.EffectiveOn is { } dateOfDeath:
                await cycle.MarkDeceasedAsync(decided.PensionerId, dateOfDeath, decided.Subject ?? "review", cancellationToken, confirmedByReview: true);
                break;
            case ReviewReasons.DeathReport when decided.State == ReviewCaseState.Approved && decided.EffectiveOn is { } reportedDeath:
                // Two admins agreed (the second one saw the pensioner's certifications): applied even if a live certification is later.
                await cycle.MarkDeceasedAsync(decided.PensionerId, reportedDeath, "operator", cancellationToken, confirmedByReview: true);
                break;
            case ReviewReasons.TransferReport when decided.State == ReviewCaseState.Approved && decided.EffectiveOn is { } transferredOn:
                await cycle.MarkTransferredAsync(decided.PensionerId, transferredOn, cancellationToken);
                break;
            case ReviewReasons.DeathReport when decided.State is ReviewCaseState.Rejected or ReviewCaseState.Expired:
                // The report was wrong (or nobody confirmed it): the hold ends and every held month is paid back.
                await cycle.ReleaseDeathReportHoldAsync(decided.PensionerId, decided.CaseId, decided.State == ReviewCaseState.Expired ? "report-lapsed" : "report-rejected", cancellationToken);
                break;
            case ReviewReasons.ReferenceChange when decided.State == ReviewCaseState.Approved && decided.Subject is { } pendingBlob:
                await referenceChanges.ApplyApprovedAsync(decided.PensionerId, pendingBlob, decided.SubmittedBy, decided.DecidedBy!, cancellationToken, decided.ReferenceSource);
                break;
            case ReviewReasons.IdPhotoEnrollment when decided.State == ReviewCaseState.Approved:
                await idPhotoEnrollments.ApplyApprovedAsync(decided, cancellationToken);
                break;
            case ReviewReasons.IdPhotoEnrollment:
                await idPhotoEnrollments.DiscardAsync(decided, cancellationToken);
                break;
            case ReviewReasons.InvestigationCertified when decided.State == ReviewCaseState.Approved && decided.DecidedAt is { } confirmedAt:
                // The second operator confirmed the document: the year restarts (a suspended payment resumes) from the confirmation.
                await cycle.RecordCertifiedAsync(decided.PensionerId, confirmedAt,
                    new CertificationOrigin("home-visit", EvidenceType: "investigation", EvidenceSource: decided.Subject) { DecisionSource = DecisionSources.Review }, cancellationToken);
                break;
            case ReviewReasons.StatusReversal when decided.State == ReviewCaseState.Approved:
                await cycle.ReinstateAsync(decided.PensionerId, decided.CaseId, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Repairs an open death-report case whose payment hold a crash left unrecorded (the case is opened before the
    /// hold): idempotent, nothing happens when the hold is in place (or another report holds the payment).
    /// </summary>
    public Task EnsureDeathReportHoldAsync(ReviewCase open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        return open is { Reason: ReviewReasons.DeathReport, State: ReviewCaseState.Open }
            ? cycle.HoldPaymentForDeathReportAsync(open.PensionerId, open.CaseId, cancellationToken)
            : Task.CompletedTask;
    }

    /// <summary>
    /// Emits review.case-aged for an open case about to be reported for the (<see cref="ReviewCase.Escalations"/> + 1)-th
    /// time (once per count: the event id comes from the case id and the count).
    /// </summary>
    public Task AnnounceAgedAsync(ReviewCase open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        return cycle.AnnounceCaseAgedAsync(open.PensionerId, open.CaseId, open.Reason, open.Day, open.Escalations + 1, cancellationToken);
    }

    /// <summary>
    /// The record of a lapse: review.case-lapsed (once, keyed by the case) for the region's supervisors, and an
    /// OperatorAudit row by <c>system</c> (ids only). A crash before the case's effects are marked recorded repeats
    /// this: the event is not written twice, the audit row may be.
    /// </summary>
    private async Task RecordLapseAsync(ReviewCase lapsed, CancellationToken cancellationToken)
    {
        var result = await cycle.AnnounceCaseLapsedAsync(lapsed.PensionerId, lapsed.CaseId, lapsed.Reason, cancellationToken);
        if (result == CycleCommandResult.NotFound) return; // erased meanwhile: nothing to audit on
        await audit.AppendAsync(new Audit.AuditEntry(lapsed.DecidedAt ?? lapsed.OpenedAt, "system", "", LapseAuditAction, lapsed.PensionerId, 200, null, "review-sweep",
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"case {lapsed.CaseId}; reason {lapsed.Reason}; opened {lapsed.OpenedAt:yyyy-MM-dd}")), cancellationToken);
    }

    private async Task ApplyCertificationAsync(ReviewCase decided, string certificationId, CancellationToken cancellationToken)
    {
        var record = await certifications.GetAsync(certificationId, cancellationToken);
        if (record is null) return; // erased meanwhile
        var approved = decided.State == ReviewCaseState.Approved;
        var guidance = decided.State switch
        {
            ReviewCaseState.Approved => Guidance.None,
            ReviewCaseState.SentOffline when decided.OfflineChannel == OfflineChannels.HomeVisit => Guidance.RequestHomeVisit,
            ReviewCaseState.SentOffline => Guidance.VisitCounter,
            _ => RejectionReasons.GuidanceFor.GetValueOrDefault(decided.RejectionReason ?? "", Guidance.VisitCounter),
        };
        var channel = record.Channel.ToWireName();
        var result = approved
            ? await cycle.RecordCertifiedAsync(record.PensionerId, record.SubmittedAt, new CertificationOrigin(channel, certificationId) { DecisionSource = DecisionSources.Review }, cancellationToken)
            : await cycle.AnnounceDecisionAsync(record.PensionerId, EventTypes.CertificationRejected, certificationId, channel, guidance, DecisionSources.Review, cancellationToken);
        if (result == CycleCommandResult.NotFound) return; // erased meanwhile
        if (approved && result is CycleCommandResult.Stale or CycleCommandResult.Inactive)
        {
            // A later certification already restarted the year (or the pensioner is no longer active): the review hold still closes.
            await cycle.SetHoldAsync(record.PensionerId, CycleService.ReviewHold(certificationId), open: false, cancellationToken);
        }
        var status = approved ? CertificationStatus.Approved : CertificationStatus.Rejected;
        for (var attempt = 1; ; attempt++)
        {
            if (record.Status == status && record.DecisionSource == DecisionSources.Review) return;
            try
            {
                await certifications.UpdateAsync(record with
                {
                    Status = status,
                    DecidedAt = decided.DecidedAt,
                    DecidedBy = decided.DecidedBy,
                    DecisionSource = DecisionSources.Review,
                    Guidance = guidance,
                    ReviewCaseId = decided.CaseId,
                }, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
                record = await certifications.GetAsync(certificationId, cancellationToken);
                if (record is null) return;
            }
        }
    }
}
