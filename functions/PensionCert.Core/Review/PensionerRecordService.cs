using Microsoft.Extensions.Logging;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>The outcome of an operator's change to a pensioner's record.</summary>
/// <param name="Result">Applied, AlreadyApplied or ReviewOpened.</param>
/// <param name="ReviewCaseId">The case that now decides, when the change waits for review.</param>
public sealed record RecordChangeResult(string Result, string? ReviewCaseId = null)
{
    /// <summary>The change waits for a review case.</summary>
    public const string ReviewOpened = "ReviewOpened";
}

/// <summary>Evidence an operator names for a <c>certified</c> investigation outcome: one of the two.</summary>
/// <param name="CertificationId">An Approved certification of this pensioner (e.g. at a counter or on a home visit): applied at once.</param>
/// <param name="DocumentReference">The number of a paper document (e.g. a signed home-visit record, see <see cref="IsWellFormedDocumentReference"/>): a second operator confirms it first.</param>
public sealed record InvestigationEvidence(string? CertificationId, string? DocumentReference)
{
    /// <summary>Shortest document reference (after trimming).</summary>
    public const int MinDocumentReferenceLength = 6;

    /// <summary>Longest document reference (after trimming).</summary>
    public const int MaxDocumentReferenceLength = 64;

    /// <summary>Digits a document reference must contain at least (a file number, not a word).</summary>
    public const int MinDocumentReferenceDigits = 4;

    /// <summary>
    /// A document reference is a file number as the bureau writes it on a signed record: 6-64 characters after trimming,
    /// at least 4 of them digits 0-9, and only letters (any script, e.g. 京人社核), digits, spaces and
    /// <c>- _ / # . : ( ) （ ） 〔 〕 [ ] 【 】</c> (e.g. <c>HV-2026-000123</c>, <c>京人社核〔2026〕0123号</c>).
    /// </summary>
    public static bool IsWellFormedDocumentReference(string? value)
    {
        if (value is null) return false;
        var trimmed = value.Trim();
        if (trimmed.Length is < MinDocumentReferenceLength or > MaxDocumentReferenceLength) return false;
        var digits = 0;
        foreach (var c in trimmed)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (!(char.IsLetter(c) || c == ' ' || "-_/#.:()（）〔〕[]【】".Contains(c))) return false;
        }
        return digits >= MinDocumentReferenceDigits;
    }
}

/// <summary>
/// Operator changes to a pensioner's record that no single operator may get wrong alone: death (dates checked; a report
/// opens a death-report case that another admin approves) and transfer (the same with a transfer-report case), their reversal
/// (requested by one admin, approved by another through a review case), explicit name changes, and the
/// <c>certified</c> outcome of an investigation (only with an open investigation and named evidence; on a paper
/// document only, through an investigation-certified case an admin approves).
/// </summary>
public sealed partial class PensionerRecordService(
    PensionerAdministrationService administration,
    IPensionerRepository pensioners,
    ICertificationRepository certifications,
    CycleService cycle,
    ReviewIntake reviewIntake,
    IReviewCaseStore reviewCases,
    TimeProvider timeProvider,
    ILogger<PensionerRecordService> logger)
{
    private const int MaxNoteLength = 500;

    /// <summary>
    /// Reports a death or a transfer: neither is applied by one operator alone; each opens a review case of reason
    /// death-report or transfer-report (dates checked first) that only another admin may approve
    /// (<see cref="ReviewEffects"/> then applies it); until then nothing about payment changes.
    /// </summary>
    /// <exception cref="ProblemException">pensioner-not-found, region-not-served, date-in-future, date-before-birth, date-before-enrollment, pensioner-inactive.</exception>
    public async Task<RecordChangeResult> ChangeStatusAsync(OperatorPrincipal @operator, string pensionerId, bool deceased, DateOnly effectiveOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        var profile = await administration.RequireServedAsync(pensionerId, @operator, cancellationToken);
        if (deceased) return await ReportDeathAsync(@operator, profile, effectiveOn, cancellationToken);
        return await ReportTransferAsync(@operator, profile, effectiveOn, cancellationToken);
    }

    /// <summary>A transfer stops payment like a death: it opens a transfer-report case that only another admin may approve.</summary>
    private async Task<RecordChangeResult> ReportTransferAsync(OperatorPrincipal @operator, PensionerProfile profile, DateOnly transferredOn, CancellationToken cancellationToken)
    {
        RecordDates.Require(profile, transferredOn, ChinaTime.Today(timeProvider));
        if (profile.Standing == PensionerStanding.Transferred) return new RecordChangeResult(nameof(CycleCommandResult.AlreadyApplied));
        if (profile.Standing == PensionerStanding.Deceased) throw new ProblemException(ProblemTypes.PensionerInactive);
        var reviewCase = await reviewIntake.OpenForOperatorRequestAsync(ReviewCase.IdForTransferReport(profile.RegionCode, Guid.NewGuid().ToString("N")), ReviewReasons.TransferReport,
            profile, @operator.Subject, subject: "operator", requestNote: null, transferredOn, cancellationToken);
        LogTransferReported(logger, profile.PensionerId, reviewCase.CaseId);
        return new RecordChangeResult(RecordChangeResult.ReviewOpened, reviewCase.CaseId);
    }

    private async Task<RecordChangeResult> ReportDeathAsync(OperatorPrincipal @operator, PensionerProfile profile, DateOnly dateOfDeath, CancellationToken cancellationToken)
    {
        RecordDates.Require(profile, dateOfDeath, ChinaTime.Today(timeProvider));
        if (profile.Standing == PensionerStanding.Deceased) return new RecordChangeResult(nameof(CycleCommandResult.AlreadyApplied));
        if (profile.Standing == PensionerStanding.Transferred) throw new ProblemException(ProblemTypes.PensionerInactive);
        // One report at a time: a retried report (or any report while one is open) answers with the open case.
        if (await OpenDeathReportAsync(profile, cancellationToken) is { } open) return new RecordChangeResult(RecordChangeResult.ReviewOpened, open);
        // The case id is numbered by the pensioner's count of reports, so two reports racing each other open one case.
        var caseId = ReviewCase.IdForDeathReport(profile.RegionCode, profile.PensionerId + "n" + profile.DeathReports.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var reviewCase = await reviewIntake.OpenForOperatorRequestAsync(caseId, ReviewReasons.DeathReport,
            profile, @operator.Subject, subject: "operator", requestNote: null, dateOfDeath, cancellationToken);
        // Then the payment hold (payment.held); a crash in between is repaired by the hourly review sweep.
        var held = await cycle.HoldPaymentForDeathReportAsync(profile.PensionerId, reviewCase.CaseId, cancellationToken);
        if (held == CycleCommandResult.Inactive) throw new ProblemException(ProblemTypes.PensionerInactive);
        LogDeathReported(logger, profile.PensionerId, reviewCase.CaseId);
        return new RecordChangeResult(RecordChangeResult.ReviewOpened, reviewCase.CaseId);
    }

    /// <summary>The open death-report case holding the pensioner's payment, if any.</summary>
    private async Task<string?> OpenDeathReportAsync(PensionerProfile profile, CancellationToken cancellationToken) =>
        profile.DeathReportCaseId is { } caseId && await reviewCases.GetAsync(caseId, cancellationToken) is { State: ReviewCaseState.Open } ? caseId : null;

    /// <summary>
    /// An admin asks to reverse a wrong death or transfer record, with a reason: a review case of reason
    /// status-reversal that only another admin may approve; on approval the pensioner is reinstated and payment
    /// resumes with back-pay (<see cref="CycleService.ReinstateAsync"/>).
    /// </summary>
    /// <exception cref="ProblemException">role-not-allowed, pensioner-not-found, region-not-served, nothing-to-reverse, invalid-reversal-request.</exception>
    public async Task<ReviewCase> RequestReversalAsync(OperatorPrincipal @operator, string pensionerId, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (@operator.Role != OperatorRole.Admin) throw new ProblemException(ProblemTypes.RoleNotAllowed);
        var note = reason?.Trim();
        if (note is null || note.Length is < 2 or > MaxNoteLength) throw new ProblemException(ProblemTypes.InvalidReversalRequest);
        var profile = await administration.RequireServedAsync(pensionerId, @operator, cancellationToken);
        if (profile.Standing is not (PensionerStanding.Deceased or PensionerStanding.Transferred)) throw new ProblemException(ProblemTypes.NothingToReverse);
        var reviewCase = await reviewIntake.OpenForOperatorRequestAsync(ReviewCase.IdForReversal(profile.RegionCode, Guid.NewGuid().ToString("N")), ReviewReasons.StatusReversal,
            profile, @operator.Subject, subject: profile.Standing == PensionerStanding.Deceased ? "deceased" : "transferred", note, profile.EndedOn, cancellationToken);
        LogReversalRequested(logger, pensionerId, reviewCase.CaseId);
        return reviewCase;
    }

    /// <summary>Changes the name on record explicitly (the audit row names the operator; the name itself is never logged).</summary>
    /// <exception cref="ProblemException">pensioner-not-found, region-not-served, invalid-name, name-change-reason-required, pensioner-inactive.</exception>
    public async Task<RecordChangeResult> ChangeNameAsync(OperatorPrincipal @operator, string pensionerId, string? name, string? reason, CancellationToken cancellationToken)
    {
        var newName = Enrollment.EnrollmentService.RequireName(name);
        if (reason?.Trim() is not { Length: >= 2 and <= MaxNoteLength }) throw new ProblemException(ProblemTypes.NameChangeReasonRequired);
        for (var attempt = 1; ; attempt++)
        {
            var profile = await administration.RequireServedAsync(pensionerId, @operator, cancellationToken);
            if (profile.Standing == PensionerStanding.Deceased) throw new ProblemException(ProblemTypes.PensionerInactive);
            if (profile.Name == newName) return new RecordChangeResult(nameof(CycleCommandResult.AlreadyApplied));
            try
            {
                await pensioners.UpdateAsync(profile with { Name = newName }, cancellationToken);
                LogNameChanged(logger, pensionerId);
                return new RecordChangeResult(nameof(CycleCommandResult.Applied));
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Records the <c>certified</c> outcome of an investigation: only while one is open (or the pensioner is overdue or
    /// suspended), and only with evidence. With an Approved certification of this pensioner the year restarts at once
    /// (channel home-visit, the evidence named in certification.approved). With a paper document only
    /// (<see cref="InvestigationEvidence.IsWellFormedDocumentReference"/>) nothing changes yet: an investigation-certified
    /// review case opens (one per pensioner and day; a repeat answers with it) that an admin other than the caller
    /// approves; only then does the year restart or the payment resume (<see cref="ReviewEffects"/>).
    /// </summary>
    /// <exception cref="ProblemException">pensioner-not-found, region-not-served, pensioner-inactive, no-open-investigation, investigation-evidence-required, investigation-evidence-not-approved.</exception>
    public async Task<RecordChangeResult> RecordInvestigationCertifiedAsync(OperatorPrincipal @operator, string pensionerId, InvestigationEvidence evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        ArgumentNullException.ThrowIfNull(evidence);
        var profile = await administration.RequireServedAsync(pensionerId, @operator, cancellationToken);
        if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) throw new ProblemException(ProblemTypes.PensionerInactive);
        var today = ChinaTime.Today(timeProvider);
        var overdue = profile.Standing == PensionerStanding.Active && profile.ValidUntil is { } v && today > v;
        if (profile.Standing is not (PensionerStanding.UnderInvestigation or PensionerStanding.Suspended) && !overdue)
            throw new ProblemException(ProblemTypes.NoOpenInvestigation);
        if (evidence.CertificationId is { } certificationId && evidence.DocumentReference is null)
        {
            var record = Ids.IsCertificationId(certificationId) ? await certifications.GetAsync(certificationId, cancellationToken) : null;
            if (record is null || record.PensionerId != pensionerId) throw new ProblemException(ProblemTypes.InvestigationEvidenceRequired, "认证编号不存在或不属于该人员。");
            // Only a face confirmed as this pensioner's is evidence of life: a rejected attempt (another person's face,
            // a photo of a photo), a pending one or one waiting for review proves nothing.
            if (record.Status != CertificationStatus.Approved) throw new ProblemException(ProblemTypes.InvestigationEvidenceNotApproved);
            var result = await cycle.RecordCertifiedAsync(pensionerId, timeProvider.GetUtcNow(),
                new CertificationOrigin("home-visit", EvidenceType: "investigation", EvidenceSource: "certification:" + certificationId) { DecisionSource = "operator" }, cancellationToken);
            return result switch
            {
                CycleCommandResult.NotFound => throw new ProblemException(ProblemTypes.PensionerNotFound),
                CycleCommandResult.Inactive => throw new ProblemException(ProblemTypes.PensionerInactive),
                _ => new RecordChangeResult(result.ToString()),
            };
        }
        if (evidence.CertificationId is not null || evidence.DocumentReference is null) throw new ProblemException(ProblemTypes.InvestigationEvidenceRequired);
        if (!InvestigationEvidence.IsWellFormedDocumentReference(evidence.DocumentReference)) throw new ProblemException(ProblemTypes.InvestigationDocumentReferenceInvalid);
        // Seen alive on paper only: what keeps a pension flowing for a year is never one operator's word (four-eyes).
        var reviewCase = await reviewIntake.OpenForOperatorRequestAsync(ReviewCase.IdForInvestigationCertified(profile.RegionCode, profile.PensionerId, today), ReviewReasons.InvestigationCertified,
            profile, @operator.Subject, subject: "document:" + evidence.DocumentReference.Trim(), requestNote: null, today, cancellationToken);
        LogInvestigationCertifiedRequested(logger, profile.PensionerId, reviewCase.CaseId);
        return new RecordChangeResult(RecordChangeResult.ReviewOpened, reviewCase.CaseId);
    }

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Certified outcome of the investigation of pensioner {PensionerId} on a document only: not applied until an admin approves review case {CaseId}")]
    private static partial void LogInvestigationCertifiedRequested(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Death of pensioner {PensionerId} reported by an operator: not applied until a second admin approves review case {CaseId}")]
    private static partial void LogDeathReported(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Transfer of pensioner {PensionerId} reported: review case {CaseId} waits for a second admin")]
    private static partial void LogTransferReported(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Reversal of the death or transfer record of pensioner {PensionerId} requested: review case {CaseId}")]
    private static partial void LogReversalRequested(ILogger logger, string pensionerId, string caseId);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Name on record of pensioner {PensionerId} changed by an operator")]
    private static partial void LogNameChanged(ILogger logger, string pensionerId);
}
