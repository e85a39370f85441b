using PensionCert.Core.Cycle;

namespace PensionCert.Core.Tests.Cycle;

public sealed class CertificationCalendarTests
{
    [Theory]
    [InlineData(2024, 3, 15, 2025, 3, 15)]
    [InlineData(2024, 2, 29, 2025, 2, 28)]
    [InlineData(2024, 2, 28, 2025, 2, 28)]
    [InlineData(2027, 2, 28, 2028, 2, 28)]
    [InlineData(2027, 3, 1, 2028, 3, 1)]
    [InlineData(2024, 12, 31, 2025, 12, 31)]
    [InlineData(2025, 1, 1, 2026, 1, 1)]
    public void ValidUntil_KnownDates_ReturnsSameDayNextYear(int y, int m, int d, int ey, int em, int ed)
    {
        Assert.Equal(new DateOnly(ey, em, ed), CertificationCalendar.ValidUntil(new DateOnly(y, m, d)));
    }

    [Fact]
    public void ValidUntil_EveryDay2023To2029_IsSameMonthAndDayNextYearAndNonDecreasing()
    {
        var previous = (DateOnly?)null;
        var collapses = 0;
        var days = 0;
        for (var day = new DateOnly(2023, 1, 1); day <= new DateOnly(2029, 12, 31); day = day.AddDays(1))
        {
            var validUntil = CertificationCalendar.ValidUntil(day);
            var isLeapDay = day is { Month: 2, Day: 29 };

            Assert.Equal(day.Year + 1, validUntil.Year);
            Assert.Equal(day.Month, validUntil.Month);
            Assert.Equal(isLeapDay ? 28 : day.Day, validUntil.Day);
            if (previous is { } before)
            {
                Assert.True(validUntil >= before, $"{day:yyyy-MM-dd}");
                if (validUntil == before)
                {
                    Assert.True(isLeapDay, $"{day:yyyy-MM-dd}");
                    collapses++;
                }
                else
                {
                    Assert.True(validUntil > before, $"{day:yyyy-MM-dd}");
                }
            }
            previous = validUntil;
            days++;
        }

        Assert.Equal(7 * 365 + 2, days);
        Assert.Equal(2, collapses); // 2024-02-29 and 2028-02-29 share 28 February with the day before.
    }

    [Fact]
    public void ValidUntil_Year9999_ThrowsArgumentOutOfRange()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => CertificationCalendar.ValidUntil(new DateOnly(9999, 1, 1)));

        Assert.Equal("certifiedOn", exception.ParamName);
    }
}
