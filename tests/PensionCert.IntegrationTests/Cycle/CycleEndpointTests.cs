using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>The annual cycle's HTTP endpoints on the local host over real HTTP (system clock, Azurite).</summary>
[Collection(LocalHostCollection.Name)]
public sealed class CycleEndpointTests(LocalHostFixture host)
{
    /// <summary>Today in China, taken when the test starts (never within minutes of midnight: <see cref="ChinaMidnight"/>).</summary>
    private readonly string Today = ChinaMidnight.Today();

    /// <summary>Stores a pensioner certified 400 days ago (so overdue now) directly through the host's services.</summary>
    private async Task<(string PensionerId, string IdNumber)> SeedOverdueAsync(string region)
    {
        var services = host.App.Services;
        var idNumber = TestIdNumbers.New(region);
        var id = CitizenIdNumber.Parse(idNumber, ChinaTime.Today(TimeProvider.System));
        var certified = DateTimeOffset.UtcNow.AddDays(-400);
        var profile = await TestPensioners.NewProfileAsync(services, id, region, certified) with
        {
            LastCertifiedAt = certified,
            ValidUntil = CertificationCalendar.ValidUntil(ChinaTime.ToChinaDate(certified)),
        };
        await services.GetRequiredService<IPensionerRepository>().SaveEnrollmentAsync(profile, null, CancellationToken.None);
        return (profile.PensionerId, idNumber);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body, string contentType, bool operatorKey = true)
    {
        // Evidence is machine data: posted by the integration identity, every other route by the default admin.
        var operatorHeader = path == "/api/evidence" ? LocalHostFixture.IntegrationKeyHeader : LocalHostFixture.OperatorKeyHeader;
        var request = LocalHostFixture.Request(HttpMethod.Post, path, operatorKey ? operatorHeader : LocalHostFixture.ClientKeyHeader,
            new StringContent(body, Encoding.UTF8, contentType));
        return host.Http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Evidence_CsvAndJsonLines_CertifySilentlyReportPerRecordAndRepeatIsIdempotent()
    {
        var (pensionerId, idNumber) = await SeedOverdueAsync("130102");
        var (otherId, otherIdNumber) = await SeedOverdueAsync("130102");
        var csv = "idNumber,type,date,source\r\n"
            + $"{idNumber},medical-settlement,{Today},medical-insurance\r\n"
            + $"{TestIdNumbers.New("130102")},hospital-stay,{Today},hospital\r\n"
            + $"{otherIdNumber},bank-counter,{Today},pawn-shop\r\n"
            + "not,enough\r\n";
        var first = await JsonAsync(await PostAsync("/api/evidence", csv, "text/csv"), HttpStatusCode.OK);
        Assert.Equal(4, first.GetProperty("received").GetInt32());
        Assert.Equal(["certified", "unknown-person", "untrusted-source", "invalid-record"],
            first.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()));
        Assert.Equal(pensionerId, first.GetProperty("results")[0].GetProperty("pensionerId").GetString());
        Assert.DoesNotContain(idNumber, first.ToString(), StringComparison.Ordinal);

        var again = await JsonAsync(await PostAsync("/api/evidence", csv, "text/csv"), HttpStatusCode.OK);
        Assert.Equal(0, again.GetProperty("counts").GetProperty("certified").GetInt32());
        Assert.Equal(1, again.GetProperty("counts").GetProperty("already-applied").GetInt32());

        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
        Assert.Equal(Today, eligibility.GetProperty("lastCertifiedOn").GetString());

        var jsonl = $"{{\"idNumber\":\"{otherIdNumber}\",\"type\":\"death-deregistration\",\"date\":\"{Today}\",\"source\":\"public-security\"}}\n{{\"idNumber\":1}}\n";
        var death = await JsonAsync(await PostAsync("/api/evidence", jsonl, "application/x-ndjson"), HttpStatusCode.OK);
        Assert.Equal(["deceased", "invalid-record"], death.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()));
        var deceased = await host.GetJsonAsync($"/api/pensioners/{otherId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Deceased", deceased.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Evidence_IntegrationOfOneRegion_ChangesOnlyThatRegionsPensioners_OthersRefusedPerRecordAndCounted()
    {
        var (servedId, servedIdNumber) = await SeedOverdueAsync("150102");
        var (servedDeadId, servedDeadIdNumber) = await SeedOverdueAsync("150102");
        var (otherId, otherIdNumber) = await SeedOverdueAsync("350102");
        var (otherDeadId, otherDeadIdNumber) = await SeedOverdueAsync("350102");
        var csv = "idNumber,type,date,source\r\n"
            + $"{servedIdNumber},medical-settlement,{Today},medical-insurance\r\n"
            + $"{otherIdNumber},medical-settlement,{Today},medical-insurance\r\n"
            + $"{otherDeadIdNumber},death-cremation,{Today},funeral\r\n"
            + $"{otherIdNumber},bank-counter,{Today},pawn-shop\r\n"
            + $"{servedDeadIdNumber},death-cremation,{Today},funeral\r\n";
        var subject = "integration-evidence-" + Guid.NewGuid().ToString("N")[..8];
        var request = LocalHostFixture.Request(HttpMethod.Post, "/api/evidence",
            ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(Core.Operators.OperatorRole.Integration, ["150100"], subject)),
            new StringContent(csv, Encoding.UTF8, "text/csv"));

        var report = await JsonAsync(await host.Http.SendAsync(request), HttpStatusCode.OK);

        Assert.Equal(5, report.GetProperty("received").GetInt32());
        Assert.Equal(["certified", "region-not-served", "region-not-served", "region-not-served", "deceased"],
            report.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()));
        Assert.Equal(servedId, report.GetProperty("results")[0].GetProperty("pensionerId").GetString());
        Assert.Equal(servedDeadId, report.GetProperty("results")[4].GetProperty("pensionerId").GetString());
        foreach (var i in new[] { 1, 2, 3 })
            Assert.Equal(JsonValueKind.Null, report.GetProperty("results")[i].GetProperty("pensionerId").ValueKind);
        Assert.Equal(3, report.GetProperty("counts").GetProperty("region-not-served").GetInt32());
        Assert.Equal(1, report.GetProperty("counts").GetProperty("certified").GetInt32());
        Assert.DoesNotContain(otherId, report.ToString(), StringComparison.Ordinal);

        // Only the served region's pensioners changed.
        Assert.Equal("Valid", (await host.GetJsonAsync($"/api/pensioners/{servedId}/eligibility", LocalHostFixture.ClientKeyHeader)).GetProperty("state").GetString());
        Assert.Equal("Deceased", (await host.GetJsonAsync($"/api/pensioners/{servedDeadId}/eligibility", LocalHostFixture.ClientKeyHeader)).GetProperty("state").GetString());
        var pensioners = host.App.Services.GetRequiredService<IPensionerRepository>();
        foreach (var untouched in new[] { otherId, otherDeadId })
        {
            var profile = (await pensioners.GetAsync(untouched, CancellationToken.None))!;
            Assert.Equal(PensionerStanding.Active, profile.Standing);
            Assert.Null(profile.EndedOn);
            Assert.True(profile.LastCertifiedAt < DateTimeOffset.UtcNow.AddDays(-300));
        }

        // The audit row holds counts only.
        var audit = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var e in host.Storage.OperatorAudit.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"Actor eq {subject}")))
            audit.Add(e);
        var row = Assert.Single(audit);
        Assert.Equal("machine identity (integration): evidence received=5 certified=1 deceased=1 regionNotServed=3", row.GetString("Detail"));
        Assert.Equal("integration", row.GetString("Role"));
        Assert.Null(row.GetString("PensionerId"));
    }

    [Fact]
    public async Task Evidence_BadRequests_AreProblemJson()
    {
        using var wrongType = await PostAsync("/api/evidence", "{}", "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal("evidence-format-unsupported", (await JsonAsync(wrongType, HttpStatusCode.UnsupportedMediaType)).GetProperty("code").GetString());

        using var badHeader = await PostAsync("/api/evidence", "id,kind\r\n1,2\r\n", "text/csv");
        Assert.Equal("evidence-malformed", (await JsonAsync(badHeader, HttpStatusCode.BadRequest)).GetProperty("code").GetString());

        using var clientKey = await PostAsync("/api/evidence", "idNumber,type,date,source\r\n", "text/csv", operatorKey: false);
        Assert.Equal(HttpStatusCode.Unauthorized, clientKey.StatusCode);
    }

    [Fact]
    public async Task Evidence_MoreThanOneHundredThousandRecords_Is413AfterTheLimit()
    {
        // Records with a bad ID number need no storage, so 100,001 of them test the limit quickly.
        var body = new StringBuilder("idNumber,type,date,source\n");
        for (var i = 0; i <= 100_000; i++) body.Append("bad,hospital-stay,2025-01-01,hospital\n");
        using var response = await PostAsync("/api/evidence", body.ToString(), "text/csv");
        Assert.Equal("evidence-too-many-records", (await JsonAsync(response, HttpStatusCode.RequestEntityTooLarge)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Investigation_SuspendThenPaymentChangesAndOperatorListShowIt()
    {
        var (pensionerId, _) = await SeedOverdueAsync("140105");
        // The pensioner is overdue (no scan has opened the investigation yet): the operator may still confirm the outcome.
        var homeVisit = await JsonAsync(await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"home-visit-requested\"}", "application/json"), HttpStatusCode.OK);
        Assert.Equal("Applied", homeVisit.GetProperty("result").GetString());
        using var held = await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"suspend\"}", "application/json");
        Assert.Equal("suspension-held", (await JsonAsync(held, HttpStatusCode.Conflict)).GetProperty("code").GetString());
        await JsonAsync(await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"home-visit-closed\"}", "application/json"), HttpStatusCode.OK);
        var suspended = await JsonAsync(await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"suspend\"}", "application/json"), HttpStatusCode.OK);
        Assert.Equal("Applied", suspended.GetProperty("result").GetString());

        using var badOutcome = await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"shrug\"}", "application/json");
        Assert.Equal("invalid-investigation-outcome", (await JsonAsync(badOutcome, HttpStatusCode.BadRequest)).GetProperty("code").GetString());

        await host.App.Services.GetRequiredService<OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        var month = Today[..7];
        var changes = await host.GetJsonAsync($"/api/regions/140105/payment-changes?month={month}", LocalHostFixture.OperatorKeyHeader);
        var change = Assert.Single(changes.GetProperty("changes").EnumerateArray(), c => c.GetProperty("pensionerId").GetString() == pensionerId);
        Assert.Equal("suspended", change.GetProperty("kind").GetString());
        Assert.Equal(month, change.GetProperty("stopFromMonth").GetString());

        using var csvRequest = LocalHostFixture.Request(HttpMethod.Get, $"/api/regions/140105/payment-changes?month={month}", LocalHostFixture.OperatorKeyHeader);
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await host.Http.SendAsync(csvRequest);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("pensionerId,kind,effectiveOn,stopFromMonth,resumeFromMonth,backPayMonths,dateOfDeath,eventId", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(pensionerId + ",suspended,", StringComparison.Ordinal));

        var list = await host.GetJsonAsync("/api/regions/140105/pensioners?state=Suspended&pageSize=50", LocalHostFixture.OperatorKeyHeader);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("pensionerId").GetString() == pensionerId);

        // Mark deceased (reported, then approved by a second admin): everything stops, and a second report is already applied.
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, Today);
        var repeat = await JsonAsync(await PostAsync($"/api/pensioners/{pensionerId}/status", $"{{\"status\":\"deceased\",\"effectiveOn\":\"{Today}\"}}", "application/json"), HttpStatusCode.OK);
        Assert.Equal("AlreadyApplied", repeat.GetProperty("result").GetString());
        using var afterDeath = await PostAsync($"/api/pensioners/{pensionerId}/investigation", "{\"outcome\":\"certified\"}", "application/json");
        Assert.Equal("pensioner-inactive", (await JsonAsync(afterDeath, HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task CycleQueries_BadParameters_AreProblemJson()
    {
        async Task<string?> CodeAsync(string path, HttpStatusCode status)
        {
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, LocalHostFixture.OperatorKeyHeader));
            return (await JsonAsync(response, status)).GetProperty("code").GetString();
        }
        Assert.Equal("invalid-month", await CodeAsync("/api/regions/110101/payment-changes?month=2025-13", HttpStatusCode.BadRequest));
        Assert.Equal("invalid-region-code", await CodeAsync("/api/regions/11x101/payment-changes?month=2025-01", HttpStatusCode.BadRequest));
        Assert.Equal("invalid-state-filter", await CodeAsync("/api/regions/110101/pensioners?state=Happy", HttpStatusCode.BadRequest));
        Assert.Equal("invalid-state-filter", await CodeAsync("/api/regions/110101/pensioners?state=3", HttpStatusCode.BadRequest));
        using var unknown = await PostAsync($"/api/pensioners/p{new string('0', 32)}/status", "{\"status\":\"deceased\",\"effectiveOn\":\"2025-01-01\"}", "application/json");
        Assert.Equal("pensioner-not-found", (await JsonAsync(unknown, HttpStatusCode.NotFound)).GetProperty("code").GetString());
        var (living, _) = await SeedOverdueAsync("150102");
        using var status = await PostAsync($"/api/pensioners/{living}/status", "{\"status\":\"retired\",\"effectiveOn\":\"2025-01-01\"}", "application/json");
        Assert.Equal("invalid-status-change", (await JsonAsync(status, HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        using var future = await PostAsync($"/api/pensioners/{living}/status", "{\"status\":\"deceased\",\"effectiveOn\":\"2999-01-01\"}", "application/json");
        Assert.Equal("date-in-future", (await JsonAsync(future, HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        using var missing = await PostAsync($"/api/pensioners/p{new string('0', 32)}/status", $"{{\"status\":\"deceased\",\"effectiveOn\":\"{Today}\"}}", "application/json");
        Assert.Equal("pensioner-not-found", (await JsonAsync(missing, HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }
}
