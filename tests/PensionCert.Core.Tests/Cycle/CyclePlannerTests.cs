using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests.Cycle;

public sealed class CyclePlannerTests
{
    private static readonly DateOnly ValidUntil = new(2025, 3, 15);
    private static readonly CyclePolicy Default = CyclePolicy.Defaults;
    private static readonly CyclePolicy AutoSuspend = new CyclePolicyOptions { Default = new CyclePolicySettings { AutoSuspend = true } }.For("110101");

    internal static PensionerProfile Profile(DateOnly? validUntil, PensionerStanding standing = PensionerStanding.Active, params string[] holds) => new()
    {
        PensionerId = "p" + new string('0', 32),
        IdNumberHash = "hash",
        MaskedIdNumber = "110101********0000",
        Name = "测试",
        RegionCode = "110101",
        ReferenceVersion = 1,
        ReferenceBlobName = "x/1",
        ReferenceEmbedding = FaceEmbedding.FromRaw([1f, 0f, 0f]),
        EnrolledAt = DateTimeOffset.UnixEpoch,
        LastCertifiedAt = validUntil is null ? null : new DateTimeOffset(2024, 3, 15, 2, 0, 0, TimeSpan.Zero),
        ValidUntil = validUntil,
        Standing = standing,
        OpenHolds = holds,
        ETag = "etag",
    };

    [Theory]
    [InlineData("2025-02-12", null)]
    [InlineData("2025-02-13", 30)]
    [InlineData("2025-03-07", 30)]
    [InlineData("2025-03-08", 7)]
    [InlineData("2025-03-14", 1)]
    [InlineData("2025-03-15", 1)]
    public void DueEffect_BeforeValidUntil_IsLatestReminderReached(string asOf, int? expectedDays)
    {
        var effect = CyclePlanner.DueEffect(Profile(ValidUntil), Default, DateOnly.Parse(asOf, System.Globalization.CultureInfo.InvariantCulture));
        if (expectedDays is null)
        {
            Assert.Null(effect);
            return;
        }
        Assert.Equal(CycleEffectKind.Reminder, effect!.Kind);
        Assert.Equal(expectedDays, effect.DaysBefore);
        Assert.Equal(ValidUntil.AddDays(-expectedDays.Value), effect.DueOn);
    }

    [Fact]
    public void DueEffect_DayAfterValidUntil_IsOverdue()
    {
        var effect = CyclePlanner.DueEffect(Profile(ValidUntil), Default, new DateOnly(2025, 3, 16));
        Assert.Equal(new CycleEffect(CycleEffectKind.Overdue, new DateOnly(2025, 3, 16)), effect);
    }

    [Fact]
    public void DueEffect_UnderInvestigationWithoutAutoSuspend_IsNothingEver()
    {
        var profile = Profile(ValidUntil, PensionerStanding.UnderInvestigation);
        Assert.Null(CyclePlanner.DueEffect(profile, Default, new DateOnly(2026, 1, 1)));
        Assert.Null(CyclePlanner.NextActionOn(profile, Default, new DateOnly(2025, 3, 16)));
    }

    [Fact]
    public void DueEffect_AutoSuspend_AfterGracePeriodOnly()
    {
        var profile = Profile(ValidUntil, PensionerStanding.UnderInvestigation);
        var suspendOn = new DateOnly(2025, 5, 15); // 2025-03-16 + 60 days
        Assert.Equal(suspendOn, CyclePlanner.AutoSuspendOn(ValidUntil, AutoSuspend));
        Assert.Null(CyclePlanner.DueEffect(profile, AutoSuspend, suspendOn.AddDays(-1)));
        Assert.Equal(new CycleEffect(CycleEffectKind.AutoSuspend, suspendOn), CyclePlanner.DueEffect(profile, AutoSuspend, suspendOn));
        Assert.Equal(suspendOn, CyclePlanner.NextActionOn(profile, AutoSuspend, new DateOnly(2025, 3, 16)));
    }

    [Fact]
    public void DueEffect_AutoSuspendWithOpenHold_IsHeldAndRecheckedDaily()
    {
        var profile = Profile(ValidUntil, PensionerStanding.UnderInvestigation, "home-visit");
        var suspendOn = new DateOnly(2025, 5, 15);
        Assert.Null(CyclePlanner.DueEffect(profile, AutoSuspend, suspendOn.AddDays(3)));
        Assert.Equal(suspendOn.AddDays(4), CyclePlanner.NextActionOn(profile, AutoSuspend, suspendOn.AddDays(3)));
    }

    [Fact]
    public void DueEffect_ActiveOverdue_IsInvestigationFirstEvenWhenGraceHasPassed()
    {
        // A pensioner never scanned since long before: the overdue notice (and investigation) comes before any suspension.
        var effect = CyclePlanner.DueEffect(Profile(ValidUntil), AutoSuspend, new DateOnly(2025, 9, 1));
        Assert.Equal(CycleEffectKind.Overdue, effect!.Kind);
    }

    [Theory]
    [InlineData(PensionerStanding.Suspended)]
    [InlineData(PensionerStanding.Deceased)]
    [InlineData(PensionerStanding.Transferred)]
    public void Plan_StoppedStandings_HaveNoEffectsAndNoNextAction(PensionerStanding standing)
    {
        var profile = Profile(ValidUntil, standing);
        Assert.Null(CyclePlanner.DueEffect(profile, AutoSuspend, new DateOnly(2025, 3, 8)));
        Assert.Null(CyclePlanner.NextActionOn(profile, AutoSuspend, new DateOnly(2025, 3, 8)));
    }

    [Fact]
    public void NextActionOn_Active_WalksRemindersThenOverdue()
    {
        var profile = Profile(ValidUntil);
        var dates = new List<DateOnly>();
        var after = new DateOnly(2024, 6, 1);
        for (var i = 0; i < 4; i++)
        {
            var next = CyclePlanner.NextActionOn(profile, Default, after)!.Value;
            dates.Add(next);
            after = next;
        }
        Assert.Equal([new DateOnly(2025, 2, 13), new DateOnly(2025, 3, 8), new DateOnly(2025, 3, 14), new DateOnly(2025, 3, 16)], dates);
    }

    [Fact]
    public void EligibilityRules_Standings_OverrideDates()
    {
        Assert.Equal(EligibilityState.UnderInvestigation, EligibilityRules.StateOn(new DateOnly(2024, 6, 1), PensionerStanding.UnderInvestigation, null, ValidUntil, 30));
        Assert.Equal(EligibilityState.Deceased, EligibilityRules.StateOn(new DateOnly(2024, 6, 1), PensionerStanding.Deceased, null, ValidUntil, 30));
        Assert.Equal(EligibilityState.Transferred, EligibilityRules.StateOn(new DateOnly(2024, 6, 1), PensionerStanding.Transferred, null, ValidUntil, 30));
        // Never certified with a first due date: NeverCertified until the DueSoon window, then DueSoon and Overdue.
        Assert.Equal(EligibilityState.NeverCertified, EligibilityRules.StateOn(new DateOnly(2024, 6, 1), PensionerStanding.Active, null, ValidUntil, 30));
        Assert.Equal(EligibilityState.DueSoon, EligibilityRules.StateOn(new DateOnly(2025, 3, 1), PensionerStanding.Active, null, ValidUntil, 30));
        Assert.Equal(EligibilityState.Overdue, EligibilityRules.StateOn(new DateOnly(2025, 3, 16), PensionerStanding.Active, null, ValidUntil, 30));
        Assert.Equal(EligibilityState.Valid, EligibilityRules.StateOn(new DateOnly(2024, 6, 1), PensionerStanding.Active, new DateOnly(2024, 3, 15), ValidUntil, 30));
    }
}
