using System.Globalization;
using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;

namespace PensionCert.Core.Review;

/// <summary>Where a review case is in its life. <see cref="Open"/> is the only state a reviewer acts on.</summary>
public enum ReviewCaseState
{
    /// <summary>Waiting for a reviewer (a claim may be held on it; an expired claim is no claim).</summary>
    Open,

    /// <summary>Approved: the certification is approved (or the death, reference change or reversal applied).</summary>
    Approved,

    /// <summary>Rejected with a reason from <see cref="RejectionReasons"/>.</summary>
    Rejected,

    /// <summary>Sent to an offline channel: the pensioner certifies at a counter or by a home visit.</summary>
    SentOffline,

    /// <summary>
    /// Closed undecided by the sweep (decided by <c>system</c>): a death report after
    /// <see cref="ReviewOptions.DeathReportLapseDays"/> (the payment hold is released with back-pay and the annual cycle
    /// goes on as before), a transfer report after <see cref="ReviewOptions.TransferReportLapseDays"/> (not applied), a
    /// reference change after <see cref="ReviewOptions.ReferenceChangeLapseDays"/> (the current reference stays), an
    /// ID-photo enrolment after <see cref="Enrollment.IdPhotoEnrollmentOptions.LapseDays"/> (nothing is enrolled) and a
    /// document-only certified outcome after <see cref="ReviewOptions.InvestigationCertifiedLapseDays"/> (the year is not restarted).
    /// </summary>
    Expired,
}

/// <summary>Why a case was opened (stable wire codes).</summary>
public static class ReviewReasons
{
    /// <summary>A certification the worker decided NeedsReview (doubtful similarity or liveness, replay suspicion).</summary>
    public const string CertificationNeedsReview = "certification-needs-review";

    /// <summary>The pensioner reached the daily limit of rejected online certifications.</summary>
    public const string DailyAttemptsExhausted = "daily-attempts-exhausted";

    /// <summary>A death record is dated before a later live certification: not applied until a reviewer decides.</summary>
    public const string DeathBeforeCertification = "death-before-certification";

    /// <summary>A new reference photo that did not pass liveness and the match against the current one (four-eyes).</summary>
    public const string ReferenceChange = "reference-change";

    /// <summary>An admin asks to reverse a wrong death or transfer record (a second admin approves).</summary>
    public const string StatusReversal = "status-reversal";

    /// <summary>Home-visit staff found the pensioner deceased: nothing stops payment until the four-eyes death flow does.</summary>
    public const string HomeVisitFoundDeceased = "home-visit-found-deceased";

    /// <summary>An operator reports a death through the status endpoint: applied only when a second admin approves (four-eyes).</summary>
    public const string DeathReport = "death-report";

    /// <summary>An operator reports a transfer through the status endpoint: applied only when a second admin approves (four-eyes).</summary>
    public const string TransferReport = "transfer-report";

    /// <summary>A first enrolment from a scanned ID or archive photo (<c>referenceSource=id-photo</c>): enrolled only when another operator approves (four-eyes).</summary>
    public const string IdPhotoEnrollment = "id-photo-enrollment";

    /// <summary>
    /// A reviewer recorded the <c>certified</c> outcome of an investigation on a paper document only (no face): the year
    /// restarts (or a suspended payment resumes) only when an admin other than that reviewer approves (four-eyes).
    /// </summary>
    public const string InvestigationCertified = "investigation-certified";

    /// <summary>Every reason code.</summary>
    public static readonly IReadOnlyList<string> All = [CertificationNeedsReview, DailyAttemptsExhausted, DeathBeforeCertification, ReferenceChange, StatusReversal, HomeVisitFoundDeceased, DeathReport, TransferReport, IdPhotoEnrollment, InvestigationCertified];
}

/// <summary>The fixed list of rejection reasons a reviewer picks from, each with what the pensioner should do next.</summary>
public static class RejectionReasons
{
    /// <summary>The probe shows someone else than the reference.</summary>
    public const string NotThePensioner = "not-the-pensioner";

    /// <summary>A photo of a photo or a screen, a mask: a presentation attack.</summary>
    public const string PresentationAttack = "presentation-attack";

    /// <summary>The probe cannot be judged (blurred, dark, face hidden).</summary>
    public const string PoorPhoto = "poor-photo";

    /// <summary>The reference is too old or poor to compare: the pensioner must be enrolled again at a counter.</summary>
    public const string ReferenceUnusable = "reference-unusable";

    /// <summary>The record the case is about is wrong (e.g. a death record, a reference change or a reversal request).</summary>
    public const string RecordIncorrect = "record-incorrect";

    /// <summary>The guidance code given to the pensioner for each reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> GuidanceFor = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [NotThePensioner] = Guidance.VisitCounter,
        [PresentationAttack] = Guidance.VisitCounter,
        [PoorPhoto] = Guidance.RetakePhoto,
        [ReferenceUnusable] = Guidance.ReEnrollAtCounter,
        [RecordIncorrect] = Guidance.None,
    };

    /// <summary>Every reason code.</summary>
    public static IReadOnlyCollection<string> All => (IReadOnlyCollection<string>)GuidanceFor.Keys;
}

/// <summary>Offline channels a reviewer can send a case to.</summary>
public static class OfflineChannels
{
    public const string Counter = "counter";
    public const string HomeVisit = "home-visit";

    /// <summary>Both channels.</summary>
    public static readonly IReadOnlyList<string> All = [Counter, HomeVisit];
}

/// <summary>What a reviewer decided.</summary>
/// <param name="Outcome">Approved, Rejected or SentOffline.</param>
/// <param name="RejectionReason">For Rejected: one of <see cref="RejectionReasons"/>.</param>
/// <param name="OfflineChannel">For SentOffline: one of <see cref="OfflineChannels"/>.</param>
/// <param name="Note">Free note (at most 500 characters); no personal data is expected, it is stored and shown to reviewers only.</param>
public sealed record ReviewDecision(ReviewCaseState Outcome, string? RejectionReason, string? OfflineChannel, string? Note);

/// <summary>
/// A review case: a small state machine with explicit transitions. Every transition returns the changed case or
/// throws a <see cref="ProblemException"/>; the storage adapter persists it with its ETag, so of two reviewers acting
/// on one case at once exactly one write wins. A claim is a lease: it expires, and an expired claim is no claim, so a
/// reviewer who walks away never blocks a case. Decided cases never change again except for the bookkeeping of
/// their effects (<see cref="EffectsApplied"/>) and of the aged-case escalation.
/// </summary>
public sealed record ReviewCase
{
    /// <summary>Opaque id: <c>{regionCode}-{suffix}</c> (the region is the storage partition).</summary>
    public required string CaseId { get; init; }
    public required string RegionCode { get; init; }
    public required string PensionerId { get; init; }
    /// <summary>One of <see cref="ReviewReasons"/>.</summary>
    public required string Reason { get; init; }
    /// <summary>China date the case is about (the day it was opened; for the daily limit, the day of the rejections).</summary>
    public required DateOnly Day { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public ReviewCaseState State { get; init; } = ReviewCaseState.Open;
    /// <summary>The certification under review (certification cases).</summary>
    public string? CertificationId { get; init; }
    /// <summary>The operator whose action opened the case (counter submission, reference upload, reversal request): never its decider.</summary>
    public string? SubmittedBy { get; init; }
    /// <summary>For death and reversal cases: the date the record names (date of death or transfer).</summary>
    public DateOnly? EffectiveOn { get; init; }
    /// <summary>
    /// For reference changes: the pending reference photo's blob name; for death cases: the record's source; for a
    /// certification review of a replayed reference photo: <see cref="ReplaySubject"/>; for investigation-certified:
    /// <c>document:{reference}</c>.
    /// </summary>
    public string? Subject { get; init; }
    /// <summary>The reason an operator gave when opening the case (reversal requests), at most 500 characters.</summary>
    public string? RequestNote { get; init; }
    /// <summary>For reference changes and ID-photo enrolments: where the proposed photo comes from (<see cref="Enrollment.ReferenceSources"/>).</summary>
    public string? ReferenceSource { get; init; }
    public string? ClaimedBy { get; init; }
    public DateTimeOffset? ClaimExpiresAt { get; init; }
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? RejectionReason { get; init; }
    public string? OfflineChannel { get; init; }
    public string? Note { get; init; }
    /// <summary>True once the decision's effects (certification, cycle, events) are recorded; a sweep finishes the rest.</summary>
    public bool EffectsApplied { get; init; }
    /// <summary>When the case was last reported as aged (event review.case-aged).</summary>
    public DateTimeOffset? EscalatedAt { get; init; }
    /// <summary>How many times the case was reported as aged (review.case-aged repeats while the case stays open).</summary>
    public int Escalations { get; init; }
    public string? ETag { get; init; }

    /// <summary>The <see cref="Subject"/> of a certification review opened for a replayed reference photo (probe-matches-reference).</summary>
    public const string ReplaySubject = "probe-matches-reference";

    /// <summary>Longest note kept.</summary>
    public const int MaxNoteLength = 500;

    /// <summary>True when the case is open and someone else holds an unexpired claim.</summary>
    public bool IsClaimedByOtherThan(string subject, DateTimeOffset now) =>
        State == ReviewCaseState.Open && ClaimedBy is { } holder && holder != subject && ClaimExpiresAt > now;

    /// <summary>The claim in force at <paramref name="now"/>, if any.</summary>
    public string? ActiveClaimant(DateTimeOffset now) => State == ReviewCaseState.Open && ClaimExpiresAt > now ? ClaimedBy : null;

    /// <summary>
    /// Claims (or renews the caller's claim on) an open case for <paramref name="lease"/>.
    /// </summary>
    /// <param name="reviewer">The reviewer.</param>
    /// <param name="excluded">Operators who may not decide this case (its submitter, who changed the reference).</param>
    /// <param name="now">The time.</param>
    /// <param name="lease">How long the claim lasts.</param>
    /// <exception cref="ProblemException">review-case-closed, review-case-claimed, review-conflict-of-interest, role-not-allowed.</exception>
    public ReviewCase Claim(OperatorPrincipal reviewer, IReadOnlySet<string> excluded, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        RequireMayAct(reviewer, excluded);
        if (IsClaimedByOtherThan(reviewer.Subject, now)) throw new ProblemException(ProblemTypes.ReviewCaseClaimed);
        return this with { ClaimedBy = reviewer.Subject, ClaimExpiresAt = now + lease };
    }

    /// <summary>Gives up the caller's claim.</summary>
    /// <exception cref="ProblemException">review-case-closed, review-claim-required.</exception>
    public ReviewCase Release(OperatorPrincipal reviewer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        if (State != ReviewCaseState.Open) throw new ProblemException(ProblemTypes.ReviewCaseClosed);
        if (ActiveClaimant(now) != reviewer.Subject) throw new ProblemException(ProblemTypes.ReviewClaimRequired);
        return this with { ClaimedBy = null, ClaimExpiresAt = null };
    }

    /// <summary>
    /// Decides the case. The caller must hold an unexpired claim. Allowed outcomes depend on the reason: a daily-limit
    /// case cannot be approved (there is nothing to approve); reference changes and reversals cannot be sent offline.
    /// </summary>
    /// <exception cref="ProblemException">review-case-closed, review-claim-required, review-conflict-of-interest, role-not-allowed, invalid-review-decision.</exception>
    public ReviewCase Decide(OperatorPrincipal reviewer, IReadOnlySet<string> excluded, ReviewDecision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        ArgumentNullException.ThrowIfNull(decision);
        RequireMayAct(reviewer, excluded);
        if (ActiveClaimant(now) != reviewer.Subject) throw new ProblemException(ProblemTypes.ReviewClaimRequired);
        var note = decision.Note?.Trim();
        if (note is { Length: > MaxNoteLength }) throw new ProblemException(ProblemTypes.InvalidReviewDecision, $"note 不能超过 {MaxNoteLength.ToString(CultureInfo.InvariantCulture)} 个字符。");
        switch (decision.Outcome)
        {
            case ReviewCaseState.Approved when Reason == ReviewReasons.DailyAttemptsExhausted:
                throw new ProblemException(ProblemTypes.InvalidReviewDecision, "该案件没有可批准的认证，请选择驳回或转线下。");
            case ReviewCaseState.Approved:
                break;
            case ReviewCaseState.Rejected when decision.RejectionReason is { } r && RejectionReasons.GuidanceFor.ContainsKey(r):
                break;
            case ReviewCaseState.Rejected:
                throw new ProblemException(ProblemTypes.InvalidReviewDecision, "驳回须选择固定的驳回原因之一：" + string.Join("、", RejectionReasons.All) + "。");
            case ReviewCaseState.SentOffline when Reason is ReviewReasons.ReferenceChange or ReviewReasons.StatusReversal or ReviewReasons.DeathReport or ReviewReasons.TransferReport or ReviewReasons.IdPhotoEnrollment or ReviewReasons.InvestigationCertified:
                throw new ProblemException(ProblemTypes.InvalidReviewDecision, "该案件不能转线下，请选择批准或驳回。");
            case ReviewCaseState.SentOffline when decision.OfflineChannel is { } c && OfflineChannels.All.Contains(c):
                break;
            case ReviewCaseState.SentOffline:
                throw new ProblemException(ProblemTypes.InvalidReviewDecision, "转线下须选择 counter（窗口）或 home-visit（上门）。");
            default:
                throw new ProblemException(ProblemTypes.InvalidReviewDecision);
        }
        return this with
        {
            State = decision.Outcome,
            DecidedBy = reviewer.Subject,
            DecidedAt = now,
            RejectionReason = decision.Outcome == ReviewCaseState.Rejected ? decision.RejectionReason : null,
            OfflineChannel = decision.Outcome == ReviewCaseState.SentOffline ? decision.OfflineChannel : null,
            Note = string.IsNullOrEmpty(note) ? null : note,
            ClaimedBy = null,
            ClaimExpiresAt = null,
            EffectsApplied = false,
        };
    }

    /// <summary>
    /// Closes an open case nobody decided (the way out of a case left open): state Expired, decided by <c>system</c>;
    /// its effects (a death report's hold released, the lapse announced) are recorded like a decision's. Only the
    /// operator requests that can lapse do (<see cref="Lapses"/>); any other case is returned unchanged.
    /// </summary>
    public ReviewCase Lapse(DateTimeOffset now) => State == ReviewCaseState.Open && Lapses(Reason)
        ? this with { State = ReviewCaseState.Expired, DecidedBy = "system", DecidedAt = now, Note = "undecided-lapsed", ClaimedBy = null, ClaimExpiresAt = null, EffectsApplied = false }
        : this;

    /// <summary>True for the reasons whose undecided case lapses: a death report, a transfer report, a reference change, an ID-photo enrolment, a document-only certified outcome.</summary>
    public static bool Lapses(string reason) => reason is ReviewReasons.DeathReport or ReviewReasons.TransferReport or ReviewReasons.ReferenceChange or ReviewReasons.IdPhotoEnrollment or ReviewReasons.InvestigationCertified;

    /// <summary>
    /// True when an open case is due to be reported aged at <paramref name="now"/>: <paramref name="every"/> after it
    /// opened, and again every <paramref name="every"/> after the last report while it stays open.
    /// </summary>
    public bool EscalationDue(DateTimeOffset now, TimeSpan every) =>
        State == ReviewCaseState.Open && AgeAt(now) >= every && (EscalatedAt is not { } last || now - last >= every);

    /// <summary>Marks an open case as reported aged once more (<see cref="Escalations"/> + 1).</summary>
    public ReviewCase Escalate(DateTimeOffset now) => State == ReviewCaseState.Open ? this with { EscalatedAt = now, Escalations = Escalations + 1 } : this;

    /// <summary>Age of the case at <paramref name="now"/>.</summary>
    public TimeSpan AgeAt(DateTimeOffset now) => now - OpenedAt;

    private void RequireMayAct(OperatorPrincipal reviewer, IReadOnlySet<string> excluded)
    {
        if (State != ReviewCaseState.Open) throw new ProblemException(ProblemTypes.ReviewCaseClosed);
        if (!reviewer.Serves(RegionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
        // Declaring a death, reversing a death or transfer, and restarting a year on a paper document are an admin's
        // decision (a second person: the requester is excluded).
        if (Reason is ReviewReasons.StatusReversal or ReviewReasons.DeathReport or ReviewReasons.TransferReport or ReviewReasons.InvestigationCertified
            && reviewer.Role != OperatorRole.Admin) throw new ProblemException(ProblemTypes.RoleNotAllowed);
        if (reviewer.Subject == SubmittedBy || excluded.Contains(reviewer.Subject)) throw new ProblemException(ProblemTypes.ReviewConflictOfInterest);
    }

    /// <summary>Case id of a certification's review.</summary>
    public static string IdForCertification(string regionCode, string certificationId) => $"{regionCode}-{certificationId}";

    /// <summary>Case id of a day's exhausted attempts.</summary>
    public static string IdForDailyAttempts(string regionCode, DateOnly day, string pensionerId) => $"{regionCode}-d{Compact(day)}{pensionerId}";

    /// <summary>Case id of a death record that conflicts with a later certification.</summary>
    public static string IdForDeathConflict(string regionCode, DateOnly dateOfDeath, string pensionerId) => $"{regionCode}-x{Compact(dateOfDeath)}{pensionerId}";

    /// <summary>Case id of a pending reference change (the pending blob's unique suffix).</summary>
    public static string IdForReferenceChange(string regionCode, string changeId) => $"{regionCode}-r{changeId}";

    /// <summary>Case id of an operator's death report.</summary>
    public static string IdForDeathReport(string regionCode, string requestId) => $"{regionCode}-k{requestId}";

    /// <summary>Case id of an operator's transfer report.</summary>
    public static string IdForTransferReport(string regionCode, string requestId) => $"{regionCode}-t{requestId}";

    /// <summary>Case id of a first enrolment from an ID photo.</summary>
    public static string IdForIdPhotoEnrollment(string regionCode, string requestId) => $"{regionCode}-e{requestId}";

    /// <summary>Case id of a document-only <c>certified</c> investigation outcome: one per pensioner and China day.</summary>
    public static string IdForInvestigationCertified(string regionCode, string pensionerId, DateOnly day) => $"{regionCode}-h{pensionerId}{Compact(day)}";

    /// <summary>Case id of a reversal request.</summary>
    public static string IdForReversal(string regionCode, string requestId) => $"{regionCode}-v{requestId}";

    /// <summary>True for a well-formed case id (six digits, a dash, 1-80 lower-case letters and digits).</summary>
    public static bool IsWellFormedId(string? caseId) =>
        caseId is { Length: > 7 and <= 87 } && caseId[6] == '-' && caseId.AsSpan(0, 6).IndexOfAnyExceptInRange('0', '9') < 0
        && !caseId.AsSpan(7).ContainsAnyExcept("0123456789abcdefghijklmnopqrstuvwxyz");

    private static string Compact(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
