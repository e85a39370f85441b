using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PensionCert.Core.Sessions;
using PensionCert.IntegrationTests;
using PensionCert.Tests.Shared;

namespace PensionCert.BrowserTests;

/// <summary>
/// The pensioner's side of the phone page (/h5/), step by step, and the channel server's side (session creation over
/// HTTP with the client key). Phones are 375x667 (iPhone SE size).
/// </summary>
public static class H5Steps
{
    public const int PhoneWidth = 375;
    public const int PhoneHeight = 667;

    /// <summary>
    /// Replaces getUserMedia with a canvas stream (the issue's scripted camera): the canvas shows the frames the test
    /// loaded for the action the page is asking for (<c>body[data-action]</c>), advancing every 300 ms and cycling, and
    /// the "idle" frame otherwise.
    /// </summary>
    public const string ScriptedCameraInitScript = """
        (() => {
          const canvas = document.createElement('canvas');
          canvas.width = 480; canvas.height = 270;
          const context = canvas.getContext('2d');
          const frames = {};
          let current = null, since = 0;
          window.__h5LoadFrames = async (sets) => {
            for (const [name, urls] of Object.entries(sets)) {
              frames[name] = await Promise.all(urls.map(u => { const i = new Image(); i.src = u; return i.decode().then(() => i); }));
            }
          };
          setInterval(() => {
            const action = document.body ? document.body.dataset.action || 'idle' : 'idle';
            if (action !== current) { current = action; since = performance.now(); }
            const set = frames[action] || frames.idle;
            if (!set || set.length === 0) return;
            const image = set[Math.floor((performance.now() - since) / 300) % set.length];
            canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
            context.drawImage(image, 0, 0);
          }, 50);
          const stream = canvas.captureStream(20);
          navigator.mediaDevices.getUserMedia = async () => stream;
        })();
        """;

    /// <summary>Removes live video, as in web views that do not allow it: the page must fall back to the file input.</summary>
    public const string NoLiveCameraInitScript = "navigator.mediaDevices && (navigator.mediaDevices.getUserMedia = undefined);";

    /// <summary>Enrols a pensioner with a reference photo (JPEG bytes) and returns the pensioner id.</summary>
    public static async Task<string> EnrollAsync(LocalHostFixture host, byte[] reference)
    {
        var idNumber = TestIdNumbers.New();
        var content = LocalHostFixture.Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", idNumber[..6]));
        var photo = new ByteArrayContent(reference);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", "reference.jpg");
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader, content));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("pensionerId").GetString()!;
    }

    /// <summary>The channel's server creates a session (it will ask for <paramref name="actions"/>); returns the page URL to open.</summary>
    public static async Task<string> CreateSessionAsync(ConsoleHostFixture host, string pensionerId, params ChallengeAction[] actions)
    {
        host.Challenges.Enqueue(actions);
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certification-sessions", LocalHostFixture.ClientKeyHeader,
            JsonContent.Create(new { pensionerId, channel = "alipay" })));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var pageUrl = JsonDocument.Parse(body).RootElement.GetProperty("pageUrl").GetString()!;
        Assert.StartsWith("/h5/#token=", pageUrl, StringComparison.Ordinal);
        return host.App.Urls.First().TrimEnd('/') + pageUrl;
    }

    /// <summary>A phone-sized page with the scripted camera (or none), opened at <paramref name="url"/>, sound off.</summary>
    public static async Task<IPage> OpenAsync(ConsoleHostFixture host, string url, string initScript, string? fakeCameraPhoto = null)
    {
        var context = await host.Browsers.NewContextAsync(fakeCameraPhoto, PhoneWidth, PhoneHeight);
        if (initScript.Length > 0) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.GetByRole(AriaRole.Heading, new() { Name = "使用人脸信息的同意" }).WaitForAsync();
        // Sound off for the tests (the spoken prompt would only add time); the button says so.
        await page.GetByRole(AriaRole.Button, new() { Name = "声音：开" }).ClickAsync();
        Assert.Equal("true", await page.GetByRole(AriaRole.Button, new() { Name = "声音：关" }).GetAttributeAsync("aria-pressed"));
        return page;
    }

    /// <summary>Loads real frames into the scripted camera: per action wire name, plus "idle".</summary>
    public static Task LoadFramesAsync(IPage page, IReadOnlyDictionary<string, byte[][]> sets) =>
        page.EvaluateAsync("sets => window.__h5LoadFrames(sets)",
            sets.ToDictionary(s => s.Key, s => s.Value.Select(f => "data:image/jpeg;base64," + Convert.ToBase64String(f)).ToArray()));

    /// <summary>Consent, then the preparation tips: the pensioner agrees and says they are ready.</summary>
    public static async Task AgreeAndGetReadyAsync(IPage page, BrowserFixture browsers, string screenshotPrefix)
    {
        await browsers.ScreenshotAsync(page, screenshotPrefix + "-1-consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "我同意，开始认证" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "拍摄前请准备" }).WaitForAsync();
        await browsers.ScreenshotAsync(page, screenshotPrefix + "-2-tips");
        await page.GetByRole(AriaRole.Button, new() { Name = "我准备好了" }).ClickAsync();
    }

    /// <summary>Waits for the result screen (the worker decides within a minute at most) and returns its heading.</summary>
    public static async Task<string> ResultHeadingAsync(IPage page)
    {
        await page.Locator("body[data-screen='result']").WaitForAsync(new() { Timeout = 90_000 });
        return (await page.Locator("h1").InnerTextAsync()).Trim();
    }

    /// <summary>MIIT 2021 elderly-friendly sizes on the current screen: body text ≥ 18 px, h1 ≥ 30 px, every button, link button or label drawn as a button (the file-input fallback) ≥ 60 px tall and wide enough.</summary>
    public static async Task AssertElderlyFriendlyAsync(IPage page, string what)
    {
        var sizes = await page.EvaluateAsync<JsonElement>("""
            () => ({
              body: Math.min(...[...document.querySelectorAll('main p, main li')].map(e => parseFloat(getComputedStyle(e).fontSize)), 99),
              h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
              smallestTarget: Math.min(...[...document.querySelectorAll('button, a.button, label.button')].filter(e => e.offsetParent !== null)
                .map(e => Math.min(e.getBoundingClientRect().height, e.getBoundingClientRect().width)), 99)
            })
            """);
        Assert.True(sizes.GetProperty("body").GetDouble() >= 18, $"{what}: body text {sizes.GetProperty("body")} px");
        Assert.True(sizes.GetProperty("h1").GetDouble() >= 30, $"{what}: heading {sizes.GetProperty("h1")} px");
        Assert.True(sizes.GetProperty("smallestTarget").GetDouble() >= 60, $"{what}: tap target {sizes.GetProperty("smallestTarget")} px");
    }

    /// <summary>Frames of the bearded man of turn-left-right_real.webm (see the server tests for what the models read on them).</summary>
    public static class BeardedMan
    {
        public static byte[] Reference => File.ReadAllBytes(Path.Combine(LivenessClips.Root, "frames", "turn_frontal_t01.0.jpg"));
        public static byte[][] Frontal => LivenessClips.FramesAt(LivenessClips.TurnReal, 5.62, 6.62, 12.12, 12.62);
        public static byte[][] TurningRight => LivenessClips.FramesAt(LivenessClips.TurnReal, 6.62, 7.12, 7.62, 7.88, 8.12, 8.38, 5.62);
        public static byte[][] TurningLeft => LivenessClips.FramesAt(LivenessClips.TurnReal, 9.12, 9.88, 10.12, 10.38, 12.12, 12.62);
    }
}
