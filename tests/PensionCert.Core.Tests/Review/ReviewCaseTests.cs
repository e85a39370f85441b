using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Review;

namespace PensionCert.Core.Tests.Review;

/// <summary>The review case's transitions: claims are leases, decisions need the claim, nobody decides their own case.</summary>
public sealed class ReviewCaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(30);
    private static readonly IReadOnlySet<string> Nobody = new HashSet<string>();

    private static ReviewCase Open(string reason = ReviewReasons.CertificationNeedsReview, string? submittedBy = null) => new()
    {
        CaseId = "110105-c" + new string('a', 32), RegionCode = "110105", PensionerId = "p" + new string('b', 32), Reason = reason,
        Day = new DateOnly(2026, 3, 2), OpenedAt = Now.AddHours(-1), SubmittedBy = submittedBy,
    };

    private static OperatorPrincipal Op(string subject, OperatorRole role = OperatorRole.Reviewer, string region = "110105") => new(subject, role, [region]);

    private static string Code(Action action) => Assert.Throws<ProblemException>(action).Problem.Code;

    [Fact]
    public void Claim_HeldByAnother_ReviewCaseClaimed_UntilTheLeaseExpires()
    {
        var claimed = Open().Claim(Op("a"), Nobody, Now, Lease);

        Assert.Equal("review-case-claimed", Code(() => claimed.Claim(Op("b"), Nobody, Now.AddMinutes(29), Lease)));
        var takenOver = claimed.Claim(Op("b"), Nobody, Now.AddMinutes(31), Lease);
        Assert.Equal("b", takenOver.ActiveClaimant(Now.AddMinutes(31)));
        Assert.Null(takenOver.ActiveClaimant(Now.AddMinutes(62)));
    }

    [Fact]
    public void Decide_WithoutOrAfterTheClaim_ReviewClaimRequired()
    {
        var approve = new ReviewDecision(ReviewCaseState.Approved, null, null, null);
        Assert.Equal("review-claim-required", Code(() => Open().Decide(Op("a"), Nobody, approve, Now)));
        var claimed = Open().Claim(Op("a"), Nobody, Now, Lease);
        Assert.Equal("review-claim-required", Code(() => claimed.Decide(Op("a"), Nobody, approve, Now.AddMinutes(31))));

        var decided = claimed.Decide(Op("a"), Nobody, approve, Now.AddMinutes(5));
        Assert.Equal(ReviewCaseState.Approved, decided.State);
        Assert.Equal("a", decided.DecidedBy);
        Assert.False(decided.EffectsApplied);
        Assert.Equal("review-case-closed", Code(() => decided.Claim(Op("b"), Nobody, Now.AddMinutes(6), Lease)));
    }

    [Fact]
    public void Decide_RejectNeedsAListedReason_SendOfflineAChannel_DailyCaseCannotBeApproved()
    {
        var claimed = Open().Claim(Op("a"), Nobody, Now, Lease);
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.Rejected, "looks-odd", null, null), Now)));
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.SentOffline, null, "post-office", null), Now)));
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.Rejected, RejectionReasons.PoorPhoto, null, new string('x', 501)), Now)));
        var daily = Open(ReviewReasons.DailyAttemptsExhausted).Claim(Op("a"), Nobody, Now, Lease);
        Assert.Equal("invalid-review-decision", Code(() => daily.Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.Approved, null, null, null), Now)));

        var offline = claimed.Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.SentOffline, null, OfflineChannels.HomeVisit, " 卧床 "), Now);
        Assert.Equal(OfflineChannels.HomeVisit, offline.OfflineChannel);
        Assert.Equal("卧床", offline.Note);
    }

    [Fact]
    public void ClaimOrDecide_OwnSubmissionOrChangedReference_ConflictOfInterest()
    {
        Assert.Equal("review-conflict-of-interest", Code(() => Open(submittedBy: "clerk-1").Claim(Op("clerk-1", OperatorRole.Admin), Nobody, Now, Lease)));
        Assert.Equal("review-conflict-of-interest", Code(() => Open().Claim(Op("a"), new HashSet<string> { "a" }, Now, Lease)));
        var claimed = Open().Claim(Op("a"), Nobody, Now, Lease);
        // The reviewer changed the reference after claiming: the decision is refused too.
        Assert.Equal("review-conflict-of-interest", Code(() => claimed.Decide(Op("a"), new HashSet<string> { "a" }, new ReviewDecision(ReviewCaseState.Approved, null, null, null), Now)));
    }

    [Fact]
    public void StatusReversal_OnlyAnotherAdmin_AndNeverOffline()
    {
        var reversal = Open(ReviewReasons.StatusReversal, submittedBy: "admin-a");
        Assert.Equal("role-not-allowed", Code(() => reversal.Claim(Op("reviewer-1"), Nobody, Now, Lease)));
        Assert.Equal("review-conflict-of-interest", Code(() => reversal.Claim(Op("admin-a", OperatorRole.Admin), Nobody, Now, Lease)));
        var claimed = reversal.Claim(Op("admin-b", OperatorRole.Admin), Nobody, Now, Lease);
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.SentOffline, null, OfflineChannels.Counter, null), Now)));
        Assert.Equal(ReviewCaseState.Approved, claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.Approved, null, null, null), Now).State);
    }

    [Fact]
    public void InvestigationCertified_OnlyAnotherAdmin_AndNeverOffline()
    {
        var document = Open(ReviewReasons.InvestigationCertified, submittedBy: "reviewer-solo");
        Assert.Equal("role-not-allowed", Code(() => document.Claim(Op("reviewer-solo"), Nobody, Now, Lease)));
        Assert.Equal("role-not-allowed", Code(() => document.Claim(Op("reviewer-friend"), Nobody, Now, Lease)));
        Assert.Equal("review-conflict-of-interest", Code(() => Open(ReviewReasons.InvestigationCertified, submittedBy: "admin-a").Claim(Op("admin-a", OperatorRole.Admin), Nobody, Now, Lease)));
        var claimed = document.Claim(Op("admin-b", OperatorRole.Admin), Nobody, Now, Lease);
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.SentOffline, null, OfflineChannels.HomeVisit, null), Now)));
        Assert.Equal(ReviewCaseState.Approved, claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.Approved, null, null, null), Now).State);
        var id = ReviewCase.IdForInvestigationCertified("110105", "p" + new string('b', 32), new DateOnly(2026, 3, 2));
        Assert.Equal("110105-hp" + new string('b', 32) + "20260302", id);
        Assert.True(ReviewCase.IsWellFormedId(id));
    }

    [Theory]
    [InlineData("HV-2026-000123", true)]
    [InlineData("  HV-2026-000123  ", true)]
    [InlineData("京人社核〔2026〕0123号", true)]
    [InlineData("上门核查记录 2026 第0311号", true)]
    [InlineData("XX", false)]
    [InlineData("ok", false)]
    [InlineData("HV-12", false)]
    [InlineData("HV-123", false)]
    [InlineData("现场核实无误无误", false)]
    [InlineData("HV-2026-<b>01</b>", false)]
    [InlineData("HV\n2026\n0001", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void DocumentReference_IsAFileNumber_SixToSixtyFourCharactersWithFourDigits(string? reference, bool wellFormed)
    {
        Assert.Equal(wellFormed, InvestigationEvidence.IsWellFormedDocumentReference(reference));
        Assert.False(InvestigationEvidence.IsWellFormedDocumentReference("A" + new string('1', 64)));
        Assert.True(InvestigationEvidence.IsWellFormedDocumentReference("A" + new string('1', 63)));
    }

    [Fact]
    public void DeathReport_OnlyAnotherAdmin_AndNeverOffline()
    {
        var report = Open(ReviewReasons.DeathReport, submittedBy: "clerk-a");
        Assert.Equal("role-not-allowed", Code(() => report.Claim(Op("reviewer-1"), Nobody, Now, Lease)));
        Assert.Equal("review-conflict-of-interest", Code(() => Open(ReviewReasons.DeathReport, submittedBy: "admin-a").Claim(Op("admin-a", OperatorRole.Admin), Nobody, Now, Lease)));
        var claimed = report.Claim(Op("admin-b", OperatorRole.Admin), Nobody, Now, Lease);
        Assert.Equal("invalid-review-decision", Code(() => claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.SentOffline, null, OfflineChannels.HomeVisit, null), Now)));
        var rejected = claimed.Decide(Op("admin-b", OperatorRole.Admin), Nobody, new ReviewDecision(ReviewCaseState.Rejected, RejectionReasons.RecordIncorrect, null, null), Now);
        Assert.Equal((ReviewCaseState.Rejected, "admin-b"), (rejected.State, rejected.DecidedBy));
        Assert.Equal("110105-kabc", ReviewCase.IdForDeathReport("110105", "abc"));
        Assert.True(ReviewCase.IsWellFormedId(ReviewCase.IdForDeathReport("110105", Guid.NewGuid().ToString("N"))));
    }

    [Fact]
    public void Claim_RegionNotServed_Forbidden()
    {
        Assert.Equal("region-not-served", Code(() => Open().Claim(Op("a", region: "310101"), Nobody, Now, Lease)));
        Assert.Equal("a", Open().Claim(Op("a", region: "110000"), Nobody, Now, Lease).ClaimedBy);
    }

    [Theory]
    [InlineData(ReviewReasons.DeathReport, true)]
    [InlineData(ReviewReasons.TransferReport, true)]
    [InlineData(ReviewReasons.ReferenceChange, true)]
    [InlineData(ReviewReasons.InvestigationCertified, true)]
    [InlineData(ReviewReasons.CertificationNeedsReview, false)]
    [InlineData(ReviewReasons.StatusReversal, false)]
    [InlineData(ReviewReasons.DailyAttemptsExhausted, false)]
    public void Lapse_OnlyOperatorRequests_ExpireDecidedBySystem_ClaimCleared(string reason, bool lapses)
    {
        var claimed = Open(reason, submittedBy: "clerk-a") with { ClaimedBy = "admin-gone", ClaimExpiresAt = Now.AddMinutes(-1) };

        var after = claimed.Lapse(Now);

        Assert.Equal(lapses ? ReviewCaseState.Expired : ReviewCaseState.Open, after.State);
        Assert.Equal(lapses ? "system" : null, after.DecidedBy);
        Assert.Equal(lapses ? null : "admin-gone", after.ClaimedBy);
        Assert.False(lapses && after.EffectsApplied);
    }

    [Fact]
    public void Escalation_DueEveryPeriodWhileOpen_Counted_NeverAfterTheDecision()
    {
        var every = TimeSpan.FromDays(3);
        var reviewCase = Open() with { OpenedAt = Now.AddDays(-2) };
        Assert.False(reviewCase.EscalationDue(Now, every));
        reviewCase = reviewCase with { OpenedAt = Now.AddDays(-3) };
        Assert.True(reviewCase.EscalationDue(Now, every));
        var first = reviewCase.Escalate(Now);
        Assert.Equal((1, Now), (first.Escalations, first.EscalatedAt!.Value));
        Assert.False(first.EscalationDue(Now.AddDays(3).AddTicks(-1), every));
        Assert.True(first.EscalationDue(Now.AddDays(3), every));
        Assert.Equal(2, first.Escalate(Now.AddDays(3)).Escalations);
        var decided = first.Claim(Op("a"), Nobody, Now, Lease).Decide(Op("a"), Nobody, new ReviewDecision(ReviewCaseState.Approved, null, null, null), Now);
        Assert.False(decided.EscalationDue(Now.AddDays(30), every));
        Assert.Equal(1, decided.Escalate(Now.AddDays(30)).Escalations);
    }

    [Theory]
    [InlineData(nameof(ReviewOptions.TransferReportLapseDays), 1)]
    [InlineData(nameof(ReviewOptions.TransferReportLapseDays), 366)]
    [InlineData(nameof(ReviewOptions.ReferenceChangeLapseDays), 1)]
    [InlineData(nameof(ReviewOptions.ReferenceChangeLapseDays), 366)]
    [InlineData(nameof(ReviewOptions.InvestigationCertifiedLapseDays), 1)]
    [InlineData(nameof(ReviewOptions.InvestigationCertifiedLapseDays), 366)]
    public void ReviewOptions_LapseDaysOutOfRange_Invalid(string property, int value)
    {
        var options = new ReviewOptions();
        typeof(ReviewOptions).GetProperty(property)!.SetValue(options, value);
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true));
        Assert.Contains(property, Assert.Single(errors).MemberNames);
        var defaults = new ReviewOptions();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(defaults, new(defaults), null, validateAllProperties: true));
        Assert.Equal(TimeSpan.FromDays(30), new ReviewOptions().RequestLapseAfter(ReviewReasons.ReferenceChange));
        Assert.Equal(TimeSpan.FromDays(30), new ReviewOptions().RequestLapseAfter(ReviewReasons.InvestigationCertified));
        Assert.Equal(TimeSpan.FromDays(12), new ReviewOptions { InvestigationCertifiedLapseDays = 12 }.RequestLapseAfter(ReviewReasons.InvestigationCertified));
        Assert.Null(new ReviewOptions().RequestLapseAfter(ReviewReasons.CertificationNeedsReview));
    }

    [Theory]
    [InlineData("110105-c0123456789abcdef0123456789abcdef", true)]
    [InlineData("110105-", false)]
    [InlineData("11010-abc", false)]
    [InlineData("110105-ABC", false)]
    [InlineData("{caseId}", false)]
    public void IsWellFormedId_OnlyRegionDashLowerCaseSuffix(string id, bool expected) => Assert.Equal(expected, ReviewCase.IsWellFormedId(id));
}
