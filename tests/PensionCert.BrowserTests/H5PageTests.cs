using System.Text.Json;
using Microsoft.Playwright;
using PensionCert.Core.Faces;
using PensionCert.Tests.Shared;
using static PensionCert.Core.Sessions.ChallengeAction;

namespace PensionCert.BrowserTests;

/// <summary>
/// The pensioner's certification page in a real browser (Debian chromium through Playwright) against the local host on
/// Azurite, with the real models deciding: Chromium's fake camera playing a real photo, a scripted camera drawing real
/// video frames as the page asks for each action, and the file-input fallback. Screenshots at 375x667 go to the test
/// artifacts (<see cref="BrowserFixture.ArtifactsDirectory"/>).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class H5PageTests(ConsoleHostFixture host)
{
    [Fact]
    public async Task PhonePage_ChallengeFollowedOnTheScriptedCamera_Approved()
    {
        var pensionerId = await H5Steps.EnrollAsync(host, H5Steps.BeardedMan.Reference);
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnRight, TurnLeft);
        var page = await H5Steps.OpenAsync(host, url, H5Steps.ScriptedCameraInitScript);
        await H5Steps.LoadFramesAsync(page, new Dictionary<string, byte[][]>
        {
            ["idle"] = H5Steps.BeardedMan.Frontal,
            ["turn-right"] = H5Steps.BeardedMan.TurningRight,
            ["turn-left"] = H5Steps.BeardedMan.TurningLeft,
        });
        // The token left the address bar (it stays in the tab's session storage for a reload).
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);

        await H5Steps.AgreeAndGetReadyAsync(page, host.Browsers, "h5-approved");
        await page.GetByRole(AriaRole.Heading, new() { Name = "请把脸放进框内" }).WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('video')?.videoWidth > 0");
        await host.Browsers.ScreenshotAsync(page, "h5-approved-3-camera");
        await page.GetByRole(AriaRole.Button, new() { Name = "开始认证" }).ClickAsync();

        await page.GetByRole(AriaRole.Heading, new() { Name = "请向右转头" }).WaitForAsync();
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "向右转头的示意图" }).IsVisibleAsync());
        await page.Locator("body[data-capturing='true']").WaitForAsync();
        await host.Browsers.ScreenshotAsync(page, "h5-approved-4-turn-right");
        await page.GetByRole(AriaRole.Heading, new() { Name = "请向左转头" }).WaitForAsync(new() { Timeout = 30_000 });
        await host.Browsers.ScreenshotAsync(page, "h5-approved-5-turn-left");
        await page.GetByRole(AriaRole.Heading, new() { Name = "正在核验，请稍候" }).WaitForAsync(new() { Timeout = 30_000 });
        await host.Browsers.ScreenshotAsync(page, "h5-approved-6-waiting");

        Assert.Equal("认证成功", await H5Steps.ResultHeadingAsync(page));
        await host.Browsers.ScreenshotAsync(page, "h5-approved-7-result");
        var status = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", IntegrationTests.LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", status.GetProperty("state").GetString());

        // Opening the same link again shows the result: the session is used up and cannot be run a second time.
        await page.GotoAsync(url);
        Assert.Equal("认证成功", await H5Steps.ResultHeadingAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PhonePage_FakeCameraShowingAStillPhoto_LiveVideoThenActionNotSeen()
    {
        const string photo = "face_recognition/obama.jpg";
        var pensionerId = await H5Steps.EnrollAsync(host, SharedFaces.Read("face_recognition/obama2.jpg"));
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnLeft, TurnRight);
        var page = await H5Steps.OpenAsync(host, url, "", fakeCameraPhoto: photo);

        await H5Steps.AgreeAndGetReadyAsync(page, host.Browsers, "h5-fake-camera");
        await page.WaitForFunctionAsync("() => document.querySelector('video')?.videoWidth > 0");
        var hint = page.Locator("p.hint");
        await Assertions.Expect(hint).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("请|很好"));
        await host.Browsers.ScreenshotAsync(page, "h5-fake-camera-3-camera");
        await page.GetByRole(AriaRole.Button, new() { Name = "开始认证" }).ClickAsync();

        // A photo held still turns neither way: the server says so, in plain words, with the ways forward.
        Assert.Equal("本次认证没有通过", await H5Steps.ResultHeadingAsync(page));
        Assert.Equal(Reasons.ActionNotSeen.Message, (await page.Locator("[data-reason]").First.InnerTextAsync()).Trim());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "到窗口或社区办理" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "申请上门认证" }).IsVisibleAsync());
        await host.Browsers.ScreenshotAsync(page, "h5-fake-camera-7-result");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PhonePage_NoLiveCamera_FileInputFallbackApproved()
    {
        var pensionerId = await H5Steps.EnrollAsync(host, H5Steps.BeardedMan.Reference);
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnRight, TurnLeft);
        var page = await H5Steps.OpenAsync(host, url, H5Steps.NoLiveCameraInitScript);
        var work = Directory.CreateTempSubdirectory("pensioncert-h5-files-").FullName;
        string[] Files(string name, byte[][] frames) => frames.Select((f, i) => { var p = Path.Combine(work, $"{name}-{i}.jpg"); File.WriteAllBytes(p, f); return p; }).ToArray();

        await H5Steps.AgreeAndGetReadyAsync(page, host.Browsers, "h5-fallback");
        await page.GetByRole(AriaRole.Heading, new() { Name = "请向右转头" }).WaitForAsync();
        await H5Steps.AssertElderlyFriendlyAsync(page, "file-input fallback");
        await Assertions.Expect(page.GetByText("打开相机录像", new() { Exact = true })).ToBeVisibleAsync();
        await host.Browsers.ScreenshotAsync(page, "h5-fallback-3-file-input");
        await page.GetByLabel("打开相机录像").SetInputFilesAsync(Files("right", H5Steps.BeardedMan.TurningRight));
        await page.GetByRole(AriaRole.Heading, new() { Name = "请向左转头" }).WaitForAsync(new() { Timeout = 30_000 });
        await page.GetByLabel("打开相机录像").SetInputFilesAsync(Files("left", H5Steps.BeardedMan.TurningLeft));

        Assert.Equal("认证成功", await H5Steps.ResultHeadingAsync(page));
        await page.Context.CloseAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task PhonePage_EveryScreen_AccessibleAndElderlyFriendly()
    {
        var pensionerId = await H5Steps.EnrollAsync(host, H5Steps.BeardedMan.Reference);
        var url = await H5Steps.CreateSessionAsync(host, pensionerId, TurnLeft, Blink);
        var page = await H5Steps.OpenAsync(host, url, H5Steps.ScriptedCameraInitScript);
        await H5Steps.LoadFramesAsync(page, new Dictionary<string, byte[][]> { ["idle"] = H5Steps.BeardedMan.Frontal });

        async Task Check(string what)
        {
            await ConsoleSteps.AssertAccessibleAsync(page, what);
            await H5Steps.AssertElderlyFriendlyAsync(page, what);
        }
        await Check("consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "不同意，看看其他办理方式" }).ClickAsync();
        await Check("other ways");
        await page.GetByRole(AriaRole.Button, new() { Name = "申请上门认证" }).ClickAsync();
        await Check("home visit");
        await page.GetByRole(AriaRole.Button, new() { Name = "返回" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "返回" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "我同意，开始认证" }).ClickAsync();
        await Check("tips");
        await page.GetByRole(AriaRole.Button, new() { Name = "我准备好了" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('video')?.videoWidth > 0");
        await Check("camera");
        await page.GetByRole(AriaRole.Button, new() { Name = "开始认证" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "请向左转头" }).WaitForAsync();
        await Check("action");
        Assert.Equal("本次认证没有通过", await H5Steps.ResultHeadingAsync(page));
        await Check("result");
        await page.Context.CloseAsync();
    }

    /// <summary>What the page shows for each outcome the server can give (the decisions themselves are tested on the server).</summary>
    public static TheoryData<string, string, string, string> Outcomes => new()
    {
        { "Approved", "submitted", "", "认证成功" },
        { "NeedsReview", "submitted", Reasons.SimilarityDoubtful.Code, "已转人工审核" },
        { "Rejected", "submitted", Reasons.ActionNotSeen.Code, "本次认证没有通过" },
        { "Rejected", "submitted", Reasons.ActionWrongOrder.Code, "本次认证没有通过" },
        { "Rejected", "submitted", Reasons.PersonChanged.Code, "本次认证没有通过" },
        { "Rejected", "submitted", Reasons.FaceNotLive.Code, "本次认证没有通过" },
        { "Rejected", "submitted", Reasons.FaceMismatch.Code, "本次认证没有通过" },
        { "Rejected", "submitted", Reasons.MultipleFaces.Code, "本次认证没有通过" },
        { "Failed", "submitted", Reasons.ProcessingFailed.Code, "本次认证没有通过" },
        { "", "expired", Reasons.SessionExpired.Code, "认证已超时" },
        { "", "problem", Reasons.SessionAlreadyUsed.Code, "认证链接已使用" },
        { "", "problem", "session-token-invalid", "认证链接无效" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task PhonePage_ResultView_ShowsEachReasonInPlainChinese(string status, string state, string reason, string heading)
    {
        var context = await host.Browsers.NewContextAsync(null, H5Steps.PhoneWidth, H5Steps.PhoneHeight);
        var page = await context.NewPageAsync();
        var message = reason.Length == 0 ? "" : Reasons.FromCode(reason).Message;
        if (reason == "session-token-invalid") message = "认证链接无效，请返回办理页面重新开始认证。";
        await page.RouteAsync("**/api/page/session", route => state == "problem"
            ? route.FulfillAsync(new() { Status = reason == "session-token-invalid" ? 401 : 409, ContentType = "application/problem+json",
                Body = JsonSerializer.Serialize(new { type = "about:blank", title = reason, status = 409, code = reason, message }) })
            : route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(new
            {
                sessionId = "s" + new string('0', 32), state, channel = "alipay", challenge = new { actions = new[] { "turn-left", "turn-right" }, nonce = "n" },
                expiresAt = DateTimeOffset.UtcNow, framesReceived = new[] { 8, 8 }, returnUrl = "https://example.org/back",
                certificationId = state == "submitted" ? "c" + new string('0', 32) : null, status = status.Length == 0 ? null : status,
                decidedAt = DateTimeOffset.UtcNow, reasons = reason.Length == 0 ? Array.Empty<object>() : [new { code = reason, message }],
            }) }));

        await page.GotoAsync(host.App.Urls.First().TrimEnd('/') + "/h5/#token=s" + new string('0', 32) + "." + new string('a', 64));

        Assert.Equal(heading, await H5Steps.ResultHeadingAsync(page));
        if (message.Length > 0) Assert.Equal(message, (await page.Locator($"[data-reason='{reason}']").InnerTextAsync()).Trim());
        if (status is "Rejected" or "Failed" || state is "expired")
            Assert.Equal("https://example.org/back", await page.GetByRole(AriaRole.Link, new() { Name = "重新认证" }).GetAttributeAsync("href"));
        await host.Browsers.ScreenshotAsync(page, $"h5-result-{(reason.Length == 0 ? "approved" : reason)}");
        await ConsoleSteps.AssertAccessibleAsync(page, "result " + reason);
        await H5Steps.AssertElderlyFriendlyAsync(page, "result " + reason);
        await context.CloseAsync();
    }
}
