using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Audit;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Operators;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>
/// Every review case has a way out: a transfer report, a reference change and a document-only certified outcome nobody decides lapse after their
/// configured days (30 by default) once no unexpired claim holds them, changing nothing on the pensioner, announced
/// (review.case-lapsed) and audited; a certification review that stays open keeps being reported
/// (review.case-aged again every EscalateAfterDays, with its count). The cases are aged by moving their stored
/// OpenedAt / EscalatedAt / ClaimExpiresAt into the past, as the death-report lapse test does, then the real sweep runs.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReviewLapseTests(LocalHostFixture host)
{
    private const string Region = "110114";
    private readonly FourEyesClient _client = new(host, Region);

    private IReviewCaseStore Cases => host.App.Services.GetRequiredService<IReviewCaseStore>();

    private ReviewService Review => host.App.Services.GetRequiredService<ReviewService>();

    [Fact]
    public async Task TransferReport_NobodyDecides_HeldOnlyByAnExpiredClaim_LapsesNotApplied_AnnouncedOnceAndAudited()
    {
        var pensionerId = await EnrollAsync(TestIdNumbers.New(Region), "clerk-transfer");
        await BackdateEnrolmentAsync(pensionerId);
        var before = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        using var reported = await _client.PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "transferred", effectiveOn = Day(-3) }, _client.Operator(OperatorRole.Clerk, "clerk-transfer"));
        var caseId = (await FourEyesClient.JsonAsync(reported, HttpStatusCode.Accepted)).GetProperty("reviewCaseId").GetString()!;

        // 31 days old (more than the 30 of TransferReportLapseDays), and an admin holds a claim that is still running.
        var stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        stored = await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-31), ClaimedBy = "admin-gone", ClaimExpiresAt = DateTimeOffset.UtcNow.AddMinutes(20) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        Assert.Equal(ReviewCaseState.Open, (await Cases.GetAsync(caseId, CancellationToken.None))!.State);

        // The admin walked away: the claim ran out, and the next sweep lets the case lapse.
        stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { ClaimExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);

        var lapsed = (await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Admin, "admin-audit"))).GetProperty("case");
        Assert.Equal("expired", lapsed.GetProperty("state").GetString());
        Assert.Equal("system", lapsed.GetProperty("decidedBy").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lapsed.GetProperty("claimedBy").ValueKind);
        // Nothing the report asked for happened: still active, no transfer, no payment change.
        var after = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Active, after.Standing);
        Assert.Null(after.EndedOn);
        Assert.Equal(before.ValidUntil, after.ValidUntil);
        var events = await EventsAsync(pensionerId);
        Assert.DoesNotContain(events, e => e.Type is EventTypes.PensionerTransferred or EventTypes.PaymentStopped or EventTypes.PaymentSuspended);
        var announced = Assert.Single(events, e => e.Type == EventTypes.ReviewCaseLapsed);
        Assert.Equal(caseId, announced.Data.ReviewCaseId);
        Assert.Equal(ReviewReasons.TransferReport, announced.Data.Reason);
        var audit = Assert.Single(await AuditAsync(pensionerId), a => a.Action == ReviewEffects.LapseAuditAction);
        Assert.Equal("system", audit.Actor);
        Assert.Contains(caseId, audit.Detail, StringComparison.Ordinal);

        // The way out leaves the door open: a new report opens a new case.
        using var again = await _client.PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "transferred", effectiveOn = Day(-3) }, _client.Operator(OperatorRole.Clerk, "clerk-transfer"));
        Assert.NotEqual(caseId, (await FourEyesClient.JsonAsync(again, HttpStatusCode.Accepted)).GetProperty("reviewCaseId").GetString());
    }

    [Fact]
    public async Task ReferenceChange_NobodyDecides_Lapses_CurrentReferenceStays_ReEnrolmentAcceptedAgain()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-reenrols");
        var pensionerId = await EnrollAsync(id, "clerk-reenrols");
        var before = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        using var held = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk);
        var caseId = (await FourEyesClient.JsonAsync(held, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString()!;
        var pendingBlob = (await Cases.GetAsync(caseId, CancellationToken.None))!.Subject!;
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk), HttpStatusCode.Conflict, "reference-change-pending");

        // 29 days: not yet (ReferenceChangeLapseDays is 30).
        var stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-29) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        Assert.Equal(ReviewCaseState.Open, (await Cases.GetAsync(caseId, CancellationToken.None))!.State);

        stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-31) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);

        var lapsed = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        Assert.Equal(ReviewCaseState.Expired, lapsed.State);
        Assert.Equal("system", lapsed.DecidedBy);
        Assert.True(lapsed.EffectsApplied);
        // The proposed photo was not adopted; it stays a pending blob beside the history, as a rejected one does.
        var after = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(before.ReferenceVersion, after.ReferenceVersion);
        Assert.Equal(before.ReferenceBlobName, after.ReferenceBlobName);
        Assert.True(after.ReferenceEmbedding.CosineSimilarity(before.ReferenceEmbedding) > 0.9999);
        Assert.True((await host.Storage.References.GetBlobClient(pendingBlob).ExistsAsync()).Value);
        var announced = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.ReviewCaseLapsed);
        Assert.Equal(ReviewReasons.ReferenceChange, announced.Data.Reason);
        Assert.Single(await AuditAsync(pensionerId), a => a.Action == ReviewEffects.LapseAuditAction);

        // Re-enrolment is no longer refused: the next attempt opens a new case for a second operator.
        using var again = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk);
        var next = (await FourEyesClient.JsonAsync(again, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString();
        Assert.NotEqual(caseId, next);
    }

    [Fact]
    public async Task InvestigationCertified_NobodyDecides_Lapses_YearNotRestarted_SuspensionGoesOn_AnnouncedAndAudited()
    {
        // A suspended pensioner (overdue, investigation, suspended by a reviewer) whose paper "seen alive" nobody confirms.
        var pensionerId = await EnrollAsync(TestIdNumbers.New(Region), "clerk-enrols");
        await BackdateEnrolmentAsync(pensionerId);
        var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        await _client.Pensioners.UpdateAsync(profile with { ValidUntil = ChinaTime.Today(TimeProvider.System).AddDays(-40) }, CancellationToken.None);
        var outcome = $"/api/pensioners/{pensionerId}/investigation";
        using (var suspend = await _client.PostAsync(outcome, new { outcome = "suspend" }, _client.Operator(OperatorRole.Reviewer, "reviewer-suspends")))
            Assert.Equal("Applied", (await FourEyesClient.JsonAsync(suspend, HttpStatusCode.OK)).GetProperty("result").GetString());
        using var recorded = await _client.PostAsync(outcome, new { outcome = "certified", documentReference = "HV-2026-004711" }, _client.Operator(OperatorRole.Admin, "admin-records"));
        var caseId = (await FourEyesClient.JsonAsync(recorded, HttpStatusCode.Accepted)).GetProperty("reviewCaseId").GetString()!;
        var before = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Suspended, before.Standing);

        // 29 days: reported aged, not lapsed (InvestigationCertifiedLapseDays is 30).
        var stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-29) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        Assert.Equal(ReviewCaseState.Open, (await Cases.GetAsync(caseId, CancellationToken.None))!.State);
        Assert.Contains(await EventsAsync(pensionerId), e => e.Type == EventTypes.ReviewCaseAged && e.Data.ReviewCaseId == caseId);

        stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-31) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);

        var lapsed = (await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Admin, "admin-audit"))).GetProperty("case");
        Assert.Equal("expired", lapsed.GetProperty("state").GetString());
        Assert.Equal("system", lapsed.GetProperty("decidedBy").GetString());
        Assert.True((await Cases.GetAsync(caseId, CancellationToken.None))!.EffectsApplied);
        // As if rejected: no year restarted, no payment resumed, still suspended with the same dates.
        var after = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Suspended, after.Standing);
        Assert.Equal(before.ValidUntil, after.ValidUntil);
        Assert.Equal(before.LastCertifiedAt, after.LastCertifiedAt);
        Assert.Equal(before.SuspendedOn, after.SuspendedOn);
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Suspended", eligibility.GetProperty("state").GetString());
        var events = await EventsAsync(pensionerId);
        Assert.DoesNotContain(events, e => e.Type is EventTypes.CertificationApproved or EventTypes.PaymentResumed);
        var announced = Assert.Single(events, e => e.Type == EventTypes.ReviewCaseLapsed);
        Assert.Equal(caseId, announced.Data.ReviewCaseId);
        Assert.Equal(ReviewReasons.InvestigationCertified, announced.Data.Reason);
        var audit = Assert.Single(await AuditAsync(pensionerId), a => a.Action == ReviewEffects.LapseAuditAction);
        Assert.Equal("system", audit.Actor);
        Assert.Contains(caseId, audit.Detail, StringComparison.Ordinal);
        Assert.Contains(ReviewReasons.InvestigationCertified, audit.Detail, StringComparison.Ordinal);
        // A lapsed case cannot be claimed any more: a later confirmation needs a new document record.
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, _client.Operator(OperatorRole.Admin, "admin-late")), HttpStatusCode.Conflict, "review-case-closed");
    }

    [Fact]
    public async Task CertificationReview_Forgotten_ReportedAgainEveryEscalationPeriod_WithItsCount_NeverLapses()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await EnrollAsync(id, "clerk-enrols");
        // A probe between the review and accept thresholds would do as well; the replayed reference is the quickest NeedsReview.
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineReference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        var caseId = ReviewCase.IdForCertification(Region, certificationId);

        // Four days old (EscalateAfterDays is 3): reported once, and a second sweep right after reports nothing new.
        var stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-4) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        var first = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.ReviewCaseAged);
        Assert.Equal(1, first.Data.EscalationCount);
        Assert.Equal(1, (await Cases.GetAsync(caseId, CancellationToken.None))!.Escalations);

        // Three more days pass without a decision (the last report moved back): reported again, counted, with its own id.
        stored = (await Cases.GetAsync(caseId, CancellationToken.None))!;
        await Cases.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-40), EscalatedAt = DateTimeOffset.UtcNow.AddDays(-3).AddMinutes(-1) }, CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);
        await Review.SweepAsync(CancellationToken.None);

        var aged = (await EventsAsync(pensionerId)).Where(e => e.Type == EventTypes.ReviewCaseAged).OrderBy(e => e.Data.EscalationCount).ToArray();
        Assert.Equal([1, 2], aged.Select(e => e.Data.EscalationCount ?? 0));
        Assert.All(aged, e => Assert.Equal(caseId, e.Data.ReviewCaseId));
        Assert.NotEqual(aged[0].Id, aged[1].Id);
        var after = (await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Reviewer, "reviewer-looks"))).GetProperty("case");
        Assert.Equal(2, after.GetProperty("escalations").GetInt32());
        // A certification review has no lapse: 40 days old, still open for a reviewer.
        Assert.Equal("open", after.GetProperty("state").GetString());
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type == EventTypes.ReviewCaseLapsed);
    }

    private async Task<string> EnrollAsync(string idNumber, string clerk)
    {
        using var enrolled = await _client.EnrollAsync(idNumber, FourEyesClient.Photo(Photos.GenuineReference), _client.Operator(OperatorRole.Clerk, clerk));
        return (await FourEyesClient.JsonAsync(enrolled, HttpStatusCode.Created)).GetProperty("pensionerId").GetString()!;
    }

    /// <summary>Moves the enrolment two years into the past, so a transfer dated before today is plausible.</summary>
    private async Task BackdateEnrolmentAsync(string pensionerId)
    {
        var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        var enrolledAt = DateTimeOffset.UtcNow.AddYears(-2);
        await _client.Pensioners.UpdateAsync(profile with { EnrolledAt = enrolledAt, FirstEnrolledAt = enrolledAt }, CancellationToken.None);
    }

    private static string Day(int offset) => ChinaTime.Today(TimeProvider.System).AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The pensioner's outbox rows as events (one row per event id).</summary>
    private async Task<List<(string Id, string Type, CycleEventData Data)>> EventsAsync(string pensionerId)
    {
        var events = new List<(string, string, CycleEventData)>();
        await foreach (var e in host.Storage.Pensioners.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
            events.Add((e.RowKey, e.GetString("Type"), CloudEventJson.DeserializeData(e.GetString("Data"))));
        return events;
    }

    private Task<IReadOnlyList<AuditEntry>> AuditAsync(string pensionerId) =>
        host.App.Services.GetRequiredService<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
}
