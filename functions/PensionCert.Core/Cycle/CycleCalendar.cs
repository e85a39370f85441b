namespace PensionCert.Core.Cycle;

/// <summary>
/// Last valid days under each <see cref="CycleWindow"/>. Rolling windows use the one shared rule,
/// <see cref="CertificationCalendar.ValidUntil"/>. All dates are China Standard Time calendar dates.
/// </summary>
public static class CycleCalendar
{
    /// <summary>
    /// The last valid day of a certification made on <paramref name="certifiedOn"/> (or, for a newly entitled
    /// pensioner, of the entitlement that started on that date: first due in the year after the first payment).
    /// Rolling: <see cref="CertificationCalendar.ValidUntil"/> (2024-03-15 gives 2025-03-15, 2024-02-29 gives 2025-02-28).
    /// CalendarYear: 31 December of the next year (any day of 2024 gives 2025-12-31).
    /// BirthdayMonth: the last day of the birth month in the next year (2024-03-15, born in November, gives 2025-11-30);
    /// without a birth month, rolling.
    /// </summary>
    /// <param name="window">The region's window.</param>
    /// <param name="certifiedOn">China date of the certification (or of the first payment).</param>
    /// <param name="birthMonth">1-12, or null when unknown.</param>
    public static DateOnly ValidUntil(CycleWindow window, DateOnly certifiedOn, int? birthMonth) => window switch
    {
        CycleWindow.CalendarYear => new DateOnly(certifiedOn.Year + 1, 12, 31),
        CycleWindow.BirthdayMonth when birthMonth is >= 1 and <= 12 =>
            new DateOnly(certifiedOn.Year + 1, birthMonth.Value, DateTime.DaysInMonth(certifiedOn.Year + 1, birthMonth.Value)),
        _ => CertificationCalendar.ValidUntil(certifiedOn),
    };

    /// <summary>The payroll month (first day) of a China date, e.g. 2025-03-15 gives 2025-03-01.</summary>
    public static DateOnly MonthOf(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>
    /// The months from the month of <paramref name="from"/> to the month of <paramref name="to"/>, inclusive, as
    /// <c>yyyy-MM</c> (2025-04-10 to 2025-06-02 gives 2025-04, 2025-05, 2025-06); empty when <paramref name="to"/> is before.
    /// </summary>
    public static IReadOnlyList<string> MonthsBetween(DateOnly from, DateOnly to)
    {
        var months = new List<string>();
        for (var m = MonthOf(from); m <= MonthOf(to); m = m.AddMonths(1))
            months.Add(FormatMonth(m));
        return months;
    }

    /// <summary>Formats a month as <c>yyyy-MM</c>.</summary>
    public static string FormatMonth(DateOnly date) => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
