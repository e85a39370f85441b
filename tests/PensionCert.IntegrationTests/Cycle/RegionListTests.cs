using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// GET /api/regions/{regionCode}/pensioners: a province or prefecture lists the pensioners of every county it covers
/// (it listed nothing), pages with opaque tokens that are checked (a made-up token was answered 200), and refuses a
/// pageSize that is not a whole number of at least 1 (-1 and abc were answered 200). Rows are projected into the real
/// read model on Azurite, under region codes (Xinjiang, 65) no other test uses.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class RegionListTests(LocalHostFixture host)
{
    private static readonly (string Header, string Value) ProvinceAdmin = LocalHostFixture.OperatorHeader(OperatorRole.Admin, "650000");

    [Fact]
    public async Task List_ProvinceAndPrefecture_ServeTheirCountiesPageByPage()
    {
        var urumqi = await ProjectAsync("650102");
        var karamay = await ProjectAsync("650203");
        var otherProvince = await ProjectAsync("640104");

        var province = await ListAllAsync("650000", pageSize: 1);
        Assert.Contains(urumqi, province);
        Assert.Contains(karamay, province);
        Assert.DoesNotContain(otherProvince, province);

        var prefecture = await ListAllAsync("650100", pageSize: 1);
        Assert.Contains(urumqi, prefecture);
        Assert.DoesNotContain(karamay, prefecture);

        var county = await ListAllAsync("650203", pageSize: 100);
        Assert.Equal([karamay], county.Where(p => p == karamay || p == urumqi));
    }

    [Theory]
    [InlineData("pageSize=-1", "invalid-page-size")]
    [InlineData("pageSize=0", "invalid-page-size")]
    [InlineData("pageSize=abc", "invalid-page-size")]
    [InlineData("pageSize=1.5", "invalid-page-size")]
    [InlineData("pageSize=5&pageSize=6", "invalid-page-size")]
    [InlineData("continuationToken=garbage", "invalid-continuation-token")]
    [InlineData("continuationToken=NjV8MSE4IU5qVXdNVEF5IDEhNCFjREU", "invalid-continuation-token")] // a token of Xinjiang's (65) list, asked of Ningxia (64)
    [InlineData("continuationToken=%F0%9F%98%80", "invalid-continuation-token")]
    public async Task List_BadPagingParameters_400(string query, string code)
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get,
            $"/api/regions/640000/pensioners?state=UnderInvestigation&{query}", LocalHostFixture.OperatorKeyHeader));

        await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, code, query);
    }

    [Fact]
    public async Task List_PageSizeAboveTheCap_ServedAs500()
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get,
            "/api/regions/650000/pensioners?state=UnderInvestigation&pageSize=100000", ProvinceAdmin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task List_StateNotListable_400TitleNamesEveryListableState()
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get,
            "/api/regions/650000/pensioners?state=NeverCertified", ProvinceAdmin));

        var problem = await BadInputTests.AssertProblem(response, HttpStatusCode.BadRequest, "invalid-state-filter", "NeverCertified");
        var title = problem.GetProperty("title").GetString()!;
        foreach (var state in CycleQueryService.ListableStates) Assert.Contains(state.ToString(), title);
    }

    /// <summary>Projects an investigation.opened event of a new pensioner of <paramref name="regionCode"/>; returns its id.</summary>
    private async Task<string> ProjectAsync(string regionCode)
    {
        var pensionerId = "p" + Guid.NewGuid().ToString("N");
        var readModel = host.App.Services.GetRequiredService<ICycleReadModel>();
        await readModel.ProjectAsync(new CycleEvent("e" + Guid.NewGuid().ToString("N"), "investigation.opened", DateTimeOffset.UtcNow, 1,
            new CycleEventData { PensionerId = pensionerId, RegionCode = regionCode, State = nameof(EligibilityState.UnderInvestigation), EffectiveOn = DateOnly.FromDateTime(DateTime.UtcNow) }),
            CancellationToken.None);
        return pensionerId;
    }

    /// <summary>Every pensioner under investigation the province admin sees in <paramref name="regionCode"/>, following the tokens.</summary>
    private async Task<List<string>> ListAllAsync(string regionCode, int pageSize)
    {
        var ids = new List<string>();
        string? token = null;
        for (var page = 0; page < 1000; page++)
        {
            var path = $"/api/regions/{regionCode}/pensioners?state=UnderInvestigation&pageSize={pageSize}"
                + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, ProvinceAdmin));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
            var json = JsonDocument.Parse(body).RootElement;
            ids.AddRange(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("pensionerId").GetString()!));
            token = json.GetProperty("continuationToken").GetString();
            if (token is null) return ids;
        }
        throw new InvalidOperationException("more than 1000 pages");
    }
}
