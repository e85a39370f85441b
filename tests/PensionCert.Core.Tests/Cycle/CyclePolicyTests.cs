using PensionCert.Core.Cycle;

namespace PensionCert.Core.Tests.Cycle;

public sealed class CyclePolicyTests
{
    [Fact]
    public void Defaults_Always_AreRollingThirtySevenOneNoAutoSuspendSixtyDaysBackPay()
    {
        var policy = new CyclePolicyOptions().For("110101");
        Assert.Equal(CycleWindow.Rolling, policy.Window);
        Assert.Equal([30, 7, 1], policy.ReminderDaysBefore);
        Assert.False(policy.AutoSuspend);
        Assert.Equal(60, policy.GraceDays);
        Assert.True(policy.BackPay);
        Assert.Equal(30, policy.DueSoonDays);
        Assert.True(policy.Trusts("medical-insurance"));
        Assert.True(policy.Trusts(" Bank "));
        Assert.False(policy.Trusts("unknown-agency"));
        Assert.False(policy.Trusts(null));
    }

    [Fact]
    public void For_RegionOverrides_LongestPrefixWinsAndUnsetMembersFallBack()
    {
        var options = new CyclePolicyOptions
        {
            Default = new CyclePolicySettings { GraceDays = 90 },
            Regions =
            {
                ["44"] = new CyclePolicySettings { AutoSuspend = true },
                ["4403"] = new CyclePolicySettings { Window = CycleWindow.CalendarYear, BackPay = false },
            },
        };
        var shenzhen = options.For("440305");
        Assert.Equal(CycleWindow.CalendarYear, shenzhen.Window);
        Assert.False(shenzhen.BackPay);
        Assert.False(shenzhen.AutoSuspend); // the 4403 override wins over 44 and leaves AutoSuspend unset → Default → false
        Assert.Equal(90, shenzhen.GraceDays);

        var guangzhou = options.For("440106");
        Assert.True(guangzhou.AutoSuspend);
        Assert.Equal(CycleWindow.Rolling, guangzhou.Window);

        Assert.False(options.For("110101").AutoSuspend);
    }

    [Fact]
    public void For_ReminderDays_AreSortedLargestFirstAndDeduplicated()
    {
        var options = new CyclePolicyOptions { Default = new CyclePolicySettings { ReminderDaysBefore = [3, 14, 14, 60] } };
        var policy = options.For("110101");
        Assert.Equal([60, 14, 3], policy.ReminderDaysBefore);
        Assert.Equal(60, policy.DueSoonDays);
    }

    [Fact]
    public void Validator_BadSettings_NameTheSetting()
    {
        var options = new CyclePolicyOptions
        {
            Default = new CyclePolicySettings { GraceDays = 0 },
            Regions = { ["4"] = new CyclePolicySettings { ReminderDaysBefore = [] } },
        };
        var result = new CyclePolicyOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("PensionCert:Cycle:Default:GraceDays", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("PensionCert:Cycle:Regions:4", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("ReminderDaysBefore", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_Defaults_Succeed()
    {
        Assert.True(new CyclePolicyOptionsValidator().Validate(null, new CyclePolicyOptions()).Succeeded);
    }
}

public sealed class CycleCalendarTests
{
    [Theory]
    [InlineData("2024-03-15", "2025-03-15")]
    [InlineData("2024-02-29", "2025-02-28")]
    [InlineData("2024-12-31", "2025-12-31")]
    public void ValidUntil_Rolling_IsTheSharedRule(string certified, string expected)
    {
        var on = DateOnly.Parse(certified, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(CertificationCalendar.ValidUntil(on), CycleCalendar.ValidUntil(CycleWindow.Rolling, on, 5));
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CycleCalendar.ValidUntil(CycleWindow.Rolling, on, 5));
    }

    [Fact]
    public void ValidUntil_CalendarYear_IsThirtyFirstDecemberNextYear()
    {
        Assert.Equal(new DateOnly(2025, 12, 31), CycleCalendar.ValidUntil(CycleWindow.CalendarYear, new DateOnly(2024, 1, 1), null));
        Assert.Equal(new DateOnly(2025, 12, 31), CycleCalendar.ValidUntil(CycleWindow.CalendarYear, new DateOnly(2024, 12, 31), null));
    }

    [Fact]
    public void ValidUntil_BirthdayMonth_IsLastDayOfBirthMonthNextYear()
    {
        Assert.Equal(new DateOnly(2025, 11, 30), CycleCalendar.ValidUntil(CycleWindow.BirthdayMonth, new DateOnly(2024, 3, 15), 11));
        Assert.Equal(new DateOnly(2025, 2, 28), CycleCalendar.ValidUntil(CycleWindow.BirthdayMonth, new DateOnly(2024, 2, 29), 2));
        Assert.Equal(new DateOnly(2028, 2, 29), CycleCalendar.ValidUntil(CycleWindow.BirthdayMonth, new DateOnly(2027, 6, 1), 2));
        // Unknown birth month: rolling.
        Assert.Equal(new DateOnly(2025, 3, 15), CycleCalendar.ValidUntil(CycleWindow.BirthdayMonth, new DateOnly(2024, 3, 15), null));
    }

    [Fact]
    public void MonthsBetween_SpansYearEndInclusive()
    {
        Assert.Equal(["2024-11", "2024-12", "2025-01"], CycleCalendar.MonthsBetween(new DateOnly(2024, 11, 30), new DateOnly(2025, 1, 2)));
        Assert.Equal(["2025-04"], CycleCalendar.MonthsBetween(new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 30)));
        Assert.Empty(CycleCalendar.MonthsBetween(new DateOnly(2025, 5, 1), new DateOnly(2025, 4, 30)));
    }
}
