using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace PensionCert.Tools.Bench;

/// <summary>
/// The local host started in-process (<see cref="LocalHost.LocalHostApp.Build"/>, as the integration tests do) on its own
/// loopback port against the benchmark's own Azurite, with an HTTP client carrying the local development keys.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public const string ClientKey = "local-client-key";
    /// <summary>An admin bearer token for every province, minted with the started host's own operator-token settings.</summary>
    private static string? _operatorToken;

    private BenchHost(WebApplication app, HttpClient http)
    {
        App = app;
        Http = http;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <summary>Builds and starts the host; <paramref name="configure"/> may override configuration or services.</summary>
    public static async Task<BenchHost> StartAsync(string storage, int port, Action<WebApplicationBuilder>? configure = null)
    {
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var app = LocalHost.LocalHostApp.Build([], builder =>
        {
            builder.Configuration["Urls"] = url;
            builder.WebHost.UseUrls(url);
            builder.Configuration["AzureWebJobsStorage"] = storage;
            // Quiet: a log line per certification would cost CPU and flood the figures (appsettings.json says Information).
            builder.Configuration["Logging:LogLevel:Default"] = "Warning";
            builder.Configuration["Logging:LogLevel:PensionCert"] = "Warning";
            // The benchmark client is one key generating the load on purpose: the per-client rate limit would only cut it off.
            builder.Configuration["PensionCert:RateLimits:ClientPermitsPerMinute"] = "1000000";
            builder.Configuration["PensionCert:Certification:SubmissionsPerPensionerPerMinute"] = "100000";
            // The annual-cycle timers are not part of verification; left on, the event dispatcher would publish one
            // certification.approved per verification during the run (bench-scan measures the cycle separately).
            builder.Configuration[$"AzureWebJobs.{PensionCert.Core.Definitions.FunctionNames.ScanCertificationCycle}.Disabled"] = "true";
            builder.Configuration[$"AzureWebJobs.{PensionCert.Core.Definitions.FunctionNames.DispatchCycleEvents}.Disabled"] = "true";
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PensionCert.Http.OperatorAuthOptions>>().Value;
        _operatorToken = PensionCert.Http.OperatorTokenIssuer.Mint(auth, "bench", PensionCert.Core.Operators.OperatorRole.Admin,
            ["110000"], TimeSpan.FromHours(6), DateTimeOffset.UtcNow);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        return new BenchHost(app, new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) });
    }

    /// <summary>Enrols a new pensioner with <paramref name="photo"/> and returns its ID number.</summary>
    public static async Task<string> EnrollAsync(HttpClient http, byte[] photo, CancellationToken cancellationToken)
    {
        var idNumber = BenchIdNumbers.New();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/pensioners") { Content = Multipart(photo, ("idNumber", idNumber), ("name", "测试人员"), ("regionCode", idNumber[..6])) };
        request.Headers.Add("Authorization", "Bearer " + (_operatorToken ??= LocalHostToken()));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Enrolment failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return idNumber;
    }

    /// <summary>An admin token signed with the local host's appsettings.json keys (for a host started as a child process).</summary>
    private static string LocalHostToken()
    {
        var settings = MintToken.DefaultSettings() ?? throw new InvalidOperationException("functions/PensionCert.LocalHost/appsettings.json not found.");
        return PensionCert.Http.OperatorTokenIssuer.Mint(MintToken.ReadOptions(settings), "bench", PensionCert.Core.Operators.OperatorRole.Admin,
            ["110000"], TimeSpan.FromHours(6), DateTimeOffset.UtcNow);
    }

    /// <summary>Submits a selfie (multipart, channel wechat) and returns the certification id; throws unless 202.</summary>
    public static async Task<string> SubmitAsync(HttpClient http, string idNumber, byte[] photo, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/certifications") { Content = Multipart(photo, ("channel", "wechat"), ("idNumber", idNumber)) };
        request.Headers.Add("x-functions-key", ClientKey);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"Submission failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!;
    }

    private static MultipartFormDataContent Multipart(byte[] photo, params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        var image = new ByteArrayContent(photo);
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(image, "photo", "selfie.jpg");
        return content;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Valid, random 18-digit citizen ID numbers (GB 11643-1999 check character, ISO 7064 MOD 11-2) in region 110105.</summary>
internal static class BenchIdNumbers
{
    public static string New()
    {
        var birth = new DateOnly(1940, 1, 1).AddDays(Random.Shared.Next(0, 365 * 20));
        var body = "110105" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Random.Shared.Next(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
        return PensionCert.Core.Identity.CitizenIdNumber.WithCheckCharacter(body);
    }
}
