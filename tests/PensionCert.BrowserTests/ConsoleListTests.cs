using Microsoft.Playwright;

namespace PensionCert.BrowserTests;

/// <summary>The region's lists and a pensioner's page, as a clerk uses them; and what a clerk of another region sees.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleListTests(ConsoleHostFixture host)
{
    private const string Region = "110105";
    private const string OtherRegion = "310101";

    [Fact]
    public async Task Clerk_OpensTheRegionsList_ExportsItAsCsv_AndOpensAPensionersPage()
    {
        var (first, firstIdNumber) = await ConsoleSteps.EnrolAsync(host, Region, "deepface/img1.jpg");
        var (second, _) = await ConsoleSteps.EnrolAsync(host, Region, "deepface/img12.jpg");
        await ConsoleSteps.MarkAsync(host, first, "transferred");
        await ConsoleSteps.MarkAsync(host, second, "transferred");

        var page = await host.SignInAsync("clerk", Region, "clerk-list-01");
        await page.GetByRole(AriaRole.Link, new() { Name = "辖区名单" }).ClickAsync();
        await page.GetByLabel("名单").SelectOptionAsync("Transferred");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        var table = page.GetByRole(AriaRole.Table);
        await Assertions.Expect(table).ToContainTextAsync(first);
        await Assertions.Expect(table).ToContainTextAsync(second);
        await Assertions.Expect(table).ToContainTextAsync("已转出");
        await host.Browsers.ScreenshotAsync(page, "console-lists-transferred");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "导出 CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("\uFEFFpensionerId,state,validUntil,since,preferredChannel", csv);
        Assert.Contains(first + ",Transferred", csv);
        Assert.Contains(second + ",Transferred", csv);
        Assert.DoesNotContain(firstIdNumber, csv);

        await page.GetByRole(AriaRole.Link, new() { Name = first }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "人员详情" })).ToBeVisibleAsync();
        var main = page.Locator("main");
        await Assertions.Expect(main).ToContainTextAsync(firstIdNumber[..6] + "********" + firstIdNumber[^4..]);
        await Assertions.Expect(main).ToContainTextAsync("已转出");
        Assert.DoesNotContain(firstIdNumber, await main.InnerTextAsync());
        Assert.DoesNotContain("测试人员", await main.InnerTextAsync());
        // The audit trail shows the admin's status change and this clerk's reads, newest first.
        var audit = page.GetByRole(AriaRole.Table, new() { Name = "操作记录" });
        await Assertions.Expect(audit).ToContainTextAsync("ChangePensionerStatus");
        await Assertions.Expect(audit).ToContainTextAsync("clerk-list-01");
        await host.Browsers.ScreenshotAsync(page, "console-pensioner-history");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_FindsAPensionerByIdNumber_SeesItMaskedAndTheFieldCleared()
    {
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, "deepface/img1.jpg");
        var page = await host.SignInAsync("clerk", Region, "clerk-lookup-01");
        await page.GetByRole(AriaRole.Link, new() { Name = "柜台与社区认证" }).ClickAsync();
        await page.GetByLabel("身份证号码").FillAsync(idNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "查找" }).ClickAsync();

        var found = page.Locator("#counter-pensioner");
        await Assertions.Expect(found).ToContainTextAsync(idNumber[..6] + "********" + idNumber[^4..]);
        await Assertions.Expect(found).ToContainTextAsync(pensionerId);
        await Assertions.Expect(page.GetByLabel("身份证号码")).ToHaveValueAsync("");
        Assert.DoesNotContain(idNumber, await page.Locator("main").InnerTextAsync());

        await page.GetByLabel("身份证号码").FillAsync("110105194912310021");
        await page.GetByRole(AriaRole.Button, new() { Name = "查找" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("invalid-id-number");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ClerkOfAnotherRegion_SeesNoneOfTheRegionsPensioners()
    {
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, "deepface/img1.jpg");
        await ConsoleSteps.MarkAsync(host, pensionerId, "transferred");

        var page = await host.SignInAsync("clerk", OtherRegion, "clerk-other-01");
        await page.GetByRole(AriaRole.Link, new() { Name = "辖区名单" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("行政区划代码")).ToHaveValueAsync(OtherRegion);
        await page.GetByLabel("名单").SelectOptionAsync("Transferred");
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).Not.ToContainTextAsync(pensionerId);

        // Asking for the other region's list, or the pensioner's page directly, is refused by the API.
        await page.GetByLabel("行政区划代码").FillAsync(Region);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("region-not-served");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);

        // Outside the clerk's regions the pensioner is "not found", exactly as an unknown id or number would be.
        await page.GotoAsync(host.ConsoleUrl + "#/pensioners/" + pensionerId);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("pensioner-not-found");
        Assert.DoesNotContain(idNumber[^4..] + "", await page.Locator("main").InnerTextAsync());

        // Nor can they find the pensioner by ID number at the counter.
        await page.GetByRole(AriaRole.Link, new() { Name = "柜台与社区认证" }).ClickAsync();
        await page.GetByLabel("身份证号码").FillAsync(idNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "查找" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("pensioner-not-found");
        Assert.DoesNotContain(pensionerId, await page.Locator("main").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The cause of the flaky "a table visible, count 1 vs 0" above: the list the page loads when it opens (the
    /// clerk's own region) answered after the refused query for another region and was drawn under that region's
    /// code. Here that first answer is held back until the refusal is on screen: it must be dropped, not drawn.
    /// </summary>
    [Fact]
    public async Task ASlowEarlierAnswer_IsNeverDrawnOverALaterQuery()
    {
        var page = await host.SignInAsync("clerk", OtherRegion, "clerk-other-02");
        IRoute? held = null;
        await page.RouteAsync("**/api/regions/*/pensioners?*", route =>
        {
            if (held is null && route.Request.Url.Contains($"/regions/{OtherRegion}/", StringComparison.Ordinal))
            {
                held = route;
                return Task.CompletedTask;
            }
            return route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Link, new() { Name = "辖区名单" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("行政区划代码")).ToHaveValueAsync(OtherRegion);
        await page.GetByLabel("行政区划代码").FillAsync(Region);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("region-not-served");
        Assert.NotNull(held);

        var late = page.WaitForResponseAsync(r => r.Url.Contains($"/regions/{OtherRegion}/", StringComparison.Ordinal));
        await held!.ContinueAsync();
        Assert.Equal(200, (await late).Status);
        await page.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 300))");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("region-not-served");

        // A later query of the clerk's own region draws its list again, under its own code.
        await page.GetByLabel("行政区划代码").FillAsync(OtherRegion);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(OtherRegion + " · 即将到期");
        await page.Context.CloseAsync();
    }
}
