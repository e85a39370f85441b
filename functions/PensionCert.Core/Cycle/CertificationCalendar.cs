namespace PensionCert.Core.Cycle;

/// <summary>
/// The annual certification cycle (领取待遇资格认证): a pensioner certified on a China calendar date stays
/// certified until the same calendar date one year later.
/// </summary>
/// <remarks>
/// The one-year cycle and the 29 February rule below are PensionCert business rules, shared by every caller;
/// they are not taken from a national standard. All dates are China Standard Time calendar dates
/// (see <see cref="ChinaTime"/>).
/// </remarks>
public static class CertificationCalendar
{
    /// <summary>
    /// The last China calendar date on which a certification made on <paramref name="certifiedOn"/> is valid:
    /// the same month and day in the next year, inclusive (2024-03-15 gives 2025-03-15). A certification on
    /// 29 February is valid until 28 February of the next year (2024-02-29 gives 2025-02-28), the one rule for
    /// the day that does not exist in the next year.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="certifiedOn"/> is in the year 9999.</exception>
    public static DateOnly ValidUntil(DateOnly certifiedOn)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(certifiedOn.Year, DateOnly.MaxValue.Year, nameof(certifiedOn));
        var day = certifiedOn is { Month: 2, Day: 29 } ? 28 : certifiedOn.Day;
        return new DateOnly(certifiedOn.Year + 1, certifiedOn.Month, day);
    }
}
