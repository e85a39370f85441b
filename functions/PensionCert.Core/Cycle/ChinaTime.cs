namespace PensionCert.Core.Cycle;

/// <summary>
/// China Standard Time (CST, UTC+08:00) calendar dates. Business dates in PensionCert (certification dates,
/// validity ends, birth-date checks) are China calendar dates; instants are stored and scheduled in UTC.
/// </summary>
/// <remarks>
/// A fixed offset is used rather than the <c>Asia/Shanghai</c> time zone: China has observed no daylight saving
/// time since 1991, so the offset is exact for every instant this service handles, and it does not depend on the
/// host's time zone database. (Instants during the 1986-1991 summers would be one hour off; none occur here.)
/// </remarks>
public static class ChinaTime
{
    /// <summary>The offset of China Standard Time from UTC: +08:00.</summary>
    public static readonly TimeSpan UtcOffset = TimeSpan.FromHours(8);

    /// <summary>The China calendar date on which <paramref name="instant"/> falls (any offset is accepted).</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="instant"/> is within eight hours of <see cref="DateTimeOffset.MaxValue"/> (UTC).
    /// </exception>
    public static DateOnly ToChinaDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(instant.ToOffset(UtcOffset).DateTime);

    /// <summary>Today's China calendar date according to <paramref name="timeProvider"/>'s UTC clock.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is null.</exception>
    public static DateOnly Today(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return ToChinaDate(timeProvider.GetUtcNow());
    }

    /// <summary>
    /// Midnight at the start of <paramref name="chinaDate"/> in China, with offset +08:00
    /// (e.g. 2025-01-01 gives 2025-01-01T00:00:00+08:00, which is 2024-12-31T16:00:00Z).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chinaDate"/> is <see cref="DateOnly.MinValue"/> (its start is before the earliest UTC instant).</exception>
    public static DateTimeOffset StartOfDay(DateOnly chinaDate) =>
        new(chinaDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), UtcOffset);
}
