using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Cycle;

namespace PensionCert.Core.Tests.Cycle;

public sealed class ChinaTimeTests
{
    [Fact]
    public void UtcOffset_Always_IsEightHours()
    {
        Assert.Equal(TimeSpan.FromHours(8), ChinaTime.UtcOffset);
    }

    [Fact]
    public void ToChinaDate_NewYearsEve2330China_Is1530UtcSameDay()
    {
        var china = new DateTimeOffset(2024, 12, 31, 23, 30, 0, TimeSpan.FromHours(8));

        Assert.Equal(new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero), china.ToUniversalTime());
        Assert.Equal(new DateOnly(2024, 12, 31), ChinaTime.ToChinaDate(china));
        Assert.Equal(new DateOnly(2024, 12, 31), ChinaTime.ToChinaDate(new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ToChinaDate_JustAfter1600Utc_IsNextChinaDay()
    {
        var instant = new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero).AddTicks(1);

        Assert.Equal(new DateOnly(2025, 1, 1), ChinaTime.ToChinaDate(instant));
    }

    [Fact]
    public void ToChinaDate_Exactly1600Utc_IsNextChinaDay()
    {
        Assert.Equal(new DateOnly(2025, 1, 1), ChinaTime.ToChinaDate(new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ToChinaDate_JustBefore1600Utc_IsSameChinaDay()
    {
        var instant = new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero).AddTicks(-1);

        Assert.Equal(new DateOnly(2024, 12, 31), ChinaTime.ToChinaDate(instant));
    }

    [Fact]
    public void ToChinaDate_OtherOffset_UsesTheInstantNotTheLocalDate()
    {
        // 2025-03-01 10:00 in New York (-05:00) is 15:00 UTC, 23:00 in China: still 1 March.
        Assert.Equal(new DateOnly(2025, 3, 1), ChinaTime.ToChinaDate(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(-5))));
        // 2025-03-01 11:30 in New York is 16:30 UTC, 00:30 on 2 March in China.
        Assert.Equal(new DateOnly(2025, 3, 2), ChinaTime.ToChinaDate(new DateTimeOffset(2025, 3, 1, 11, 30, 0, TimeSpan.FromHours(-5))));
    }

    [Fact]
    public void Today_FakeClockAt1530Utc_ReturnsSameChinaDate()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2024, 12, 31), ChinaTime.Today(clock));
    }

    [Fact]
    public void Today_FakeClockAdvancedPast1600Utc_ReturnsNextChinaDate()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 12, 31, 15, 59, 59, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2024, 12, 31), ChinaTime.Today(clock));

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(new DateOnly(2025, 1, 1), ChinaTime.Today(clock));
    }

    [Fact]
    public void Today_NullProvider_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => ChinaTime.Today(null!));

        Assert.Equal("timeProvider", exception.ParamName);
    }

    [Fact]
    public void StartOfDay_NewYearsDay_IsMidnightChinaAnd1600UtcPreviousDay()
    {
        var start = ChinaTime.StartOfDay(new DateOnly(2025, 1, 1));

        Assert.Equal(TimeSpan.FromHours(8), start.Offset);
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, 0), start.DateTime);
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero), start.ToUniversalTime());
    }

    [Fact]
    public void StartOfDay_RoundTrip_ReturnsSameChinaDateAndPreviousDayOneTickEarlier()
    {
        var date = new DateOnly(2028, 2, 29);
        var start = ChinaTime.StartOfDay(date);

        Assert.Equal(date, ChinaTime.ToChinaDate(start));
        Assert.Equal(new DateOnly(2028, 2, 28), ChinaTime.ToChinaDate(start.AddTicks(-1)));
    }
}
