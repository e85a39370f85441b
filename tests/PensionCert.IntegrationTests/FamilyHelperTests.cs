using System.Net;
using System.Text.Json;
using static PensionCert.IntegrationTests.OfflineTestClient;

namespace PensionCert.IntegrationTests;

/// <summary>Family-assisted certification (亲情认证) through HTTP with real photos, and what a clerk of another region sees.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class FamilyHelperTests(LocalHostFixture host)
{
    private static readonly (string, string) Client = LocalHostFixture.ClientKeyHeader;

    [Fact]
    public async Task Helper_OnceApproved_SubmitsThePensionersSelfieRecordedAsAssistedAndCountedApart()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var helperId = await RequestHelperAsync(id);

        using var pending = await SubmitAsHelperAsync(id, helperId);
        Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        Assert.Equal("family-helper-not-approved", Code(JsonDocument.Parse(await pending.Content.ReadAsStringAsync()).RootElement));
        var (approveStatus, approved, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/pensioners/{pensionerId}/family-helpers/{helperId}/approve", Clerk("clerk-helpers-01"));
        Assert.Equal(HttpStatusCode.OK, approveStatus);
        Assert.Equal("Active", approved.GetProperty("state").GetString());
        Assert.Equal("clerk-helpers-01", approved.GetProperty("approvedBy").GetString());

        using var submitted = await SubmitAsHelperAsync(id, helperId);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var certificationId = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;
        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Equal(helperId, decided.GetProperty("assistedBy").GetString());
        var month = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM");
        var assisted = await host.GetJsonAsync($"/api/regions/{Region}/assisted-certifications?month={month}", Clerk());
        Assert.Contains(assisted.GetProperty("items").EnumerateArray(), a => a.GetProperty("certificationId").GetString() == certificationId && a.GetProperty("helperId").GetString() == helperId);
        Assert.Equal(assisted.GetProperty("items").GetArrayLength(), assisted.GetProperty("count").GetInt32());
        var approvedEvent = (await host.OutboxAsync(pensionerId)).Single(e => e.Type == "certification.approved");
        Assert.Contains($"\"assistedBy\":\"{helperId}\"", approvedEvent.Data);
    }

    [Fact]
    public async Task Helper_Revoked_IsRefusedAndNothingIsSubmitted()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var helperId = await RequestHelperAsync(id);
        await host.SendJsonAsync(HttpMethod.Post, $"/api/pensioners/{pensionerId}/family-helpers/{helperId}/approve", Clerk());
        var (revokeStatus, revoked, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/pensioners/{pensionerId}/family-helpers/{helperId}/revoke", Clerk("clerk-helpers-02"));

        using var refused = await SubmitAsHelperAsync(id, helperId);

        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.Equal("Revoked", revoked.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("family-helper-revoked", Code(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement));
        var (again, againBody, _) = await host.SendJsonAsync(HttpMethod.Post, $"/api/pensioners/{pensionerId}/family-helpers/{helperId}/approve", Clerk());
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("family-helper-state-conflict", Code(againBody));
    }

    [Fact]
    public async Task ClerkOfAnotherRegion_SeesNoneOfIt()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var clerk = Clerk("clerk-visits-05");
        var (_, visit, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", clerk, VisitRequest(pensionerId));
        var visitId = visit.GetProperty("visitId").GetString()!;
        var helperId = await RequestHelperAsync(id);
        var certificationId = await host.SubmitOfflineOkAsync(clerk, pensionerId, Photos.GenuineProbe);
        var other = Clerk("clerk-tianjin-01", "120101");

        // Routes naming a region (or a visit, whose id carries its region) say the region is not served.
        var refusals = new List<(HttpStatusCode, JsonElement, HttpResponseMessage)>
        {
            await host.SendJsonAsync(HttpMethod.Get, $"/api/home-visits/{visitId}", other),
            await host.SendJsonAsync(HttpMethod.Get, $"/api/home-visits?region={Region}", other),
            await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/schedule", other, new { date = ChinaToday.ToString("yyyy-MM-dd"), assignedStaff = "x" }),
            await host.SendJsonAsync(HttpMethod.Post, $"/api/home-visits/{visitId}/cancel", other, new { reason = "other" }),
            await host.SendJsonAsync(HttpMethod.Get, $"/api/regions/{Region}/assisted-certifications?month=2026-01", other),
        };
        // Routes naming a pensioner (or a certification) answer exactly as for one nobody has: nothing tells the clerk
        // that the pensioner is enrolled in another region.
        var notFound = new List<(HttpStatusCode, JsonElement, HttpResponseMessage)>
        {
            await host.SendJsonAsync(HttpMethod.Post, "/api/home-visits", other, VisitRequest(pensionerId)),
            await host.SendJsonAsync(HttpMethod.Get, $"/api/pensioners/{pensionerId}/family-helpers", other),
            await host.SendJsonAsync(HttpMethod.Post, $"/api/pensioners/{pensionerId}/family-helpers/{helperId}/approve", other),
        };
        var (certStatus, certBody, certResponse) = await host.SendJsonAsync(HttpMethod.Get, $"/api/offline-certifications/{certificationId}", other);
        using var capture = await host.SubmitOfflineAsync(other, pensionerId, Photos.GenuineProbe);
        var ownList = await host.GetJsonAsync("/api/home-visits", other);

        foreach (var (status, body, response) in refusals)
        {
            Assert.True(status == HttpStatusCode.Forbidden, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)status}");
            Assert.Equal("region-not-served", Code(body));
            response.Dispose();
        }
        foreach (var (status, body, response) in notFound)
        {
            Assert.True(status == HttpStatusCode.NotFound, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)status}");
            Assert.Equal("pensioner-not-found", Code(body));
            response.Dispose();
        }
        Assert.Equal((HttpStatusCode.NotFound, "certification-not-found"), (certStatus, Code(certBody)));
        certResponse.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, capture.StatusCode);
        Assert.Equal("pensioner-not-found", JsonDocument.Parse(await capture.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain(ownList.GetProperty("items").EnumerateArray(), v => v.GetProperty("pensionerId").GetString() == pensionerId);
    }

    private async Task<string> RequestHelperAsync(string idNumber)
    {
        var (status, body, _) = await host.SendJsonAsync(HttpMethod.Post, "/api/family-helper-requests", Client,
            new { idNumber, name = "张小明", phone = "13900139000", relationship = "child" }, Guid.NewGuid().ToString());
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.Equal("Pending", body.GetProperty("state").GetString());
        return body.GetProperty("helperId").GetString()!;
    }

    private Task<HttpResponseMessage> SubmitAsHelperAsync(string idNumber, string helperId) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", Client,
            LocalHostFixture.Multipart(("channel", "app"), ("idNumber", idNumber), ("helperId", helperId)).WithPhoto(Photos.GenuineProbe)));
}
