using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.HomeVisits;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using static PensionCert.IntegrationTests.OfflineTestClient;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Home visits through HTTP on the local host with real photos: request (client app and operator), schedule, capture
/// on the visit, complete; unsuccessful (found deceased opens a review case and stops nothing); cancel; the sweep's
/// way out; idempotent calls; the hold on suspension and one event per change.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HomeVisitTests(LocalHostFixture host)
{
    private static readonly (string, string) Client = LocalHostFixture.ClientKeyHeader;

    [Fact]
    public async Task HomeVisit_FromFamilyRequestToCompletion_CertificationApprovesAndHoldCloses()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = Clerk("clerk-visits-01");
        var key = Guid.NewGuid().ToString();
        var request = new
        {
            pensionerId,
            reason = "bedridden",
            contactPhone = "13800138000",
            address = "北京市朝阳区某某街道 12 号楼 3 单元 401",
            preferredDates = new[] { ChinaToday.AddDays(2).ToString("yyyy-MM-dd") },
            requesterKind = "family",
        };

        var (status, requested, response) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visit-requests", Client, request, key);
        Assert.Equal(HttpStatusCode.Created, status);
        var visitId = requested.GetProperty("visitId").GetString()!;
        Assert.Equal("Requested", requested.GetProperty("state").GetString());
        Assert.False(requested.TryGetProperty("contactPhone", out _));
        Assert.Equal($"/api/home-visit-requests/{visitId}", response.Headers.Location?.ToString());
        var (replayStatus, replayed, replayResponse) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visit-requests", Client, request, key);
        Assert.Equal(HttpStatusCode.OK, replayStatus);
        Assert.Equal(visitId, replayed.GetProperty("visitId").GetString());
        Assert.Equal("true", replayResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Contains("home-visit:" + visitId, (await host.ProfileAsync(pensionerId)).OpenHolds);

        var visitDay = ChinaToday.AddDays(1).ToString("yyyy-MM-dd");
        var (scheduleStatus, scheduled, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/schedule", clerk,
            new { date = visitDay, assignedStaff = "staff-07" }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, scheduleStatus);
        Assert.Equal("Scheduled", scheduled.GetProperty("state").GetString());
        Assert.Equal("13800138000", scheduled.GetProperty("contactPhone").GetString());
        var listed = await host.GetJsonAsync($"/api/home-visits?region={Region}&state=Scheduled&date={visitDay}&staff=staff-07&pageSize=500", clerk);
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), v => v.GetProperty("visitId").GetString() == visitId);

        var certificationId = await host.SubmitOfflineOkAsync(clerk, pensionerId, Photos.GenuineProbe, channel: "home-visit", visitId: visitId);
        var decided = await host.PollOfflineAsync(clerk, certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Equal(visitId, decided.GetProperty("homeVisitId").GetString());

        var (completeStatus, completed, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/complete", clerk, new { certificationId });
        Assert.Equal(HttpStatusCode.OK, completeStatus);
        Assert.Equal("Completed", completed.GetProperty("state").GetString());
        Assert.Equal(certificationId, completed.GetProperty("certificationId").GetString());
        var (againStatus, again, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/complete", clerk, new { certificationId });
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Equal(completed.GetProperty("version").GetInt32(), again.GetProperty("version").GetInt32());

        Assert.DoesNotContain("home-visit:" + visitId, (await host.ProfileAsync(pensionerId)).OpenHolds);
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", Client);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
        var status2 = await host.GetJsonAsync($"/api/home-visit-requests/{visitId}", Client);
        Assert.Equal("Completed", status2.GetProperty("state").GetString());
        // Another channel's key does not see the request (its reason is health data).
        var (otherStatus, otherBody, _) = await host.SendJsonAsync(HttpMethod.Get, $"/api/home-visit-requests/{visitId}", ("x-functions-key", "local-alipay-key-0001"));
        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        Assert.Equal("home-visit-not-found", Code(otherBody));
        var events = (await host.OutboxAsync(pensionerId)).Select(e => e.Type).Where(t => t.StartsWith("home-visit.", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(["home-visit.completed", "home-visit.requested", "home-visit.scheduled"], events);
        Assert.DoesNotContain(await host.OutboxAsync(pensionerId), e => e.Data.Contains("13800138000", StringComparison.Ordinal) || e.Data.Contains("朝阳区", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HomeVisit_FoundDeceased_IsUnsuccessfulOpensAReviewCaseAndStopsNoPayment()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = Clerk("clerk-visits-02");
        var (status, visit, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId, "very-old"));
        Assert.Equal(HttpStatusCode.Created, status);
        var visitId = visit.GetProperty("visitId").GetString()!;
        Assert.Equal("operator", visit.GetProperty("requestedByKind").GetString());

        var (early, earlyBody, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/unsuccessful", clerk, new { reason = "not-at-home" });
        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Equal("home-visit-state-conflict", Code(earlyBody));
        await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/schedule", clerk, new { date = ChinaToday.ToString("yyyy-MM-dd"), assignedStaff = "staff-08" });
        var (done, unsuccessful, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/unsuccessful", clerk, new { reason = "found-deceased" });

        Assert.Equal(HttpStatusCode.OK, done);
        Assert.Equal("Unsuccessful", unsuccessful.GetProperty("state").GetString());
        Assert.Equal("found-deceased", unsuccessful.GetProperty("outcomeReason").GetString());
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", Client);
        Assert.Equal("NeverCertified", eligibility.GetProperty("state").GetString());
        var profile = await host.ProfileAsync(pensionerId);
        Assert.Equal(Core.Cycle.PensionerStanding.Active, profile.Standing);
        Assert.DoesNotContain("home-visit:" + visitId, profile.OpenHolds);
        var types = (await host.OutboxAsync(pensionerId)).Select(e => e.Type).ToArray();
        Assert.Contains("home-visit.unsuccessful", types);
        Assert.DoesNotContain("payment.stopped", types);
        Assert.DoesNotContain("pensioner.deceased", types);
        var cases = await host.GetJsonAsync($"/api/review-cases?date={ChinaToday:yyyy-MM-dd}", LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, Region));
        Assert.Contains(cases.GetProperty("cases").EnumerateArray(), c =>
            c.GetProperty("pensionerId").GetString() == pensionerId && c.GetProperty("reason").GetString() == HomeVisitService.FoundDeceasedReviewReason);
    }

    [Fact]
    public async Task HomeVisitList_PagesWithItsToken_MadeUpOrForeignTokensAre400()
    {
        var clerk = Clerk("clerk-visit-pages");
        for (var i = 0; i < 2; i++)
        {
            var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
            var (status, _, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId));
            Assert.Equal(HttpStatusCode.Created, status);
        }
        var first = await host.GetJsonAsync($"/api/home-visits?region={Region}&pageSize=1", clerk);
        var token = first.GetProperty("continuationToken").GetString()!;
        var second = await host.GetJsonAsync($"/api/home-visits?region={Region}&pageSize=1&continuationToken={Uri.EscapeDataString(token)}", clerk);
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("visitId").GetString(), second.GetProperty("items")[0].GetProperty("visitId").GetString());

        // A visit whose data key was removed from the configuration is listed (reason empty), not a 500 for the whole region.
        var template = (await host.Storage.HomeVisits.GetEntityAsync<Azure.Data.Tables.TableEntity>(Region, first.GetProperty("items")[0].GetProperty("visitId").GetString()!)).Value;
        var unreadableId = "v" + Region + Guid.NewGuid().ToString("N");
        var unreadable = new Azure.Data.Tables.TableEntity(template) { RowKey = unreadableId, ["ReasonProtected"] = "retired:AAAA", ["ContactPhoneProtected"] = "retired:AAAA", ["AddressProtected"] = "retired:AAAA" };
        await host.Storage.HomeVisits.AddEntityAsync(unreadable);
        try
        {
            var all = await host.GetJsonAsync($"/api/home-visits?region={Region}&pageSize=500", clerk);
            var listed = Assert.Single(all.GetProperty("items").EnumerateArray(), v => v.GetProperty("visitId").GetString() == unreadableId);
            Assert.Equal("", listed.GetProperty("reason").GetString());
        }
        finally
        {
            await host.Storage.HomeVisits.DeleteEntityAsync(Region, unreadableId);
        }

        // A made-up token, and a well-formed one issued for another region's list, are refused instead of answering an empty page.
        var foreign = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes("110106|110106 v110106x"));
        foreach (var bad in new[] { "zzz", foreign })
        {
            var (status, body, _) = await host.SendJsonAsync(HttpMethod.Get, $"/api/home-visits?region={Region}&continuationToken={Uri.EscapeDataString(bad)}", clerk);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("invalid-continuation-token", Code(body));
        }
    }

    [Fact]
    public async Task HomeVisit_Cancel_ReleasesTheHoldIsIdempotentAndAllowsANewRequest()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = Clerk("clerk-visits-03");
        var (_, visit, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId));
        var visitId = visit.GetProperty("visitId").GetString()!;
        var (second, secondBody, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId, "disabled"));
        Assert.Equal(HttpStatusCode.Conflict, second);
        Assert.Equal("home-visit-already-open", Code(secondBody));

        var key = Guid.NewGuid().ToString();
        var (cancelStatus, cancelled, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/cancel", clerk, new { reason = "requested-by-pensioner" }, key);
        var (replayStatus, replayed, replay) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/cancel", clerk, new { reason = "requested-by-pensioner" }, key);
        var (reusedStatus, reused, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/cancel", clerk, new { reason = "duplicate" }, key);
        var (afterStatus, after, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/schedule", clerk,
            new { date = ChinaToday.AddDays(1).ToString("yyyy-MM-dd"), assignedStaff = "staff-09" });

        Assert.Equal(HttpStatusCode.OK, cancelStatus);
        Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, replayStatus);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(cancelled.GetProperty("version").GetInt32(), replayed.GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, reusedStatus);
        Assert.Equal("idempotency-key-reused", Code(reused));
        Assert.Equal(HttpStatusCode.Conflict, afterStatus);
        Assert.Equal("home-visit-state-conflict", Code(after));
        Assert.DoesNotContain("home-visit:" + visitId, (await host.ProfileAsync(pensionerId)).OpenHolds);
        Assert.Single(await host.OutboxAsync(pensionerId), e => e.Type == "home-visit.cancelled");
        var (newStatus, _, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId, "disabled"));
        Assert.Equal(HttpStatusCode.Created, newStatus);
    }

    [Fact]
    public async Task HomeVisit_NobodyActs_SweepEscalatesThenExpiresAndReleasesTheHold()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var (_, visit, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", Clerk("clerk-visits-04"), VisitRequest(pensionerId));
        var visitId = visit.GetProperty("visitId").GetString()!;
        var options = host.App.Services.GetRequiredService<IOptions<HomeVisitOptions>>().Value;

        await SweepAtAsync(DateTimeOffset.UtcNow.AddDays(options.ScheduleWithinDays + 1));
        var escalated = await host.GetJsonAsync($"/api/home-visits/{visitId}", Clerk());
        await SweepAtAsync(DateTimeOffset.UtcNow.AddDays(options.ExpireAfterDays + 1));
        var expired = await host.GetJsonAsync($"/api/home-visits/{visitId}", Clerk());

        Assert.Equal("Requested", escalated.GetProperty("state").GetString());
        Assert.NotEqual(JsonValueKind.Null, escalated.GetProperty("escalatedAt").ValueKind);
        Assert.Equal("Expired", expired.GetProperty("state").GetString());
        Assert.DoesNotContain("home-visit:" + visitId, (await host.ProfileAsync(pensionerId)).OpenHolds);
        var types = (await host.OutboxAsync(pensionerId)).Select(e => e.Type).ToArray();
        Assert.Single(types, t => t == "home-visit.escalated");
        Assert.Single(types, t => t == "home-visit.expired");
    }

    private Task<HomeVisitSweepResult> SweepAtAsync(DateTimeOffset now)
    {
        var services = host.App.Services;
        var clock = new FixedClock(now);
        var sweep = new HomeVisitSweep(services.GetRequiredService<IHomeVisitStore>(), services.GetRequiredService<IPensionerRepository>(),
            services.GetRequiredService<HomeVisitService>(), services.GetRequiredService<IOptions<HomeVisitOptions>>(), clock, NullLogger<HomeVisitSweep>.Instance);
        return sweep.RunAsync(CancellationToken.None);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
