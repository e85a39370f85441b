using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>Certification decisions and review outcomes announced through the outbox, each exactly once.</summary>
public sealed partial class CycleService
{
    /// <summary>
    /// Announces a certification decision that does not restart the year (<see cref="EventTypes.CertificationRejected"/>,
    /// <see cref="EventTypes.CertificationNeedsReview"/>, <see cref="EventTypes.CertificationFailed"/>) in one transaction
    /// with the review hold: NeedsReview opens the hold of <paramref name="certificationId"/> (suspension waits for the
    /// reviewer), any other decision closes it. The event id is derived from the pensioner, the type and the
    /// certification, so a retried call writes nothing (exactly once). Works for inactive pensioners too.
    /// </summary>
    public Task<CycleCommandResult> AnnounceDecisionAsync(string pensionerId, string eventType, string certificationId, string channel, string guidance, string source, CancellationToken cancellationToken) =>
        AnnounceDecisionAsync(pensionerId, eventType, certificationId, channel, guidance, source, null, null, holdsSuspension: true, cancellationToken);

    /// <summary>
    /// <see cref="AnnounceDecisionAsync(string, string, string, string, string, string, CancellationToken)"/> starting
    /// from <paramref name="current"/>, the profile the caller just read with its ETag (no second read; a profile
    /// changed meanwhile fails the write by its ETag and is read again), with the certification's <paramref name="rows"/>
    /// (the worker's decision, a failed attempt) in the same transaction. A NeedsReview with
    /// <paramref name="holdsSuspension"/> false (a presentation-attack suspicion, such as the reference photo replayed)
    /// opens no hold: the review case is for a reviewer to look at, not a way to keep a pension paid.
    /// </summary>
    public Task<CycleCommandResult> AnnounceDecisionAsync(string pensionerId, string eventType, string certificationId, string channel, string guidance, string source,
        PensionerProfile? current, CertificationRows? rows, bool holdsSuspension, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, current, rows, (p, policy, now, today) =>
        {
            var hold = ReviewHold(certificationId);
            // At MaxOpenHolds the hold is not added (the open ones forbid suspension just the same); the event still goes out.
            var holds = eventType == EventTypes.CertificationNeedsReview
                ? (!holdsSuspension || p.OpenHolds.Contains(hold) || p.OpenHolds.Count >= MaxOpenHolds ? p.OpenHolds : [.. p.OpenHolds, hold])
                : p.OpenHolds.Where(h => h != hold).ToArray();
            var updated = p with { OpenHolds = holds };
            return Decision.Apply(updated,
            [
                (eventType, certificationId, Data(updated, StateOf(updated, policy, today), today) with
                {
                    Channel = channel,
                    CertificationId = certificationId,
                    Guidance = guidance,
                    DecisionSource = source,
                }),
            ]);
        }, cancellationToken);

    /// <summary>
    /// Announces that review case <paramref name="caseId"/> is still open after the configured days, for the
    /// <paramref name="escalation"/>-th time (once per count: the first report is keyed by the case, later ones by the
    /// case and the count).
    /// </summary>
    public Task<CycleCommandResult> AnnounceCaseAgedAsync(string pensionerId, string caseId, string reason, DateOnly openedOn, int escalation, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) => Decision.Apply(p,
        [
            (EventTypes.ReviewCaseAged, escalation <= 1 ? caseId : caseId + "/" + escalation.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Data(p, StateOf(p, policy, today), openedOn) with { ReviewCaseId = caseId, Reason = reason, EscalationCount = Math.Max(1, escalation) }),
        ]), cancellationToken);

    /// <summary>
    /// Announces (once, keyed by the case) that review case <paramref name="caseId"/> of <paramref name="reason"/> lapsed
    /// undecided on today's date. Changes nothing else on the pensioner; works for inactive pensioners too.
    /// </summary>
    public Task<CycleCommandResult> AnnounceCaseLapsedAsync(string pensionerId, string caseId, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) => Decision.Apply(p,
        [
            (EventTypes.ReviewCaseLapsed, caseId, Data(p, StateOf(p, policy, today), today) with { ReviewCaseId = caseId, Reason = reason }),
        ]), cancellationToken);

    /// <summary>
    /// Reverses a death or transfer record (after two admins agreed, see the review case of reason status-reversal):
    /// the pensioner is active again, pensioner.reinstated and payment.resumed are emitted (keyed by
    /// <paramref name="requestId"/>, so once), payment resumes from next month, and the months from the stop month
    /// through this month are back-paid (unless the region switches back-pay off). Idempotent: a pensioner who is no
    /// longer deceased or transferred is AlreadyApplied.
    /// </summary>
    public Task<CycleCommandResult> ReinstateAsync(string pensionerId, string requestId, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            if (p.Standing is not (PensionerStanding.Deceased or PensionerStanding.Transferred)) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            var endedOn = p.EndedOn ?? today;
            var reversed = p.Standing == PensionerStanding.Deceased ? "deceased" : "transferred";
            var updated = p with { Standing = PensionerStanding.Active, EndedOn = null, SuspendedOn = null, InvestigationOpenedOn = null, OpenHolds = [] };
            var state = StateOf(updated, policy, today);
            var stopFrom = CycleCalendar.MonthOf(endedOn).AddMonths(1);
            return Decision.Apply(updated,
            [
                (EventTypes.PensionerReinstated, requestId, Data(updated, state, today) with { Reason = reversed }),
                (EventTypes.PaymentResumed, "reversal/" + requestId, Data(updated, state, today) with
                {
                    ResumeFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today).AddMonths(1)),
                    BackPayMonths = policy.BackPay ? CycleCalendar.MonthsBetween(stopFrom, today) : [],
                    Reason = policy.BackPay ? "reversal-" + reversed : "reversal-" + reversed + "-no-back-pay",
                }),
            ]);
        }, cancellationToken);
}
