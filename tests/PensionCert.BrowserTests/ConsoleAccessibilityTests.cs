using Microsoft.Playwright;

namespace PensionCert.BrowserTests;

/// <summary>Every page of the console, at 1280x800 and on a 768 px tablet: no serious or critical axe violation, usable by keyboard.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAccessibilityTests(ConsoleHostFixture host)
{
    private static readonly (string Path, string Heading)[] Pages =
    [
        ("review", "审核队列"), ("counter", "柜台与社区认证"), ("visits", "上门认证"), ("lists", "辖区名单"), ("exceptions", "周期异常"),
    ];

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(768, 1024)]
    public async Task EveryPage_HasNoSeriousOrCriticalViolations_AndAScreenshot(int width, int height)
    {
        var (pensionerId, _) = await ConsoleSteps.EnrolAsync(host, "110105", "deepface/img1.jpg");
        var context = await host.Browsers.NewContextAsync(width: width, height: height);
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.ConsoleUrl);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录经办控制台" })).ToBeVisibleAsync();
        await ConsoleSteps.AssertAccessibleAsync(page, $"sign-in {width}");
        await host.Browsers.ScreenshotAsync(page, $"console-sign-in-{width}");

        await page.GetByLabel("岗位").SelectOptionAsync("admin");
        await page.GetByLabel("负责的行政区划代码").FillAsync("110105");
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        foreach (var (path, heading) in Pages)
        {
            await page.GotoAsync(host.ConsoleUrl + "#/" + path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true, Level = 1 })).ToBeFocusedAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await ConsoleSteps.AssertAccessibleAsync(page, $"{path} {width}");
            await host.Browsers.ScreenshotAsync(page, $"console-{path}-{width}");
        }
        await page.GotoAsync(host.ConsoleUrl + "#/pensioners/" + pensionerId);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "人员详情" })).ToBeFocusedAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ConsoleSteps.AssertAccessibleAsync(page, $"pensioner {width}");
        await host.Browsers.ScreenshotAsync(page, $"console-pensioner-{width}");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Keyboard_NavigationAndSkipLink_ReachEveryPageWithoutAMouse()
    {
        var page = await host.SignInAsync("admin", "110105", "admin-keys-01");
        // Each page moves the focus to its heading; from there Shift+Tab walks back into the navigation.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeFocusedAsync();
        var lists = page.GetByRole(AriaRole.Link, new() { Name = "辖区名单" });
        await PressUntilFocusedAsync(page, "Shift+Tab", lists);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "辖区名单", Level = 1 })).ToBeFocusedAsync();
        await Assertions.Expect(lists).ToHaveAttributeAsync("aria-current", "page");

        // The skip link, first on the page, takes the focus to the main content.
        await PressUntilFocusedAsync(page, "Shift+Tab", page.GetByRole(AriaRole.Link, new() { Name = "跳到主要内容" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main")).ToBeFocusedAsync();
        // Tab from there reaches the page's first control: the region code of the list.
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("行政区划代码")).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    private static async Task PressUntilFocusedAsync(IPage page, string key, ILocator target)
    {
        for (var i = 0; i < 20; i++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
            await page.Keyboard.PressAsync(key);
        }
        await Assertions.Expect(target).ToBeFocusedAsync();
    }
}
