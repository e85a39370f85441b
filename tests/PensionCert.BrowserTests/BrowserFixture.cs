using System.Collections.Concurrent;
using Microsoft.Playwright;
using PensionCert.Tests.Shared;
using SkiaSharp;

namespace PensionCert.BrowserTests;

/// <summary>
/// One Playwright driver for the test run and one headless Debian chromium (<c>/usr/bin/chromium</c>; the Playwright
/// browser download is not used) per fake camera: <see cref="BrowserAsync"/> launches a browser whose webcam is
/// Chromium's fake device playing an MJPEG made at test time from a real corpus photo, or no camera at all.
/// Screenshots go to <see cref="ArtifactsDirectory"/> (<c>PENSIONCERT_TEST_ARTIFACTS</c>, default
/// <c>TestResults/browser-artifacts</c> beside the test binaries). Reusable by any browser test: share it as a
/// collection or assembly fixture, and give each test its own <see cref="IBrowserContext"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The locale of the browser and of every context: the pages are for Chinese pensioners and staff.</summary>
    public const string Locale = "zh-CN";

    /// <summary>Debian's chromium (apt-get install chromium; ./test.sh installs it when missing).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly ConcurrentDictionary<string, Lazy<Task<IBrowser>>> _browsers = new(StringComparer.Ordinal);
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("pensioncert-browser-").FullName;
    private IPlaywright? _playwright;

    /// <summary>Where screenshots and other artifacts of the run are written.</summary>
    public string ArtifactsDirectory { get; } = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_ARTIFACTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "TestResults", "browser-artifacts");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y chromium (./test.sh does this when missing).");
        Directory.CreateDirectory(ArtifactsDirectory);
        _playwright = await Playwright.CreateAsync();
    }

    /// <summary>
    /// A browser whose webcam plays <paramref name="cameraPhoto"/> (a corpus path, see <see cref="SharedFaces"/>), or
    /// with no fake camera when null. Launched once per photo and shared; close your contexts, not the browser.
    /// </summary>
    public Task<IBrowser> BrowserAsync(string? cameraPhoto = null) =>
        _browsers.GetOrAdd(cameraPhoto ?? "", key => new Lazy<Task<IBrowser>>(() => LaunchAsync(key.Length == 0 ? null : key))).Value;

    /// <summary>A fresh context (own storage, camera permission granted) at the given viewport, zh-CN, China time.</summary>
    public async Task<IBrowserContext> NewContextAsync(string? cameraPhoto = null, int width = 1280, int height = 800)
    {
        var browser = await BrowserAsync(cameraPhoto);
        return await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = Locale,
            TimezoneId = "Asia/Shanghai",
            Permissions = ["camera"],
            AcceptDownloads = true,
        });
    }

    /// <summary>
    /// Saves a full-page screenshot as <c>{name}.png</c> in <see cref="ArtifactsDirectory"/> and returns its path;
    /// <paramref name="mask"/> covers elements (e.g. face photos, which must not end up in documentation) with a
    /// neutral grey box (<see cref="MaskColor"/>; Playwright's default magenta reads as a broken image).
    /// </summary>
    public async Task<string> ScreenshotAsync(IPage page, string name, IEnumerable<ILocator>? mask = null)
    {
        var path = Path.Combine(ArtifactsDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Mask = mask?.ToArray(), MaskColor = MaskColor });
        return path;
    }

    /// <summary>The colour of masked photos in screenshots.</summary>
    public const string MaskColor = "#C8CDD4";

    private async Task<IBrowser> LaunchAsync(string? cameraPhoto)
    {
        // The browser's UI locale, which Chromium's own controls follow (the date input's year/month/day field order,
        // its calendar): --lang, and on Linux the LANG/LANGUAGE environment, which is what Chromium reads there (with
        // --lang alone the date input stayed month/day/year). Both need Chromium's zh-CN locale pack (Debian package
        // chromium-l10n, which ./test.sh installs; without it the browser falls back to en-US). The context's Locale
        // sets only navigator.language and Accept-Language.
        var args = new List<string> { "--use-fake-ui-for-media-stream", "--lang=" + Locale };
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.Ordinal);
        environment["LANG"] = Locale.Replace('-', '_') + ".UTF-8";
        environment["LANGUAGE"] = Locale.Replace('-', '_');
        environment.Remove("LC_ALL");
        if (cameraPhoto is not null)
            args.AddRange(["--use-fake-device-for-media-stream", "--use-file-for-fake-video-capture=" + WriteMjpeg(cameraPhoto)]);
        return await _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = args,
            Env = environment,
        });
    }

    /// <summary>
    /// An MJPEG (JPEG frames one after another) of a corpus photo, scaled to fit 640x480 and re-encoded as baseline
    /// JPEG, written to this run's temp directory (never to the repository).
    /// </summary>
    private string WriteMjpeg(string cameraPhoto)
    {
        using var original = SKBitmap.Decode(SharedFaces.PathOf(cameraPhoto))
            ?? throw new InvalidOperationException($"{cameraPhoto} is not a decodable photo.");
        var scale = Math.Min(640f / original.Width, 480f / original.Height);
        var info = new SKImageInfo(Math.Max(2, (int)(original.Width * scale) / 2 * 2), Math.Max(2, (int)(original.Height * scale) / 2 * 2));
        using var scaled = original.Resize(info, new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var image = SKImage.FromBitmap(scaled);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 92);
        var frame = jpeg.ToArray();
        var path = Path.Combine(_workDirectory, Path.GetFileNameWithoutExtension(cameraPhoto) + "-" + Guid.NewGuid().ToString("N")[..8] + ".mjpeg");
        using var file = File.Create(path);
        for (var i = 0; i < 30; i++) file.Write(frame);
        return path;
    }

    public async Task DisposeAsync()
    {
        foreach (var browser in _browsers.Values.Where(b => b.IsValueCreated))
        {
            try { await (await browser.Value).CloseAsync(); } catch (PlaywrightException) { /* already gone */ }
        }
        _playwright?.Dispose();
        try { Directory.Delete(_workDirectory, recursive: true); } catch (IOException) { }
    }
}
