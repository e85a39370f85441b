using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PensionCert.Core.Operators;
using PensionCert.IntegrationTests;

namespace PensionCert.BrowserTests;

/// <summary>
/// The home-visits page as clerks use it, end to end on the local host with real photos and the real models: a visit
/// goes from request to schedule to completion with a photo taken by the webcam on the visit (Chromium's fake camera
/// playing another photo of the pensioner), and the pensioner is certified; a clerk of another region sees none of it.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleVisitTests(ConsoleHostFixture host)
{
    private const string Region = "110105";
    private const string OtherRegion = "310101";
    private const string Reference = "deepface/img1.jpg";
    /// <summary>Another photo of the same person, played by the fake webcam on the visit.</summary>
    private const string SamePersonOnCamera = "deepface/img2.jpg";

    /// <summary>Tomorrow in China (a preferred date must lie after today).</summary>
    private static string Tomorrow => DateTime.UtcNow.AddHours(8).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Clerk_TakesAVisitFromRequestToCompletionWithTheWebcam_AndTheEligibilityBecomesValid()
    {
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        Assert.NotEqual("Valid", await ConsoleSteps.StateAsync(host, pensionerId));
        var page = await host.SignInAsync("clerk", Region, "clerk-visit-01", cameraPhoto: SamePersonOnCamera);
        await page.GetByRole(AriaRole.Link, new() { Name = "上门认证" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "上门认证", Level = 1 })).ToBeFocusedAsync();

        // The request, registered by the clerk for a pensioner who phoned in.
        await page.GetByText("登记上门申请（代本人或家属申请）").ClickAsync();
        await page.GetByLabel("人员编号").FillAsync(pensionerId);
        await page.GetByLabel("上门原因").SelectOptionAsync("bedridden");
        await page.GetByLabel("联系电话").FillAsync("13800138000");
        await page.GetByLabel("上门地址").FillAsync("朝阳区测试街道 1 号院 2 单元 301");
        await page.GetByLabel("希望上门日期").FillAsync(Tomorrow);
        await page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync();
        var detail = page.Locator("section[aria-labelledby='visit-detail-heading']");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"上门认证：{pensionerId}" })).ToBeFocusedAsync();
        await Assertions.Expect(detail).ToContainTextAsync("上门申请已登记");
        await Assertions.Expect(detail).ToContainTextAsync("待安排");
        await Assertions.Expect(detail).ToContainTextAsync("13800138000");
        var list = page.GetByRole(AriaRole.Table, new() { Name = $"{Region} 的上门认证" });
        await Assertions.Expect(list.GetByRole(AriaRole.Row).Filter(new() { HasText = pensionerId })).ToContainTextAsync("待安排");

        // Scheduled for tomorrow with a member of staff; the list filtered by that date and staff shows it.
        await Assertions.Expect(page.GetByLabel("上门日期", new() { Exact = true })).ToHaveValueAsync(Tomorrow);
        await page.GetByLabel("上门人员（操作员编号）").FillAsync("staff-visit-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存安排" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync($"已安排 {Tomorrow} 上门。");
        await Assertions.Expect(detail).ToContainTextAsync($"{Tomorrow}，staff-visit-01");
        await page.GetByLabel("安排日期").FillAsync(Tomorrow);
        await page.GetByLabel("上门人员", new() { Exact = true }).FillAsync("staff-visit-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        var row = list.GetByRole(AriaRole.Row).Filter(new() { HasText = pensionerId });
        await Assertions.Expect(row).ToContainTextAsync("已安排");
        await Assertions.Expect(row).ToContainTextAsync("staff-visit-01");
        await page.GetByLabel("上门人员", new() { Exact = true }).FillAsync("staff-visit-99");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(list).Not.ToContainTextAsync(pensionerId);

        // On the visit: the photo taken with the webcam, the ID document checked, submitted; the visit completes.
        await page.GetByRole(AriaRole.Button, new() { Name = "开启摄像头" }).ClickAsync();
        var shoot = page.GetByRole(AriaRole.Button, new() { Name = "拍照" });
        await Assertions.Expect(shoot).ToBeEnabledAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('main video')?.videoWidth > 0");
        await shoot.ClickAsync();
        var photo = page.GetByRole(AriaRole.Img, new() { Name = "已拍摄的照片" });
        await Assertions.Expect(photo).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth >= 320", await photo.ElementHandleAsync());
        await page.GetByLabel("我已在上门时当面核验本人身份证件原件，照片为本人现场拍摄").CheckAsync();
        await ConsoleSteps.AssertAccessibleAsync(page, "home visit with its completion form");
        await ConsoleSteps.ScreenshotsAsync(host, page, "console-visit-complete");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交照片并完成" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("上门认证已完成：认证通过。", new() { Timeout = 120_000 });
        await Assertions.Expect(detail).ToContainTextAsync("已完成");
        await Assertions.Expect(row).ToHaveCountAsync(0); // the staff filter of staff-visit-99 is still on
        await page.GetByLabel("上门人员", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("已完成");
        await ConsoleSteps.ScreenshotsAsync(host, page, "console-visit-completed");

        Assert.Equal("Valid", await ConsoleSteps.StateAsync(host, pensionerId));
        var visits = await host.GetJsonAsync($"/api/home-visits?region={Region}&state=Completed", LocalHostFixture.OperatorKeyHeader);
        var visit = visits.GetProperty("items").EnumerateArray().Single(v => v.GetProperty("pensionerId").GetString() == pensionerId);
        var certificationId = visit.GetProperty("certificationId").GetString()!;
        var certification = await host.GetJsonAsync($"/api/offline-certifications/{certificationId}", LocalHostFixture.OperatorKeyHeader);
        Assert.Equal("home-visit", certification.GetProperty("channel").GetString());
        Assert.Equal("Approved", certification.GetProperty("status").GetString());
        Assert.DoesNotContain(idNumber, await page.Locator("main").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_MarksAScheduledVisitUnsuccessful_AndCancelsAnother()
    {
        var (first, _) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        var (second, _) = await ConsoleSteps.EnrolAsync(host, Region, "deepface/img12.jpg");
        await RequestAsync(first);
        await RequestAsync(second);
        var page = await host.SignInAsync("clerk", Region, "clerk-visit-02");
        await page.GetByRole(AriaRole.Link, new() { Name = "上门认证" }).ClickAsync();
        var list = page.GetByRole(AriaRole.Table, new() { Name = $"{Region} 的上门认证" });
        var detail = page.Locator("section[aria-labelledby='visit-detail-heading']");

        // Keyboard only: focus the row's button and press Enter; schedule, then record that nobody was at home.
        await list.GetByRole(AriaRole.Button, new() { Name = $"办理 {first} 的上门认证" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"上门认证：{first}" })).ToBeFocusedAsync();
        await page.GetByLabel("上门人员（操作员编号）").FillAsync("staff-visit-02");
        await page.GetByLabel("上门人员（操作员编号）").PressAsync("Enter");
        await Assertions.Expect(detail).ToContainTextAsync("已安排");
        await page.GetByLabel("原因", new() { Exact = true }).SelectOptionAsync("not-at-home");
        await page.GetByRole(AriaRole.Button, new() { Name = "记录未成功" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("已记录：本次上门未成功。");
        await Assertions.Expect(detail).ToContainTextAsync("不在家");
        await Assertions.Expect(list.GetByRole(AriaRole.Row).Filter(new() { HasText = first })).ToContainTextAsync("未成功");

        await list.GetByRole(AriaRole.Button, new() { Name = $"办理 {second} 的上门认证" }).ClickAsync();
        await page.GetByLabel("取消原因").SelectOptionAsync("certified-otherwise");
        await page.GetByRole(AriaRole.Button, new() { Name = "取消申请" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("已取消上门申请。");
        await Assertions.Expect(list.GetByRole(AriaRole.Row).Filter(new() { HasText = second })).ToContainTextAsync("已取消");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ClerkOfAnotherRegion_SeesNoneOfTheRegionsVisits()
    {
        var (pensionerId, _) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        var visitId = await RequestAsync(pensionerId);

        var page = await host.SignInAsync("clerk", OtherRegion, "clerk-visit-other-01");
        await page.GetByRole(AriaRole.Link, new() { Name = "上门认证" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = $"{OtherRegion} 的上门认证" })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.DoesNotContain(pensionerId, await page.Locator("main").InnerTextAsync());

        // Asking for the region's visits is refused by the API, and nothing of them is shown.
        await page.GetByLabel("行政区划代码").FillAsync(Region);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("region-not-served");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        Assert.DoesNotContain(pensionerId, await page.Locator("main").InnerTextAsync());

        // Nor can the clerk register a visit for the pensioner, or read the visit through the API with their token.
        await page.GetByText("登记上门申请（代本人或家属申请）").ClickAsync();
        await page.GetByLabel("人员编号").FillAsync(pensionerId);
        await page.GetByLabel("联系电话").FillAsync("13800138000");
        await page.GetByLabel("上门地址").FillAsync("黄浦区测试路 9 号 101 室");
        await page.GetByLabel("希望上门日期").FillAsync(Tomorrow);
        await page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync();
        await Assertions.Expect(page.Locator("details form [role=alert]")).ToContainTextAsync("pensioner-not-found");
        var read = await page.EvaluateAsync<int>("""
            async id => (await fetch('/api/home-visits/' + id, { headers: { Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('pensioncert.console.session')).token } })).status
            """, visitId);
        Assert.Equal(403, read);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(768, 1024)]
    public async Task VisitPage_WithAVisitOpen_HasNoSeriousOrCriticalViolations(int width, int height)
    {
        var (pensionerId, _) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        await RequestAsync(pensionerId);
        var page = await host.SignInAsync("clerk", Region, $"clerk-visit-axe-{width}", width: width, height: height);
        await page.GetByRole(AriaRole.Link, new() { Name = "上门认证" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"办理 {pensionerId} 的上门认证" }).ClickAsync();
        await page.GetByLabel("上门人员（操作员编号）").FillAsync("staff-visit-03");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存安排" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "提交照片并完成" })).ToBeVisibleAsync();
        await page.GetByText("登记上门申请（代本人或家属申请）").ClickAsync();
        await ConsoleSteps.AssertAccessibleAsync(page, $"visits with a scheduled visit open {width}");
        // Nothing is wider than the viewport (no sideways scrolling on the tablet).
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"horizontal scroll at {width}px");
        await ConsoleSteps.ScreenshotsAsync(host, page, $"console-visit-scheduled-{width}");
        await page.Context.CloseAsync();
    }

    /// <summary>A visit requested through the API by a clerk of the region (as the pensioner's phone call would be registered); returns its id.</summary>
    private async Task<string> RequestAsync(string pensionerId)
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/home-visits",
            LocalHostFixture.OperatorHeader(OperatorRole.Clerk, Region),
            JsonContent.Create(new { pensionerId, reason = "very-old", contactPhone = "13900139000", address = "朝阳区测试街道 8 号", preferredDates = new[] { Tomorrow } })));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("visitId").GetString()!;
    }
}
