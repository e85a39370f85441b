using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Faces;
using PensionCert.Core.Operators;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Manual review and four-eyes through HTTP on the local host with real photos: a selfie that goes to review is seen
/// (both photos, audited, not cached) and approved by a reviewer; two reviewers at once end with one decision; a
/// reviewer never decides a case they submitted or of a pensioner whose reference they changed; a clerk who re-enrols
/// a pensioner with another person's face never gets an approval without a second operator; a death dated before a
/// live certification opens a review instead of stopping payment; a reversed death resumes payment with back-pay; and
/// every decision is announced exactly once (outbox rows with deterministic ids).
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReviewTests(LocalHostFixture host)
{
    private const string Region = "110105";

    [Fact]
    public async Task NeedsReviewSelfie_ReviewerSeesBothPhotosAndApproves_PensionerCertifiedOnceBySourceReview()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineReference);
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        Assert.Equal("wait-for-review", decided.GetProperty("guidance").GetProperty("code").GetString());
        Assert.Equal("worker", decided.GetProperty("decisionSource").GetString());

        var reviewer = Reviewer("reviewer-a");
        var list = await host.GetJsonAsync($"/api/review-cases?region={Region}&reason=certification-needs-review", reviewer);
        var listed = list.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("certificationId").GetString() == certificationId);
        var caseId = listed.GetProperty("caseId").GetString()!;
        Assert.Equal("open", listed.GetProperty("state").GetString());
        Assert.True(list.GetProperty("openCases").GetInt32() >= 1);
        Assert.True(list.GetProperty("oldestOpenAgeHours").GetDouble() >= listed.GetProperty("ageHours").GetDouble());

        var details = await host.GetJsonAsync($"/api/review-cases/{caseId}", reviewer);
        var certification = details.GetProperty("certification");
        Assert.Equal(certificationId, certification.GetProperty("certificationId").GetString());
        Assert.True(certification.GetProperty("similarityScore").GetDouble() > 0.9);
        Assert.Contains(details.GetProperty("recentAttempts").EnumerateArray(), a => a.GetProperty("certificationId").GetString() == certificationId);
        Assert.Equal(["probe", "reference"], details.GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("kind").GetString()).Order());

        foreach (var kind in new[] { "reference", "probe" })
        {
            using var photo = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/review-cases/{caseId}/photos/{kind}", reviewer));
            Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
            Assert.Equal("image/jpeg", photo.Content.Headers.ContentType?.MediaType);
            Assert.True(photo.Headers.CacheControl?.NoStore);
            Assert.Equal(SharedFaces.Read(Photos.GenuineReference), await photo.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(2, await AuditRowsAsync(pensionerId, "GetReviewCasePhoto"));

        // Deciding without a claim is refused; with it, the approval restarts the year.
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, reviewer), HttpStatusCode.Conflict, "review-claim-required");
        using (var claim = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer))
        {
            var claimed = await JsonOkAsync(claim);
            Assert.Equal("reviewer-a", claimed.GetProperty("claimedBy").GetString());
        }
        using (var approve = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve", note = "同一人" }, reviewer))
        {
            var approved = await JsonOkAsync(approve);
            Assert.Equal("approved", approved.GetProperty("state").GetString());
            Assert.Equal("reviewer-a", approved.GetProperty("decidedBy").GetString());
        }
        // A retried decision answers the same and announces nothing again.
        using (var again = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, reviewer))
            Assert.Equal("approved", (await JsonOkAsync(again)).GetProperty("state").GetString());

        var after = await host.GetJsonAsync($"/api/certifications/{certificationId}", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Approved", after.GetProperty("status").GetString());
        Assert.Equal("review", after.GetProperty("decisionSource").GetString());
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal(ChinaTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), eligibility.GetProperty("lastCertifiedOn").GetString());
        var profile = await Pensioners.GetAsync(pensionerId, CancellationToken.None);
        Assert.Empty(profile!.OpenHolds);

        var events = await EventsAsync(pensionerId);
        Assert.Equal(1, events.Count(e => e.Type == EventTypes.CertificationNeedsReview));
        var approvedEvent = Assert.Single(events, e => e.Type == EventTypes.CertificationApproved);
        Assert.Equal("review", approvedEvent.Data.DecisionSource);
        Assert.Equal(certificationId, approvedEvent.Data.CertificationId);
    }

    [Fact]
    public async Task TwoReviewersAtOnce_OneClaimAndOneDecisionWin_CaseDecidedOnce()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineReference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        var caseId = await CaseIdOfAsync(certificationId);
        var (one, two) = (Reviewer("reviewer-one"), Reviewer("reviewer-two"));

        var claims = await Task.WhenAll(PostAsync($"/api/review-cases/{caseId}/claim", new { }, one), PostAsync($"/api/review-cases/{caseId}/claim", new { }, two));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], claims.Select(c => c.StatusCode).Order());
        var loserClaim = claims.Single(c => c.StatusCode == HttpStatusCode.Conflict);
        await AssertProblemAsync(loserClaim, HttpStatusCode.Conflict, "review-case-claimed");
        var winner = claims[0].StatusCode == HttpStatusCode.OK ? one : two;
        var loser = winner == one ? two : one;
        foreach (var c in claims) c.Dispose();

        var decisions = await Task.WhenAll(
            PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "not-the-pensioner" }, winner),
            PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, loser));
        Assert.Equal(HttpStatusCode.OK, decisions[0].StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, decisions[1].StatusCode);
        foreach (var d in decisions) d.Dispose();

        var decided = await host.GetJsonAsync($"/api/review-cases/{caseId}", one);
        Assert.Equal("rejected", decided.GetProperty("case").GetProperty("state").GetString());
        var certification = await host.GetJsonAsync($"/api/certifications/{certificationId}", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Rejected", certification.GetProperty("status").GetString());
        Assert.Equal("visit-counter", certification.GetProperty("guidance").GetProperty("code").GetString());
        var events = await EventsAsync(pensionerId);
        var rejected = Assert.Single(events, e => e.Type == EventTypes.CertificationRejected);
        Assert.Equal("visit-counter", rejected.Data.Guidance);
        Assert.Equal("review", rejected.Data.DecisionSource);
        Assert.DoesNotContain(events, e => e.Type == EventTypes.CertificationApproved);
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, loser), HttpStatusCode.Conflict, "review-case-closed");
    }

    [Fact]
    public async Task ExpiredClaim_AnotherReviewerTakesOver_AndAgedCaseIsReportedOnce()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineReference);
        await host.PollDecidedAsync(certificationId);
        var caseId = await CaseIdOfAsync(certificationId);
        using (var claim = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, Reviewer("reviewer-gone")))
            Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, Reviewer("reviewer-next")), HttpStatusCode.Conflict, "review-case-claimed");

        // The first reviewer walked away: their lease ran out (and the case is older than the escalation age).
        var store = host.App.Services.GetRequiredService<IReviewCaseStore>();
        var stored = (await store.GetAsync(caseId, CancellationToken.None))!;
        await store.UpdateAsync(stored with { ClaimExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1), OpenedAt = DateTimeOffset.UtcNow.AddDays(-4) }, CancellationToken.None);
        using (var takeOver = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, Reviewer("reviewer-next")))
            Assert.Equal("reviewer-next", (await JsonOkAsync(takeOver)).GetProperty("claimedBy").GetString());

        var review = host.App.Services.GetRequiredService<ReviewService>();
        await review.SweepAsync(CancellationToken.None);
        await review.SweepAsync(CancellationToken.None);
        var aged = Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.ReviewCaseAged);
        Assert.Equal(caseId, aged.Data.ReviewCaseId);
        Assert.NotNull((await store.GetAsync(caseId, CancellationToken.None))!.EscalatedAt);
        var list = await host.GetJsonAsync($"/api/review-cases?region={Region}&minAgeDays=3", Reviewer("reviewer-next"));
        Assert.Contains(list.GetProperty("cases").EnumerateArray(), c => c.GetProperty("caseId").GetString() == caseId);
    }

    [Fact]
    public async Task ClerkReEnrolsWithAnotherFace_ReferenceStaysPending_ImpostorNeverApprovedWithoutSecondOperator()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = Operator(OperatorRole.Clerk, "clerk-insider");
        using (var first = await EnrollAsync(id, Photos.GenuineReference, clerk))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var swap = await EnrollAsync(id, Photos.Impostor, clerk);
        Assert.Equal(HttpStatusCode.Accepted, swap.StatusCode);
        var pending = JsonDocument.Parse(await swap.Content.ReadAsStringAsync()).RootElement;
        var pensionerId = pending.GetProperty("pensionerId").GetString()!;
        var caseId = pending.GetProperty("pendingReviewCaseId").GetString()!;
        Assert.Equal(1, pending.GetProperty("referenceVersion").GetInt32());

        // The other person's selfie is still checked against the genuine reference: never approved.
        var impostorSelfie = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.Impostor));
        Assert.Equal("Rejected", impostorSelfie.GetProperty("status").GetString());

        // The clerk cannot decide it (no reviewer role); an admin who uploaded it cannot either.
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, clerk), HttpStatusCode.Forbidden, "role-not-allowed");
        var insiderAdmin = Operator(OperatorRole.Admin, "admin-insider");
        // While the clerk's change waits, another attempt opens no second case.
        await AssertProblemAsync(await EnrollAsync(id, Photos.Impostor, insiderAdmin), HttpStatusCode.Conflict, "reference-change-pending");
        // The clerk, who enrolled the genuine reference, may not review this pensioner's certifications either.
        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Contains("clerk-insider", profile.ReferenceChangedBy);
        Assert.Equal(1, profile.ReferenceVersion);

        // A second operator sees both faces and refuses the change: the reference stays the genuine one.
        var reviewer = Reviewer("reviewer-four-eyes");
        using (var claim = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer)) Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        using (var probe = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/review-cases/{caseId}/photos/probe", reviewer)))
            Assert.Equal(SharedFaces.Read(Photos.Impostor), await probe.Content.ReadAsByteArrayAsync());
        using (var reject = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "not-the-pensioner" }, reviewer))
            Assert.Equal("rejected", (await JsonOkAsync(reject)).GetProperty("state").GetString());
        Assert.Equal(1, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.ReferenceVersion);
        // Decided, so the admin's own attempt opens a case now, which the admin may not claim.
        using (var adminSwap = await EnrollAsync(id, Photos.Impostor, insiderAdmin))
        {
            Assert.Equal(HttpStatusCode.Accepted, adminSwap.StatusCode);
            var adminCase = JsonDocument.Parse(await adminSwap.Content.ReadAsStringAsync()).RootElement.GetProperty("pendingReviewCaseId").GetString()!;
            await AssertProblemAsync(await PostAsync($"/api/review-cases/{adminCase}/claim", new { }, insiderAdmin), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        }
        var genuine = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", genuine.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReEnrolWithAnotherFaceInTheReviewBand_StaysPendingForASecondOperator()
    {
        // Another person whose face scores in the review band [0.16, 0.45) against the genuine reference (a woman
        // photographed at 18 in FG-NET, and another woman): the band is where a person decides, not one operator.
        const string elderlyReference = "fgnet/003A18.jpg";
        var id = TestIdNumbers.New(Region);
        var admin = Operator(OperatorRole.Admin, "admin-band-swap");
        using (var first = await EnrollAsync(id, elderlyReference, admin))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var otherFace = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineReference));
        Assert.InRange(otherFace.GetProperty("similarityScore").GetDouble(), VerificationOptions.DefaultReviewThreshold, VerificationOptions.DefaultAcceptThreshold);

        using var swap = await EnrollAsync(id, Photos.GenuineReference, admin);
        var body = await swap.Content.ReadAsStringAsync();
        Assert.True(swap.StatusCode == HttpStatusCode.Accepted, $"{(int)swap.StatusCode} {body}");
        var pending = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, pending.GetProperty("referenceVersion").GetInt32());
        Assert.StartsWith(Region + "-r", pending.GetProperty("pendingReviewCaseId").GetString());
        Assert.Equal(1, (await Pensioners.GetAsync(pending.GetProperty("pensionerId").GetString()!, CancellationToken.None))!.ReferenceVersion);

        // The other person's second photo is still compared with the genuine reference: never approved.
        var selfie = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.NotEqual("Approved", selfie.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DeceasedPensioner_CannotBeReEnrolled_AndNameChangesOnlyExplicitly()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        using (var renamed = await EnrollAsync(id, Photos.GenuineReference, LocalHostFixture.OperatorKeyHeader, name: "另一个名字"))
            await AssertProblemAsync(renamed, HttpStatusCode.Conflict, "name-change-not-explicit");
        using (var name = await PostAsync($"/api/pensioners/{pensionerId}/name", new { name = "改名人员", reason = "户籍姓名变更" }, LocalHostFixture.OperatorKeyHeader))
            Assert.Equal("Applied", (await JsonOkAsync(name)).GetProperty("result").GetString());
        Assert.Equal(1, await AuditRowsAsync(pensionerId, "ChangePensionerName"));
        await AssertProblemAsync(await PostAsync($"/api/pensioners/{pensionerId}/name", new { name = "再改名" }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "name-change-reason-required");

        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, Day(-10));
        using var again = await EnrollAsync(id, Photos.GenuineReference, LocalHostFixture.OperatorKeyHeader, name: "改名人员");
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "pensioner-deceased");
    }

    [Fact]
    public async Task DeathAndTransferDates_ImplausibleOnesRefusedWithTheirOwnCodes()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var born = Core.Identity.CitizenIdNumber.Parse(id, ChinaTime.Today(TimeProvider.System)).BirthDate;
        await AssertProblemAsync(await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(1) }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "date-in-future");
        await AssertProblemAsync(await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "transferred", effectiveOn = born.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "date-before-birth");
        await AssertProblemAsync(await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-30) }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "date-before-enrollment");
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
    }

    [Fact]
    public async Task DeathBeforeLiveCertification_OpensReviewInsteadOfStoppingPayment()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        Assert.Equal("Approved", (await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe))).GetProperty("status").GetString());

        using var death = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-20) }, LocalHostFixture.OperatorKeyHeader);
        var answer = await JsonAcceptedAsync(death);
        Assert.Equal("ReviewOpened", answer.GetProperty("result").GetString());
        var caseId = answer.GetProperty("reviewCaseId").GetString()!;

        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
        var events = await EventsAsync(pensionerId);
        Assert.DoesNotContain(events, e => e.Type is EventTypes.PaymentStopped or EventTypes.PensionerDeceased);
        var reviewCase = await host.GetJsonAsync($"/api/review-cases/{caseId}", Reviewer("reviewer-death"));
        Assert.Equal("death-report", reviewCase.GetProperty("case").GetProperty("reason").GetString());
        Assert.Equal(Day(-20), reviewCase.GetProperty("case").GetProperty("effectiveOn").GetString());
        // Declaring a death is an admin's decision.
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, Reviewer("reviewer-death")), HttpStatusCode.Forbidden, "role-not-allowed");

        // The second admin finds the record wrong: the pensioner stays paid.
        var reviewer = Operator(OperatorRole.Admin, "admin-death-check");
        using (await PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer)) { }
        using (var reject = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "record-incorrect" }, reviewer))
            Assert.Equal("rejected", (await JsonOkAsync(reject)).GetProperty("state").GetString());
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
    }

    [Fact]
    public async Task ReversedDeath_SecondAdminApproves_PaymentResumesWithBackPay()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        var dateOfDeath = Day(-70);
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, dateOfDeath, secondAdmin: "admin-death-approver");

        var adminA = Operator(OperatorRole.Admin, "admin-a");
        await AssertProblemAsync(await PostAsync($"/api/pensioners/{pensionerId}/status-reversals", new { reason = "x" }, adminA), HttpStatusCode.BadRequest, "invalid-reversal-request");
        using var requested = await PostAsync($"/api/pensioners/{pensionerId}/status-reversals", new { reason = "死亡登记系同名误报，本人到窗口核实" }, adminA);
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var caseId = JsonDocument.Parse(await requested.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetString()!;

        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, adminA), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, Reviewer("reviewer-not-admin")), HttpStatusCode.Forbidden, "role-not-allowed");
        Assert.Equal(PensionerStanding.Deceased, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);

        var adminB = Operator(OperatorRole.Admin, "admin-b");
        using (await PostAsync($"/api/review-cases/{caseId}/claim", new { }, adminB)) { }
        using (var approve = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, adminB))
            Assert.Equal("approved", (await JsonOkAsync(approve)).GetProperty("state").GetString());

        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Active, profile.Standing);
        Assert.Null(profile.EndedOn);
        var events = await EventsAsync(pensionerId);
        Assert.Single(events, e => e.Type == EventTypes.PensionerReinstated);
        var stopped = Assert.Single(events, e => e.Type == EventTypes.PaymentStopped);
        var resumed = Assert.Single(events, e => e.Type == EventTypes.PaymentResumed);
        var today = ChinaTime.Today(TimeProvider.System);
        Assert.Equal(CycleCalendar.MonthsBetween(DateOnly.ParseExact(stopped.Data.StopFromMonth! + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), today), resumed.Data.BackPayMonths);
        Assert.True(resumed.Data.BackPayMonths!.Count >= 2);
        Assert.Equal(CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today).AddMonths(1)), resumed.Data.ResumeFromMonth);
    }

    [Fact]
    public async Task DeathReport_OneAdminStopsNothing_SecondAdminApprovalStopsPaymentOnce_ReporterCannotApprove()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        var dateOfDeath = Day(-40);

        // One admin's report: 202 with the case, nothing about payment changes.
        var reporter = Operator(OperatorRole.Admin, "admin-reporter");
        using var reported = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = dateOfDeath }, reporter);
        var answer = await JsonAcceptedAsync(reported);
        Assert.Equal("ReviewOpened", answer.GetProperty("result").GetString());
        var caseId = answer.GetProperty("reviewCaseId").GetString()!;
        Assert.StartsWith(Region + "-k", caseId);
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type is EventTypes.PaymentStopped or EventTypes.PensionerDeceased);
        var opened = await host.GetJsonAsync($"/api/review-cases/{caseId}", reporter);
        Assert.Equal("death-report", opened.GetProperty("case").GetProperty("reason").GetString());
        Assert.Equal("open", opened.GetProperty("case").GetProperty("state").GetString());

        // The reporter cannot decide their own report, neither claim nor decide.
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/claim", new { }, reporter), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, reporter), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        // A death report cannot be sent offline.
        var approver = Operator(OperatorRole.Admin, "admin-approver");
        using (var claim = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, approver))
            Assert.True(claim.IsSuccessStatusCode, await claim.Content.ReadAsStringAsync());
        await AssertProblemAsync(await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "send-offline", offlineChannel = "counter" }, approver), HttpStatusCode.BadRequest, "invalid-review-decision");
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);

        // The second admin approves: the death is applied, payment stops, each event exactly once (a repeated decision too).
        using (var approve = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, approver))
            Assert.Equal("approved", (await JsonOkAsync(approve)).GetProperty("state").GetString());
        using (var again = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, approver))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Deceased, profile.Standing);
        Assert.Equal(DateOnly.ParseExact(dateOfDeath, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), profile.EndedOn);
        var events = await EventsAsync(pensionerId);
        var deceased = Assert.Single(events, e => e.Type == EventTypes.PensionerDeceased);
        var stopped = Assert.Single(events, e => e.Type == EventTypes.PaymentStopped);
        Assert.Equal("operator", deceased.Data.EvidenceSource);
        Assert.Equal(CycleCalendar.FormatMonth(CycleCalendar.MonthOf(profile.EndedOn!.Value).AddMonths(1)), stopped.Data.StopFromMonth);

        // Reporting the same death again changes nothing.
        using (var repeat = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = dateOfDeath }, reporter))
            Assert.Equal("AlreadyApplied", (await JsonOkAsync(repeat)).GetProperty("result").GetString());
        Assert.Single(await EventsAsync(pensionerId), e => e.Type == EventTypes.PaymentStopped);
    }

    [Fact]
    public async Task DeathReport_Rejected_PensionerUntouched()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        var before = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        using var reported = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-5) }, Operator(OperatorRole.Clerk, "clerk-reporter"));
        var caseId = (await JsonAcceptedAsync(reported)).GetProperty("reviewCaseId").GetString()!;

        var admin = Operator(OperatorRole.Admin, "admin-rejecter");
        using (await PostAsync($"/api/review-cases/{caseId}/claim", new { }, admin)) { }
        using (var reject = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "record-incorrect", note = "本人已到窗口" }, admin))
            Assert.Equal("rejected", (await JsonOkAsync(reject)).GetProperty("state").GetString());
        var after = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Active, after.Standing);
        Assert.Null(after.EndedOn);
        Assert.Equal(before.ValidUntil, after.ValidUntil);
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type is EventTypes.PaymentStopped or EventTypes.PensionerDeceased);
    }

    [Fact]
    public async Task DeathReport_RetriedOrRepeated_OneCase_PaymentHeldNotSuspended_RejectionReleasesHeldMonths()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        using var reported = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-5) }, Operator(OperatorRole.Clerk, "clerk-first"));
        var first = await JsonAcceptedAsync(reported);
        var caseId = first.GetProperty("reviewCaseId").GetString()!;

        // A retried report (same date) and another clerk's report (another date) while it is open answer the same case.
        foreach (var (date, who) in new[] { (Day(-5), "clerk-first"), (Day(-9), "clerk-second") })
        {
            using var again = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = date }, Operator(OperatorRole.Clerk, who));
            var body = await JsonAcceptedAsync(again);
            Assert.Equal(first.ToString(), body.ToString());
        }
        var cases = await host.GetJsonAsync($"/api/review-cases?region={Region}&reason=death-report", Operator(OperatorRole.Admin, "admin-lister"));
        Assert.Equal([caseId], cases.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("pensionerId").GetString() == pensionerId).Select(c => c.GetProperty("caseId").GetString()));

        // While the case is open the payment is held once, not suspended: the standing and the year are untouched.
        var thisMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(ChinaTime.Today(TimeProvider.System)));
        var held = Assert.Single(await EventsAsync(pensionerId), e => e.Type == "payment.held");
        Assert.Equal(thisMonth, held.Data.StopFromMonth);
        Assert.Equal(caseId, held.Data.ReviewCaseId);
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type is EventTypes.PaymentSuspended or EventTypes.PaymentStopped);

        // Rejected: the hold is released and the held months are paid back; a later report opens a new case.
        var admin = Operator(OperatorRole.Admin, "admin-release");
        using (await PostAsync($"/api/review-cases/{caseId}/claim", new { }, admin)) { }
        using (var reject = await PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "reject", reason = "record-incorrect" }, admin))
            Assert.Equal("rejected", (await JsonOkAsync(reject)).GetProperty("state").GetString());
        var released = Assert.Single(await EventsAsync(pensionerId), e => e.Type == "payment.released");
        Assert.Equal([thisMonth], released.Data.BackPayMonths);
        Assert.Equal(CycleCalendar.FormatMonth(CycleCalendar.MonthOf(ChinaTime.Today(TimeProvider.System)).AddMonths(1)), released.Data.ResumeFromMonth);
        Assert.Equal("report-rejected", released.Data.Reason);
        using var later = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-5) }, Operator(OperatorRole.Clerk, "clerk-first"));
        Assert.NotEqual(caseId, (await JsonAcceptedAsync(later)).GetProperty("reviewCaseId").GetString());
        Assert.Equal(2, (await EventsAsync(pensionerId)).Count(e => e.Type == "payment.held"));
    }

    [Fact]
    public async Task DeathReport_LiveCertificationWhileOpen_CaseFlaggedForReviewers_PaymentStaysHeld()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        using var reported = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-3) }, Operator(OperatorRole.Clerk, "clerk-reports"));
        var caseId = (await JsonAcceptedAsync(reported)).GetProperty("reviewCaseId").GetString()!;

        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        Assert.Equal("Approved", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        var events = await EventsAsync(pensionerId);
        var contested = Assert.Single(events, e => e.Type == "review.death-report-contested");
        Assert.Equal(caseId, contested.Data.ReviewCaseId);
        Assert.Equal(certificationId, contested.Data.CertificationId);
        // The face alone does not end the hold (a relative could hold up a photo): an admin decides the case.
        Assert.DoesNotContain(events, e => e.Type == "payment.released");
        var reviewCase = await host.GetJsonAsync($"/api/review-cases/{caseId}", Operator(OperatorRole.Admin, "admin-looks"));
        Assert.Equal("open", reviewCase.GetProperty("case").GetProperty("state").GetString());
        Assert.Contains(reviewCase.GetProperty("recentAttempts").EnumerateArray(), a => a.GetProperty("certificationId").GetString() == certificationId);
    }

    [Fact]
    public async Task DeathReport_NobodyDecides_LapsesAfterConfiguredDays_HoldReleasedWithBackPay()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await BackdateEnrolmentAsync(pensionerId, DateTimeOffset.UtcNow.AddYears(-2));
        using var reported = await PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = Day(-3) }, Operator(OperatorRole.Clerk, "clerk-forgotten"));
        var caseId = (await JsonAcceptedAsync(reported)).GetProperty("reviewCaseId").GetString()!;

        // Nobody took the case for 31 days (more than the 30 of PensionCert:Review:DeathReportLapseDays).
        var store = host.App.Services.GetRequiredService<IReviewCaseStore>();
        var stored = (await store.GetAsync(caseId, CancellationToken.None))!;
        await store.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-31) }, CancellationToken.None);
        var review = host.App.Services.GetRequiredService<ReviewService>();
        await review.SweepAsync(CancellationToken.None);
        await review.SweepAsync(CancellationToken.None);

        var reviewCase = await host.GetJsonAsync($"/api/review-cases/{caseId}", Operator(OperatorRole.Admin, "admin-audit"));
        Assert.Equal("expired", reviewCase.GetProperty("case").GetProperty("state").GetString());
        var released = Assert.Single(await EventsAsync(pensionerId), e => e.Type == "payment.released");
        Assert.Equal("report-lapsed", released.Data.Reason);
        Assert.Equal([CycleCalendar.FormatMonth(CycleCalendar.MonthOf(ChinaTime.Today(TimeProvider.System)))], released.Data.BackPayMonths);
        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Active, profile.Standing);
        Assert.Null(profile.EndedOn);
    }

    [Fact]
    public async Task EveryWorkerDecision_AnnouncedExactlyOnceWithGuidance()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var rejected = await host.SubmitOkAsync(id, Photos.Impostor);
        var approved = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        Assert.Equal("Rejected", (await host.PollDecidedAsync(rejected)).GetProperty("status").GetString());
        Assert.Equal("Approved", (await host.PollDecidedAsync(approved)).GetProperty("status").GetString());

        // A redelivered message of a decided certification announces nothing again.
        var processor = host.App.Services.GetRequiredService<Core.Certification.CertificationProcessor>();
        await processor.ProcessAsync(new VerificationMessage(rejected), new Core.Certification.QueueDelivery(2, DateTimeOffset.UtcNow), CancellationToken.None);

        var events = await EventsAsync(pensionerId);
        var rejection = Assert.Single(events, e => e.Type == EventTypes.CertificationRejected);
        Assert.Equal("retake-photo", rejection.Data.Guidance);
        Assert.Equal("wechat", rejection.Data.Channel);
        Assert.Equal(rejected, rejection.Data.CertificationId);
        var approval = Assert.Single(events, e => e.Type == EventTypes.CertificationApproved);
        Assert.Equal(approved, approval.Data.CertificationId);
        Assert.Equal("worker", approval.Data.DecisionSource);
        // CloudEvents data carry the pensioner id only: no ID number, no name.
        Assert.All(events, e => Assert.DoesNotContain(id, CloudEventJson.Serialize(e), StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvestigationCertified_NeedsAnOpenInvestigationAndNamedEvidence()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var outcome = $"/api/pensioners/{pensionerId}/investigation";
        await AssertProblemAsync(await PostAsync(outcome, new { outcome = "certified", documentReference = "HV-2026-0001" }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.Conflict, "no-open-investigation");

        // Overdue: enrolled two years ago and never certified since.
        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        await Pensioners.UpdateAsync(profile with { EnrolledAt = DateTimeOffset.UtcNow.AddYears(-2), FirstEnrolledAt = DateTimeOffset.UtcNow.AddYears(-2), ValidUntil = ChinaTime.Today(TimeProvider.System).AddDays(-40) }, CancellationToken.None);
        await AssertProblemAsync(await PostAsync(outcome, new { outcome = "certified" }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "investigation-evidence-required");
        await AssertProblemAsync(await PostAsync(outcome, new { outcome = "certified", certificationId = "c" + new string('0', 32) }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "investigation-evidence-required");
        await AssertProblemAsync(await PostAsync(outcome, new { outcome = "suspend", documentReference = "HV-2026-0001" }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.BadRequest, "malformed-request");
        // Another person's face, rejected by the worker, is no evidence of this pensioner's life.
        var impostor = await host.SubmitOkAsync(id, Photos.Impostor);
        Assert.Equal("Rejected", (await host.PollDecidedAsync(impostor)).GetProperty("status").GetString());
        await AssertProblemAsync(await PostAsync(outcome, new { outcome = "certified", certificationId = impostor }, LocalHostFixture.OperatorKeyHeader), HttpStatusCode.Conflict, "investigation-evidence-not-approved");
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved);

        // A paper document alone is not applied by the caller: it waits for a second operator (FourEyes/InsiderPathsTests).
        using (var certified = await PostAsync(outcome, new { outcome = "certified", documentReference = "HV-2026-0001" }, LocalHostFixture.OperatorKeyHeader))
        {
            var opened = await JsonAcceptedAsync(certified);
            Assert.Equal("ReviewOpened", opened.GetProperty("result").GetString());
            Assert.Equal($"{Region}-h{pensionerId}{ChinaTime.Today(TimeProvider.System).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)}", opened.GetProperty("reviewCaseId").GetString());
        }
        Assert.DoesNotContain(await EventsAsync(pensionerId), e => e.Type == EventTypes.CertificationApproved);
        Assert.Equal(PensionerStanding.Active, (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);
        Assert.Equal(ChinaTime.Today(TimeProvider.System).AddDays(-40), (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!.ValidUntil);
    }

    [Fact]
    public async Task ReviewRoutes_BadInput_AreProblemJson()
    {
        var reviewer = Reviewer("reviewer-bad");
        await AssertProblemAsync(await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/review-cases/110105-nosuchcase", reviewer)), HttpStatusCode.NotFound, "review-case-not-found");
        await AssertProblemAsync(await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/review-cases?state=maybe", reviewer)), HttpStatusCode.BadRequest, "invalid-review-filter");
        await AssertProblemAsync(await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/review-cases?region=310101", reviewer)), HttpStatusCode.Forbidden, "region-not-served");
        await AssertProblemAsync(await PostAsync("/api/review-cases/110105-nosuchcase/decision", new { decision = "maybe" }, reviewer), HttpStatusCode.BadRequest, "invalid-review-decision");
    }

    private IPensionerRepository Pensioners => host.App.Services.GetRequiredService<IPensionerRepository>();

    private static (string, string) Reviewer(string subject) => Operator(OperatorRole.Reviewer, subject);

    private static (string, string) Operator(OperatorRole role, string subject) =>
        ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(role, [Region], subject));

    private static string Day(int offset) =>
        ChinaTime.Today(TimeProvider.System).AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private Task<HttpResponseMessage> EnrollAsync(string idNumber, string photo, (string, string) header, string name = "测试人员") =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", header,
            LocalHostFixture.Multipart(("idNumber", idNumber), ("name", name), ("regionCode", Region)).WithPhoto(photo)));

    private Task<HttpResponseMessage> PostAsync(string path, object body, (string, string) header) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, path, header, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json")));

    private static async Task<JsonElement> JsonOkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> JsonAcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response) await BadInputTests.AssertProblem(response, status, code, code);
    }

    private async Task<string> CaseIdOfAsync(string certificationId)
    {
        var record = await host.App.Services.GetRequiredService<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None);
        return Assert.IsType<string>(record!.ReviewCaseId);
    }

    /// <summary>Moves the pensioner's enrolment into the past (as if enrolled then), so dates before today are plausible.</summary>
    private async Task BackdateEnrolmentAsync(string pensionerId, DateTimeOffset enrolledAt)
    {
        var profile = (await Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        await Pensioners.UpdateAsync(profile with { EnrolledAt = enrolledAt, FirstEnrolledAt = enrolledAt }, CancellationToken.None);
    }

    /// <summary>The events written to the pensioner's outbox (one row per event id: a repeat would be a second row).</summary>
    private async Task<List<CycleEvent>> EventsAsync(string pensionerId)
    {
        var events = new List<CycleEvent>();
        await foreach (var e in host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
            events.Add(new CycleEvent(e.RowKey["outbox-".Length..], e.GetString("Type"), e.GetDateTimeOffset("OccurredAt") ?? default, e.GetInt32("Sequence") ?? 0, CloudEventJson.DeserializeData(e.GetString("Data"))));
        return events;
    }

    private async Task<int> AuditRowsAsync(string pensionerId, string action)
    {
        var n = 0;
        await foreach (var _ in host.Storage.OperatorAudit.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and Action eq {action}")))
            n++;
        return n;
    }
}
