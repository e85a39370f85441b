namespace PensionCert.Core.Cycle;

/// <summary>
/// Decides a pensioner's <see cref="EligibilityState"/> from today's date and the last valid day of their latest
/// certification. PensionCert business rules; all dates are China Standard Time calendar dates (see <see cref="ChinaTime"/>).
/// </summary>
public static class EligibilityRules
{
    /// <summary>Days (inclusive) before the last valid day from which the state is <see cref="EligibilityState.DueSoon"/>: 30.</summary>
    public const int DueSoonDays = 30;

    /// <summary>
    /// The state on <paramref name="today"/>, first matching rule wins:
    /// <see cref="EligibilityState.Suspended"/> when <paramref name="suspended"/>;
    /// <see cref="EligibilityState.NeverCertified"/> when <paramref name="validUntil"/> is null;
    /// <see cref="EligibilityState.Overdue"/> when today is after validUntil;
    /// <see cref="EligibilityState.DueSoon"/> when today is on or after validUntil minus <see cref="DueSoonDays"/> days
    /// (so the last valid day itself is DueSoon, still certified);
    /// otherwise <see cref="EligibilityState.Valid"/>.
    /// </summary>
    /// <param name="today">Today's China calendar date (see <see cref="ChinaTime.Today"/>).</param>
    /// <param name="validUntil">The last valid day of the latest certification (see <see cref="CertificationCalendar.ValidUntil"/>), or null when never certified.</param>
    /// <param name="suspended">True when an operator has suspended the pensioner's benefits.</param>
    public static EligibilityState StateOn(DateOnly today, DateOnly? validUntil, bool suspended)
    {
        if (suspended)
            return EligibilityState.Suspended;
        if (validUntil is not { } lastValidDay)
            return EligibilityState.NeverCertified;
        if (today > lastValidDay)
            return EligibilityState.Overdue;
        // Day numbers avoid DateOnly.AddDays overflowing near DateOnly.MinValue.
        if (today.DayNumber >= lastValidDay.DayNumber - DueSoonDays)
            return EligibilityState.DueSoon;
        return EligibilityState.Valid;
    }
}
