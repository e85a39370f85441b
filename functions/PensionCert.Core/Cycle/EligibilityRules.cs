namespace PensionCert.Core.Cycle;

/// <summary>
/// Decides a pensioner's <see cref="EligibilityState"/> from today's date, the recorded standing and the last valid
/// day of their latest certification. PensionCert business rules; all dates are China Standard Time calendar dates
/// (see <see cref="ChinaTime"/>).
/// </summary>
public static class EligibilityRules
{
    /// <summary>Default days (inclusive) before the last valid day from which the state is <see cref="EligibilityState.DueSoon"/>: 30 (the first reminder).</summary>
    public const int DueSoonDays = 30;

    /// <summary>
    /// The state on <paramref name="today"/> with the default policy and no recorded standing other than suspension.
    /// See <see cref="StateOn(DateOnly, PensionerStanding, DateOnly?, DateOnly?, int)"/>; a null validUntil is NeverCertified.
    /// </summary>
    /// <param name="today">Today's China calendar date (see <see cref="ChinaTime.Today"/>).</param>
    /// <param name="validUntil">The last valid day of the latest certification (see <see cref="CertificationCalendar.ValidUntil"/>), or null when never certified.</param>
    /// <param name="suspended">True when the pensioner's benefits are suspended.</param>
    public static EligibilityState StateOn(DateOnly today, DateOnly? validUntil, bool suspended) =>
        StateOn(today, suspended ? PensionerStanding.Suspended : PensionerStanding.Active, validUntil, validUntil, DueSoonDays);

    /// <summary>
    /// The state on <paramref name="today"/>, first matching rule wins: a recorded standing other than Active
    /// (UnderInvestigation, Suspended, Deceased, Transferred) is the state; with no due date, NeverCertified;
    /// Overdue after <paramref name="validUntil"/>; DueSoon from <paramref name="dueSoonDays"/> days before it up to
    /// and including it; otherwise Valid when <paramref name="lastCertifiedOn"/> is set, else NeverCertified.
    /// </summary>
    /// <param name="today">Today's China calendar date.</param>
    /// <param name="standing">The recorded standing.</param>
    /// <param name="lastCertifiedOn">China date of the last certification, or null when never certified.</param>
    /// <param name="validUntil">Last valid day of the current cycle (for a never-certified pensioner: the first due date), or null.</param>
    /// <param name="dueSoonDays">The region's DueSoon days (<see cref="CyclePolicy.DueSoonDays"/>).</param>
    public static EligibilityState StateOn(DateOnly today, PensionerStanding standing, DateOnly? lastCertifiedOn, DateOnly? validUntil, int dueSoonDays)
    {
        switch (standing)
        {
            case PensionerStanding.UnderInvestigation: return EligibilityState.UnderInvestigation;
            case PensionerStanding.Suspended: return EligibilityState.Suspended;
            case PensionerStanding.Deceased: return EligibilityState.Deceased;
            case PensionerStanding.Transferred: return EligibilityState.Transferred;
        }
        if (validUntil is not { } lastValidDay)
            return EligibilityState.NeverCertified;
        if (today > lastValidDay)
            return EligibilityState.Overdue;
        // Day numbers avoid DateOnly.AddDays overflowing near DateOnly.MinValue.
        if (today.DayNumber >= lastValidDay.DayNumber - dueSoonDays)
            return EligibilityState.DueSoon;
        return lastCertifiedOn is null ? EligibilityState.NeverCertified : EligibilityState.Valid;
    }
}
