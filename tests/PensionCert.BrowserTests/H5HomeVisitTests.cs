using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PensionCert.IntegrationTests;
using static PensionCert.Core.Sessions.ChallengeAction;

namespace PensionCert.BrowserTests;

/// <summary>
/// "申请上门认证" on the phone page: the pensioner asks for a home visit with the page's session token only (the
/// channel's client key never reaches the browser), the request lands in the region's home visits for the clerks, and
/// asking twice does not open a second visit.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class H5HomeVisitTests(ConsoleHostFixture host)
{
    /// <summary>
    /// The order in which Chromium lays out the fields of the page's date input, read from its user-agent shadow tree
    /// through the DevTools protocol (the field order follows the browser's UI locale, <c>--lang</c>).
    /// </summary>
    private async Task<string[]> DateFieldOrderAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var tree = await cdp.SendAsync("DOM.getDocument", new Dictionary<string, object> { ["depth"] = -1, ["pierce"] = true });
        var json = tree!.Value.GetRawText();
        var fields = new[] { "year", "month", "day" }
            .Select(f => (Field: f, At: json.IndexOf("-webkit-datetime-edit-" + f + "-field", StringComparison.Ordinal)))
            .ToArray();
        Assert.All(fields, f => Assert.True(f.At >= 0, $"no {f.Field} field in the date input's shadow tree"));
        await cdp.DetachAsync();
        return fields.OrderBy(f => f.At).Select(f => f.Field).ToArray();
    }

    private static string InDays(int days) => DateTime.UtcNow.AddHours(8).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task PhonePage_RequestsAHomeVisitWithTheSessionToken_AndTheRegionsClerksSeeIt()
    {
        var pensionerId = await H5Steps.EnrollAsync(host, H5Steps.BeardedMan.Reference);
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnLeft, Blink);
        var page = await H5Steps.OpenAsync(host, url, H5Steps.NoLiveCameraInitScript);
        var apiCalls = new List<IRequest>();
        page.Request += (_, request) => { if (request.Url.Contains("/api/", StringComparison.Ordinal)) apiCalls.Add(request); };

        await page.GetByRole(AriaRole.Button, new() { Name = "不同意，看看其他办理方式" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "申请上门认证" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "申请上门认证" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("希望哪天上门")).ToHaveValueAsync(InDays(1));
        // The date field reads year, month, day, as a Chinese reader expects (not en-US month/day/year).
        Assert.Equal(["year", "month", "day"], await DateFieldOrderAsync(page));
        await ConsoleSteps.AssertAccessibleAsync(page, "home visit form");
        await H5Steps.AssertElderlyFriendlyAsync(page, "home visit form");
        await host.Browsers.ScreenshotAsync(page, "h5-home-visit-1-form");

        // Nothing filled in: the page says what is missing and sends nothing.
        var before = apiCalls.Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "提交上门申请" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-reason='form-incomplete']")).ToHaveTextAsync("请填写联系电话、详细住址和希望上门的日期。");
        Assert.Equal(before, apiCalls.Count);

        // A wrong phone number: the server's refusal, in its plain Chinese message.
        await page.GetByLabel("卧床不起").CheckAsync();
        await page.GetByLabel("联系电话").FillAsync("12345");
        await page.GetByLabel("上门地址（写到门牌号）").FillAsync("朝阳区测试街道 3 号院 1 单元 502");
        await page.GetByLabel("希望哪天上门").FillAsync(InDays(3));
        await page.GetByRole(AriaRole.Button, new() { Name = "提交上门申请" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-reason='invalid-contact-phone']")).ToBeVisibleAsync();

        await page.GetByLabel("联系电话").FillAsync("13800138000");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交上门申请" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "上门申请已提交" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(InDays(3));
        await ConsoleSteps.AssertAccessibleAsync(page, "home visit requested");
        await H5Steps.AssertElderlyFriendlyAsync(page, "home visit requested");
        await host.Browsers.ScreenshotAsync(page, "h5-home-visit-2-requested");

        // The page called the API with its session token only; the client key never left the test's own HTTP client.
        var sent = apiCalls.Where(r => r.Url.EndsWith("/api/page/session/home-visit-request", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, sent.Length); // the refused phone number and the accepted request
        foreach (var request in apiCalls)
        {
            var headers = await request.AllHeadersAsync();
            Assert.False(headers.ContainsKey("x-functions-key"), request.Url);
            Assert.DoesNotContain(LocalHostFixture.ClientKey, request.Url, StringComparison.Ordinal);
        }
        Assert.True((await sent[1].AllHeadersAsync()).ContainsKey("x-session-token"));

        // The region's clerks see the visit, asked for by the pensioner through the channel, with the contact data.
        var profile = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader);
        var region = profile.GetProperty("regionCode").GetString()!;
        var visits = await host.GetJsonAsync($"/api/home-visits?region={region}&state=Requested", LocalHostFixture.OperatorKeyHeader);
        var visit = visits.GetProperty("items").EnumerateArray().Single(v => v.GetProperty("pensionerId").GetString() == pensionerId);
        Assert.Equal("bedridden", visit.GetProperty("reason").GetString());
        Assert.Equal(InDays(3), visit.GetProperty("preferredDates")[0].GetString());
        var full = await host.GetJsonAsync($"/api/home-visits/{visit.GetProperty("visitId").GetString()}", LocalHostFixture.OperatorKeyHeader);
        Assert.Equal("pensioner", full.GetProperty("requestedByKind").GetString());
        Assert.Equal("13800138000", full.GetProperty("contactPhone").GetString());
        Assert.Equal("朝阳区测试街道 3 号院 1 单元 502", full.GetProperty("address").GetString());

        // Asking again from the page opens no second visit: the pensioner is told a request is already open.
        await page.GetByRole(AriaRole.Button, new() { Name = "返回上一页" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "申请上门认证" }).ClickAsync();
        await page.GetByLabel("联系电话").FillAsync("13800138000");
        await page.GetByLabel("上门地址（写到门牌号）").FillAsync("朝阳区测试街道 3 号院 1 单元 502");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交上门申请" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "已有上门申请" })).ToBeVisibleAsync();
        visits = await host.GetJsonAsync($"/api/home-visits?region={region}", LocalHostFixture.OperatorKeyHeader);
        Assert.Single(visits.GetProperty("items").EnumerateArray(), v => v.GetProperty("pensionerId").GetString() == pensionerId);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PageHomeVisitRoute_WithoutAValidSessionToken_IsRefused_AndStoresNothing()
    {
        var pensionerId = await H5Steps.EnrollAsync(host, H5Steps.BeardedMan.Reference);
        var body = new { reason = "very-old", contactPhone = "13800138000", address = "朝阳区测试街道 5 号", preferredDates = new[] { InDays(2) } };

        using var none = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/page/session/home-visit-request", null, JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("session-token-invalid", JsonDocument.Parse(await none.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        // A token of the right shape with the wrong secret, and the client key instead of a token: both refused.
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnLeft, Blink);
        var token = url[(url.IndexOf("#token=", StringComparison.Ordinal) + 7)..];
        var forged = token[..34] + new string('0', 64);
        foreach (var header in new[] { ("X-Session-Token", forged), LocalHostFixture.ClientKeyHeader })
        {
            using var refused = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/page/session/home-visit-request", header, JsonContent.Create(body)));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        var profile = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader);
        var visits = await host.GetJsonAsync($"/api/home-visits?region={profile.GetProperty("regionCode").GetString()}", LocalHostFixture.OperatorKeyHeader);
        Assert.DoesNotContain(visits.GetProperty("items").EnumerateArray(), v => v.GetProperty("pensionerId").GetString() == pensionerId);

        // The real token works (201), and the answer carries no contact data.
        using var accepted = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/page/session/home-visit-request", ("X-Session-Token", token), JsonContent.Create(body)));
        var json = await accepted.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(pensionerId, JsonDocument.Parse(json).RootElement.GetProperty("pensionerId").GetString());
        Assert.DoesNotContain("13800138000", json, StringComparison.Ordinal);
    }
}
