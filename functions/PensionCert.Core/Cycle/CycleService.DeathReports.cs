using PensionCert.Core.Events;

namespace PensionCert.Core.Cycle;

/// <summary>
/// The payment hold of an operator's death report (four-eyes): while the death-report review case is open the
/// pensioner's payment is held (payroll pays nothing new, but nothing is suspended or stopped and the annual cycle goes
/// on); a confirmed death stops payment (<see cref="MarkDeceasedAsync"/>), a rejected or lapsed report releases the
/// hold and every held month is paid back.
/// </summary>
public sealed partial class CycleService
{
    /// <summary>
    /// Holds the pensioner's payment for the open death-report case <paramref name="caseId"/>: records the case on the
    /// profile and emits payment.held (<c>stopFromMonth</c> = this month, keyed by the case, so once). Idempotent; when
    /// another case already holds the payment nothing changes (AlreadyApplied: one report at a time, the caller answers
    /// with the holding case). Inactive for a deceased or transferred pensioner.
    /// </summary>
    public Task<CycleCommandResult> HoldPaymentForDeathReportAsync(string pensionerId, string caseId, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            if (p.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) return Decision.Skip(CycleCommandResult.Inactive);
            if (p.DeathReportCaseId is not null) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            var updated = p with { DeathReportCaseId = caseId, PaymentHeldOn = today, DeathReports = p.DeathReports + 1 };
            return Decision.Apply(updated,
            [
                (EventTypes.PaymentHeld, caseId, Data(updated, StateOf(updated, policy, today), today) with
                {
                    StopFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today)),
                    ReviewCaseId = caseId,
                    Reason = "death-reported",
                }),
            ]);
        }, cancellationToken);

    /// <summary>
    /// Releases the payment hold of death-report case <paramref name="caseId"/> (rejected, or lapsed undecided):
    /// payment.released with <c>resumeFromMonth</c> = next month and <c>backPayMonths</c> = every month from the month
    /// the hold began through this month (always: a wrong report must cost the pensioner nothing, whatever the region's
    /// back-pay setting for suspensions). While the pensioner is suspended for another reason, only the held months
    /// before the suspension month are back-paid and nothing resumes (payment.resumed of the next certification pays
    /// the rest). Idempotent: AlreadyApplied when the case does not hold the payment (any more).
    /// </summary>
    public Task<CycleCommandResult> ReleaseDeathReportHoldAsync(string pensionerId, string caseId, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            if (p.DeathReportCaseId != caseId) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            var heldOn = p.PaymentHeldOn ?? today;
            var updated = p with { DeathReportCaseId = null, PaymentHeldOn = null };
            var suspended = p.Standing == PensionerStanding.Suspended && p.SuspendedOn is not null;
            var backPay = !suspended ? CycleCalendar.MonthsBetween(heldOn, today)
                : CycleCalendar.MonthsBetween(heldOn, today).Where(m => string.CompareOrdinal(m, CycleCalendar.FormatMonth(CycleCalendar.MonthOf(p.SuspendedOn!.Value))) < 0).ToArray();
            return Decision.Apply(updated,
            [
                (EventTypes.PaymentReleased, caseId, Data(updated, StateOf(updated, policy, today), today) with
                {
                    ResumeFromMonth = suspended ? null : CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today).AddMonths(1)),
                    BackPayMonths = backPay,
                    ReviewCaseId = caseId,
                    Reason = reason,
                }),
            ]);
        }, cancellationToken);
}
