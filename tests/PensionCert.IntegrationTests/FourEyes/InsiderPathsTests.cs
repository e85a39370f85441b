using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>
/// The single-insider paths of tester6's findings F2, F4, F9 and F10, closed, over HTTP on the local host (Azurite,
/// real models and photos): evidence is accepted only from the integration identity, a death record contradicted by a
/// certification of the same day or later (or one still waiting) opens a death-before-certification case, a reviewer
/// cannot approve a face of a pensioner recorded dead meanwhile, and a document-only "seen alive" waits for an admin.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class InsiderPathsTests(LocalHostFixture host)
{
    private const string Region = "110114";
    private readonly FourEyesClient _client = new(host, Region);

    private static string Day(int offset) => ChinaTime.Today(TimeProvider.System).AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static (string, string) Integration => ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Integration, [Region], "civil-affairs-feed"));

    [Fact]
    public async Task F2_AdminPostingADeathRecord_Is403AndChangesNothing_TheIntegrationIdentityIsHeard_ErasureThenAllowed()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await EnrollLongAgoAsync(id);
        var adminA = _client.Operator(OperatorRole.Admin, "admin-A");

        // One person with an admin token: refused before any record is read.
        using (var refused = await PostEvidenceAsync(DeathLine(id, Day(0)), adminA))
            await BadInputTests.AssertProblem(refused, HttpStatusCode.Forbidden, "role-not-allowed", "role-not-allowed");
        Assert.Equal(PensionerStanding.Active, (await ProfileAsync(pensionerId)).Standing);
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type is EventTypes.PensionerDeceased or EventTypes.PaymentStopped);
        await FourEyesClient.AssertProblemAsync(await _client.DeleteAsync($"/api/pensioners/{pensionerId}", adminA), HttpStatusCode.Conflict, "erasure-while-drawing-pension");

        // The civil-affairs feed (machine identity), no live certification since: the death applies and payment stops.
        var report = await ReportAsync(await PostEvidenceAsync(DeathLine(id, Day(-3)), Integration));
        Assert.Equal("deceased", report.GetProperty("results")[0].GetProperty("result").GetString());
        Assert.Equal(PensionerStanding.Deceased, (await ProfileAsync(pensionerId)).Standing);
        var stop = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.PaymentStopped);
        Assert.Equal(ChinaTime.Today(TimeProvider.System).AddDays(-3), stop.Data.DateOfDeath);

        // A death recorded by the machine identity (or by two admins) is what erasure requires.
        using var erased = await _client.DeleteAsync($"/api/pensioners/{pensionerId}", adminA);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
    }

    [Fact]
    public async Task F2_DeathRecordDatedTheDayOfAnApprovedSelfie_OpensDeathBeforeCertification_NotApplied_AReviewerDecides()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await EnrollLongAgoAsync(id);
        var selfie = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", selfie.GetProperty("status").GetString());

        var report = await ReportAsync(await PostEvidenceAsync(DeathLine(id, Day(0)), Integration));
        Assert.Equal("review-opened", report.GetProperty("results")[0].GetProperty("result").GetString());
        Assert.Equal(1, report.GetProperty("counts").GetProperty("review-opened").GetInt32());
        Assert.Equal(0, report.GetProperty("counts").GetProperty("deceased").GetInt32());
        Assert.Equal("Valid", await StateAsync(pensionerId));
        var caseId = $"{Region}-x{ChinaTime.Today(TimeProvider.System).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{pensionerId}";
        var opened = (await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Reviewer, "reviewer-x"))).GetProperty("case");
        Assert.Equal("death-before-certification", opened.GetProperty("reason").GetString());
        Assert.Equal("open", opened.GetProperty("state").GetString());
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type is EventTypes.PensionerDeceased or EventTypes.PaymentStopped);

        // The record and the selfie seen side by side by a reviewer: confirmed, the death applies.
        var decided = await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Reviewer, "reviewer-x"), new { decision = "approve" });
        Assert.Equal("approved", decided.GetProperty("state").GetString());
        Assert.Equal(PensionerStanding.Deceased, (await ProfileAsync(pensionerId)).Standing);
    }

    [Fact]
    public async Task F10_DeathRecordWhileASelfieWaitsForReview_OpensTheConflictCase_NotApplied()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await EnrollLongAgoAsync(id);
        // The reference itself as the selfie: NeedsReview (replay suspicion), the year is not restarted.
        var waiting = await host.SubmitOkAsync(id, Photos.GenuineReference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(waiting)).GetProperty("status").GetString());

        var report = await ReportAsync(await PostEvidenceAsync(DeathLine(id, Day(-1)), Integration));
        Assert.Equal("review-opened", report.GetProperty("results")[0].GetProperty("result").GetString());
        var profile = await ProfileAsync(pensionerId);
        Assert.Equal(PensionerStanding.Active, profile.Standing);
        Assert.Null(profile.EndedOn);
        var caseId = $"{Region}-x{ChinaTime.Today(TimeProvider.System).AddDays(-1).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{pensionerId}";
        Assert.Equal("death-before-certification", (await host.GetJsonAsync($"/api/review-cases/{caseId}", LocalHostFixture.OperatorKeyHeader)).GetProperty("case").GetProperty("reason").GetString());

        // The same record again is the same case, still not applied.
        var again = await ReportAsync(await PostEvidenceAsync(DeathLine(id, Day(-1)), Integration));
        Assert.Equal("review-opened", again.GetProperty("results")[0].GetProperty("result").GetString());
        Assert.Equal(PensionerStanding.Active, (await ProfileAsync(pensionerId)).Standing);
    }

    [Fact]
    public async Task F10_ApprovingTheSelfieOfAPensionerRecordedDeadMeanwhile_Is409_TheCaseCanStillBeRejected()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await EnrollLongAgoAsync(id);
        var waiting = await host.SubmitOkAsync(id, Photos.GenuineReference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(waiting)).GetProperty("status").GetString());
        var caseId = (await host.App.Services.GetRequiredService<ICertificationRepository>().GetAsync(waiting, CancellationToken.None))!.ReviewCaseId!;
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, Day(-1));
        Assert.Equal(PensionerStanding.Deceased, (await ProfileAsync(pensionerId)).Standing);

        var reviewer = _client.Operator(OperatorRole.Reviewer, "reviewer-z");
        using (var claim = await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer))
            Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        using (var approve = await _client.PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, reviewer))
        {
            var problem = await FourEyesClient.JsonAsync(approve, HttpStatusCode.Conflict);
            Assert.Equal("review-pensioner-deceased", problem.GetProperty("code").GetString());
            Assert.Contains("已登记死亡", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal("NeedsReview", (await host.GetJsonAsync($"/api/certifications/{waiting}", LocalHostFixture.ClientKeyHeader)).GetProperty("status").GetString());
        Assert.Equal("open", (await host.GetJsonAsync($"/api/review-cases/{caseId}", reviewer)).GetProperty("case").GetProperty("state").GetString());

        // The way out: the reviewer (still holding the claim) rejects it; the standing stays Deceased, nothing says Approved.
        using (var reject = await _client.PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "record-incorrect" }, reviewer))
            Assert.Equal("rejected", (await FourEyesClient.JsonAsync(reject, HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.Equal("Rejected", (await host.GetJsonAsync($"/api/certifications/{waiting}", LocalHostFixture.ClientKeyHeader)).GetProperty("status").GetString());
        Assert.Equal("Deceased", await StateAsync(pensionerId));
    }

    [Fact]
    public async Task F9_DocumentOnlyCertifiedByOneReviewer_ChangesNothing_UntilAnAdminApproves()
    {
        var pensionerId = await OverdueAsync();
        var solo = _client.Operator(OperatorRole.Reviewer, "reviewer-solo");
        var outcome = $"/api/pensioners/{pensionerId}/investigation";

        foreach (var weak in new[] { "XX", "ok", "HV-12", "现场核实无误无误", "HV-2026-<b>01</b>" })
            await FourEyesClient.AssertProblemAsync(await _client.PostAsync(outcome, new { outcome = "certified", documentReference = weak }, solo), HttpStatusCode.BadRequest, "investigation-document-reference-invalid");
        var opened = await FourEyesClient.JsonAsync(await _client.PostAsync(outcome, new { outcome = "certified", documentReference = " HV-2026-000123 " }, solo), HttpStatusCode.Accepted);
        Assert.Equal("ReviewOpened", opened.GetProperty("result").GetString());
        var caseId = opened.GetProperty("reviewCaseId").GetString()!;
        Assert.Equal($"{Region}-h{pensionerId}{ChinaTime.Today(TimeProvider.System).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}", caseId);
        // Asked again the same day: the same case.
        Assert.Equal(caseId, (await FourEyesClient.JsonAsync(await _client.PostAsync(outcome, new { outcome = "certified", documentReference = "HV-2026-000123" }, solo), HttpStatusCode.Accepted)).GetProperty("reviewCaseId").GetString());

        Assert.Equal("Overdue", await StateAsync(pensionerId));
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved);
        var listed = (await host.GetJsonAsync($"/api/review-cases/{caseId}", LocalHostFixture.OperatorKeyHeader)).GetProperty("case");
        Assert.Equal("reviewer-solo", listed.GetProperty("submittedBy").GetString());
        Assert.Equal("investigation-certified", listed.GetProperty("reason").GetString());

        // Neither the reviewer who recorded it nor another reviewer decides it: an admin's decision.
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, solo), HttpStatusCode.Forbidden, "role-not-allowed");
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, _client.Operator(OperatorRole.Reviewer, "reviewer-friend")), HttpStatusCode.Forbidden, "role-not-allowed");
        Assert.Equal("Overdue", await StateAsync(pensionerId));

        var decided = await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Admin, "admin-B"), new { decision = "approve" });
        Assert.Equal("approved", decided.GetProperty("state").GetString());
        Assert.Equal("Valid", await StateAsync(pensionerId));
        var approval = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved);
        Assert.Equal("document:HV-2026-000123", approval.Data.EvidenceSource);
        Assert.Equal("home-visit", approval.Data.Channel);
        Assert.Equal("review", approval.Data.DecisionSource);
    }

    [Fact]
    public async Task F9_SuspendedPensioner_DocumentOnlyResumption_TheRequesterCannotConfirm_ASecondAdminResumesWithBackPay()
    {
        var pensionerId = await OverdueAsync();
        var adminA = _client.Operator(OperatorRole.Admin, "admin-A-suspends");
        var outcome = $"/api/pensioners/{pensionerId}/investigation";
        using (var suspend = await _client.PostAsync(outcome, new { outcome = "suspend" }, _client.Operator(OperatorRole.Reviewer, "reviewer-suspends")))
            Assert.Equal("Applied", (await FourEyesClient.JsonAsync(suspend, HttpStatusCode.OK)).GetProperty("result").GetString());
        Assert.Equal("Suspended", await StateAsync(pensionerId));

        var caseId = (await FourEyesClient.JsonAsync(await _client.PostAsync(outcome, new { outcome = "certified", documentReference = "京人社核〔2026〕0123号" }, adminA), HttpStatusCode.Accepted))
            .GetProperty("reviewCaseId").GetString()!;
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, adminA), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        Assert.Equal("Suspended", await StateAsync(pensionerId));
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type == EventTypes.PaymentResumed);

        await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Admin, "admin-B-confirms"), new { decision = "approve" });
        Assert.Equal("Valid", await StateAsync(pensionerId));
        var resumed = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.PaymentResumed);
        Assert.Equal(CycleCalendar.FormatMonth(CycleCalendar.MonthOf(ChinaTime.Today(TimeProvider.System))), Assert.Single(resumed.Data.BackPayMonths!));
        Assert.Equal("document:京人社核〔2026〕0123号", Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved).Data.EvidenceSource);
    }

    [Fact]
    public async Task F9_CertifiedOnAnApprovedSelfieOfThisPensioner_StaysImmediate()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var selfie = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        Assert.Equal("Approved", (await host.PollDecidedAsync(selfie)).GetProperty("status").GetString());
        var profile = await ProfileAsync(pensionerId);
        await _client.Pensioners.UpdateAsync(profile with { ValidUntil = ChinaTime.Today(TimeProvider.System).AddDays(-40) }, CancellationToken.None);
        Assert.Equal("Overdue", await StateAsync(pensionerId));

        using var certified = await _client.PostAsync($"/api/pensioners/{pensionerId}/investigation", new { outcome = "certified", certificationId = selfie }, _client.Operator(OperatorRole.Reviewer, "reviewer-visit"));
        var body = await FourEyesClient.JsonAsync(certified, HttpStatusCode.OK);
        Assert.Equal("Applied", body.GetProperty("result").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("reviewCaseId").ValueKind);
        Assert.Equal("Valid", await StateAsync(pensionerId));
        Assert.Contains(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved && e.Data.EvidenceSource == "certification:" + selfie);
    }

    /// <summary>Enrols with the genuine reference and moves the enrolment (and its certification) two years back.</summary>
    private async Task<string> EnrollLongAgoAsync(string id)
    {
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var profile = await ProfileAsync(pensionerId);
        var longAgo = DateTimeOffset.UtcNow.AddYears(-2);
        await _client.Pensioners.UpdateAsync(profile with
        {
            EnrolledAt = longAgo,
            FirstEnrolledAt = longAgo,
            LastCertifiedAt = profile.LastCertifiedAt is null ? null : longAgo,
        }, CancellationToken.None);
        return pensionerId;
    }

    /// <summary>A pensioner enrolled two years ago whose year ended 40 days ago.</summary>
    private async Task<string> OverdueAsync()
    {
        var pensionerId = await EnrollLongAgoAsync(TestIdNumbers.New(Region));
        var profile = await ProfileAsync(pensionerId);
        await _client.Pensioners.UpdateAsync(profile with { ValidUntil = ChinaTime.Today(TimeProvider.System).AddDays(-40) }, CancellationToken.None);
        Assert.Equal("Overdue", await StateAsync(pensionerId));
        return pensionerId;
    }

    private async Task<PensionerProfile> ProfileAsync(string pensionerId) =>
        (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;

    private async Task<string?> StateAsync(string pensionerId) =>
        (await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader)).GetProperty("state").GetString();

    private static string DeathLine(string idNumber, string date) =>
        JsonSerializer.Serialize(new { idNumber, type = "death-cremation", date, source = "funeral" }) + "\n";

    private Task<HttpResponseMessage> PostEvidenceAsync(string ndjson, (string, string) header) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/evidence", header, new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson")));

    private static async Task<JsonElement> ReportAsync(HttpResponseMessage response)
    {
        using (response) return await FourEyesClient.JsonAsync(response, HttpStatusCode.OK);
    }

    private async Task<List<CycleEvent>> EventsAsync(string pensionerId)
    {
        var events = new List<CycleEvent>();
        await foreach (var e in host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
            events.Add(new CycleEvent(e.RowKey["outbox-".Length..], e.GetString("Type"), e.GetDateTimeOffset("OccurredAt") ?? default, e.GetInt32("Sequence") ?? 0, CloudEventJson.DeserializeData(e.GetString("Data"))));
        return events;
    }
}
