using PensionCert.Core.Cycle;

namespace PensionCert.Core.Tests.Cycle;

public sealed class EligibilityRulesTests
{
    private static readonly DateOnly ValidUntil = new(2025, 3, 15);

    [Fact]
    public void DueSoonDays_Always_IsThirty()
    {
        Assert.Equal(30, EligibilityRules.DueSoonDays);
    }

    [Theory]
    [InlineData(-365, EligibilityState.Valid)]
    [InlineData(-31, EligibilityState.Valid)]
    [InlineData(-30, EligibilityState.DueSoon)]
    [InlineData(-29, EligibilityState.DueSoon)]
    [InlineData(-1, EligibilityState.DueSoon)]
    [InlineData(0, EligibilityState.DueSoon)]
    [InlineData(1, EligibilityState.Overdue)]
    [InlineData(400, EligibilityState.Overdue)]
    public void StateOn_DaysRelativeToValidUntil_ReturnsState(int offsetDays, EligibilityState expected)
    {
        Assert.Equal(expected, EligibilityRules.StateOn(ValidUntil.AddDays(offsetDays), ValidUntil, suspended: false));
    }

    [Fact]
    public void StateOn_DueSoonBoundary_IsThirtyDaysBeforeValidUntil()
    {
        Assert.Equal(EligibilityState.Valid, EligibilityRules.StateOn(new DateOnly(2025, 2, 12), ValidUntil, false));
        Assert.Equal(EligibilityState.DueSoon, EligibilityRules.StateOn(new DateOnly(2025, 2, 13), ValidUntil, false));
    }

    [Fact]
    public void StateOn_ValidUntilDay_IsNotOverdue()
    {
        Assert.NotEqual(EligibilityState.Overdue, EligibilityRules.StateOn(ValidUntil, ValidUntil, false));
        Assert.Equal(EligibilityState.Overdue, EligibilityRules.StateOn(new DateOnly(2025, 3, 16), ValidUntil, false));
    }

    [Fact]
    public void StateOn_NeverCertified_ReturnsNeverCertified()
    {
        Assert.Equal(EligibilityState.NeverCertified, EligibilityRules.StateOn(new DateOnly(2025, 1, 1), null, suspended: false));
    }

    [Theory]
    [InlineData(-100)]
    [InlineData(0)]
    [InlineData(100)]
    public void StateOn_Suspended_ReturnsSuspendedWhateverTheDates(int offsetDays)
    {
        var today = ValidUntil.AddDays(offsetDays);

        Assert.Equal(EligibilityState.Suspended, EligibilityRules.StateOn(today, ValidUntil, suspended: true));
        Assert.Equal(EligibilityState.Suspended, EligibilityRules.StateOn(today, null, suspended: true));
    }

    [Fact]
    public void StateOn_ValidUntilNearMinValue_DoesNotOverflow()
    {
        Assert.Equal(EligibilityState.DueSoon, EligibilityRules.StateOn(DateOnly.MinValue, DateOnly.MinValue.AddDays(5), false));
    }

    [Fact]
    public void StateOn_CertifiedOnLeapDay_DueSoonFrom29JanuaryNextYear()
    {
        var validUntil = CertificationCalendar.ValidUntil(new DateOnly(2024, 2, 29));

        Assert.Equal(new DateOnly(2025, 2, 28), validUntil);
        Assert.Equal(EligibilityState.Valid, EligibilityRules.StateOn(new DateOnly(2025, 1, 28), validUntil, false));
        Assert.Equal(EligibilityState.DueSoon, EligibilityRules.StateOn(new DateOnly(2025, 1, 29), validUntil, false));
        Assert.Equal(EligibilityState.DueSoon, EligibilityRules.StateOn(new DateOnly(2025, 2, 28), validUntil, false));
        Assert.Equal(EligibilityState.Overdue, EligibilityRules.StateOn(new DateOnly(2025, 3, 1), validUntil, false));
    }
}
