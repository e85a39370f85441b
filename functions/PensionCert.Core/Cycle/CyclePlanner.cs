using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>What the daily scan does for one pensioner on one date.</summary>
public enum CycleEffectKind
{
    /// <summary>Send a reminder (certification.due-soon) <see cref="CycleEffect.DaysBefore"/> days before the last valid day.</summary>
    Reminder,

    /// <summary>Send the overdue notice and open an investigation (the first day after the last valid day).</summary>
    Overdue,

    /// <summary>Suspend payment after the grace period (only where the region enables it, and never while a hold is open).</summary>
    AutoSuspend,
}

/// <summary>An effect due for a pensioner.</summary>
/// <param name="Kind">The effect.</param>
/// <param name="DueOn">The China date it falls due.</param>
/// <param name="DaysBefore">For reminders: days before the last valid day.</param>
public sealed record CycleEffect(CycleEffectKind Kind, DateOnly DueOn, int? DaysBefore = null);

/// <summary>
/// The pure rules of the annual cycle's timeline for one pensioner: which effect is due on a date, and the next date
/// anything will be due (where the due-date index should hold the pensioner). PensionCert business rules from the
/// 2023 《社会保险经办条例》 practice: reminders before the validity ends, an overdue notice and an investigation the day
/// after, suspension only on an operator's confirmation or, where the region enables it, after the grace period.
/// </summary>
public static class CyclePlanner
{
    /// <summary>
    /// The one effect due on <paramref name="asOf"/> for <paramref name="profile"/>, or null. For an Active pensioner:
    /// Overdue once <paramref name="asOf"/> is after the last valid day, otherwise the latest reminder whose date has
    /// come (so a catch-up run sends the 7-day reminder, not a stale 30-day one). UnderInvestigation with
    /// auto-suspension enabled: AutoSuspend from the grace period's end, unless a hold is open. Nothing otherwise.
    /// </summary>
    public static CycleEffect? DueEffect(PensionerProfile profile, CyclePolicy policy, DateOnly asOf)
    {
        if (profile.ValidUntil is not { } validUntil) return null;
        switch (profile.Standing)
        {
            case PensionerStanding.Active:
                if (asOf > validUntil) return new CycleEffect(CycleEffectKind.Overdue, validUntil.AddDays(1));
                foreach (var days in policy.ReminderDaysBefore.Reverse())
                {
                    var on = validUntil.AddDays(-days);
                    if (on <= asOf) return new CycleEffect(CycleEffectKind.Reminder, on, days);
                }
                return null;
            case PensionerStanding.UnderInvestigation when policy.AutoSuspend:
                var suspendOn = AutoSuspendOn(validUntil, policy);
                return asOf >= suspendOn && profile.OpenHolds.Count == 0 ? new CycleEffect(CycleEffectKind.AutoSuspend, suspendOn) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// The first China date after <paramref name="after"/> on which something may be due, or null when nothing will
    /// be (suspended, deceased, transferred, or under investigation without auto-suspension). While a hold blocks a
    /// due automatic suspension, the next day (checked daily until the hold closes).
    /// </summary>
    public static DateOnly? NextActionOn(PensionerProfile profile, CyclePolicy policy, DateOnly after)
    {
        if (profile.ValidUntil is not { } validUntil) return null;
        switch (profile.Standing)
        {
            case PensionerStanding.Active:
                DateOnly? next = null;
                foreach (var days in policy.ReminderDaysBefore)
                {
                    var on = validUntil.AddDays(-days);
                    if (on > after && (next is null || on < next)) next = on;
                }
                var overdueOn = validUntil.AddDays(1);
                return next ?? (overdueOn > after ? overdueOn : after.AddDays(1));
            case PensionerStanding.UnderInvestigation when policy.AutoSuspend:
                var suspendOn = AutoSuspendOn(validUntil, policy);
                return suspendOn > after ? suspendOn : after.AddDays(1);
            default:
                return null;
        }
    }

    /// <summary>The China date automatic suspension falls due: the last valid day plus one plus the grace days.</summary>
    public static DateOnly AutoSuspendOn(DateOnly validUntil, CyclePolicy policy) => validUntil.AddDays(1 + policy.GraceDays);
}
