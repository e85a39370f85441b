using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Operators;
using PensionCert.Http;
using PensionCert.Infrastructure;
using PensionCert.LocalHost;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Starts the local host in-process on a free loopback port against Azurite (<c>PENSIONCERT_TEST_STORAGE</c> or
/// <c>UseDevelopmentStorage=true</c>), with the real models, and captures every log line for the personal-data scan.
/// Fails (does not skip) when Azurite is not running: ./test.sh starts it.
/// </summary>
public class LocalHostFixture : IAsyncLifetime
{
    public const string ClientKey = "local-client-key";

    /// <summary>The per-pensioner request limit the fixture configures (the per-client-key limit is set high for the suite).</summary>
    public const int PensionerPermitsPerMinute = 25;
    /// <summary>The per-pensioner submission limit the tests run with (the default is 6).</summary>
    public const int SubmissionsPerPensionerPerMinute = 10;

    /// <summary>The request timeout the fixture configures (the product default is 120 s).</summary>
    public const int RequestTimeoutSeconds = 45;

    /// <summary>Every GB/T 2260 province-level code: the default test operator serves the whole country.</summary>
    public static readonly string[] AllProvinces =
        ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000", "330000", "340000", "350000", "360000",
         "370000", "410000", "420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000",
         "630000", "640000", "650000", "710000", "810000", "820000"];

    /// <summary>The local host's operator token settings (from its appsettings.json beside the test binaries).</summary>
    public static readonly OperatorAuthOptions OperatorAuth = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build()
        .GetSection(OperatorAuthOptions.SectionName).Get<OperatorAuthOptions>()!;

    private static readonly Lazy<string> DefaultOperatorToken = new(() => OperatorToken(OperatorRole.Admin, AllProvinces));

    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public StorageClients Storage => App.Services.GetRequiredService<StorageClients>();

    public virtual Task InitializeAsync() => StartHostAsync();

    /// <summary>Builds and starts the local host on a free loopback port (again, after it stopped).</summary>
    protected async Task StartHostAsync()
    {
        var storage = await StorageConnectionAsync();
        App = LocalHostApp.Build([], builder =>
        {
            builder.Configuration["Urls"] = "http://127.0.0.1:0";
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["AzureWebJobsStorage"] = storage;
            builder.Configuration["PensionCert:Storage:MaxRetries"] = "1";
            builder.Configuration["PensionCert:LocalHost:ExitOnListenerFailure"] = "false";
            builder.Configuration["PensionCert:LocalHost:RequestTimeoutSeconds"] = RequestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Configuration["PensionCert:RateLimits:ClientPermitsPerMinute"] = "100000";
            builder.Configuration["PensionCert:RateLimits:OperatorPermitsPerMinute"] = "100000";
            builder.Configuration["PensionCert:RateLimits:AnonymousPermitsPerMinute"] = "100000";
            builder.Configuration["PensionCert:RateLimits:PensionerPermitsPerMinute"] = PensionerPermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Configuration["PensionCert:Certification:SubmissionsPerPensionerPerMinute"] = SubmissionsPerPensionerPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The cycle timers run on a fake clock in CycleTests; the host's own timers stay off so they don't race them.
            builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.ScanCertificationCycle}.Disabled"] = "true";
            builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.DispatchCycleEvents}.Disabled"] = "true";
            builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.SweepHomeVisits}.Disabled"] = "true";
            // The cycle tests work their own scan items on a fake clock; FanOutTests runs a host of its own with these on.
            builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.ProcessCycleScanItem}.Disabled"] = "true";
            builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.RecordPoisonedCycleScanItem}.Disabled"] = "true";
            builder.Logging.AddProvider(Logs);
            Configure(builder);
        });
        try
        {
            await App.StartAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException("The local host did not start. Is Azurite running? ./test.sh starts it (npx azurite).", ex);
        }
        Http = new HttpClient { BaseAddress = new Uri(App.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Lets a derived fixture change the configuration after the suite's defaults.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>The storage the host runs against: the suite's Azurite (<c>PENSIONCERT_TEST_STORAGE</c>).</summary>
    protected virtual Task<string> StorageConnectionAsync() =>
        Task.FromResult(Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "UseDevelopmentStorage=true");

    /// <summary>Enrols a pensioner by multipart upload of a corpus photo.</summary>
    public Task<HttpResponseMessage> EnrollAsync(string idNumber, string name, string regionCode, string photoPath) =>
        Http.SendAsync(Request(HttpMethod.Post, "/api/pensioners", OperatorKeyHeader, Multipart(("idNumber", idNumber), ("name", name), ("regionCode", regionCode)).WithPhoto(photoPath)));

    /// <summary>Enrols and returns the pensioner id, asserting success.</summary>
    public async Task<string> EnrollOkAsync(string idNumber, string photoPath, string name = "测试人员")
    {
        using var response = await EnrollAsync(idNumber, name, idNumber[..6], photoPath);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("pensionerId").GetString()!;
    }

    /// <summary>Submits a selfie by multipart upload.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string? idNumber, string photoPath, string channel = "wechat", string? idempotencyKey = null, string? pensionerId = null)
    {
        var fields = new List<(string, string)> { ("channel", channel) };
        if (idNumber is not null) fields.Add(("idNumber", idNumber));
        if (pensionerId is not null) fields.Add(("pensionerId", pensionerId));
        var request = Request(HttpMethod.Post, "/api/certifications", ClientKeyHeader, Multipart(fields.ToArray()).WithPhoto(photoPath));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Http.SendAsync(request);
    }

    /// <summary>Submits, asserts 202, and returns the certification id.</summary>
    public async Task<string> SubmitOkAsync(string idNumber, string photoPath)
    {
        using var response = await SubmitAsync(idNumber, photoPath);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!;
    }

    /// <summary>Submits a JPEG made in the test (a transformed corpus photo) over <c>wechat</c>, asserts 202, and returns the certification id.</summary>
    public async Task<string> SubmitJpegOkAsync(string idNumber, byte[] jpeg)
    {
        using var photo = new ByteArrayContent(jpeg);
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        var form = Multipart(("channel", "wechat"), ("idNumber", idNumber));
        form.Add(photo, "photo", "selfie.jpg");
        using var submit = await Http.SendAsync(Request(HttpMethod.Post, "/api/certifications", ClientKeyHeader, form));
        var body = await submit.Content.ReadAsStringAsync();
        Assert.True(submit.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!;
    }

    /// <summary>Polls a certification until it leaves Pending/Processing (60 s at most) and returns its JSON.</summary>
    public async Task<JsonElement> PollDecidedAsync(string certificationId, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var json = await GetJsonAsync($"/api/certifications/{certificationId}", ClientKeyHeader);
            var status = json.GetProperty("status").GetString();
            if (status is not ("Pending" or "Processing")) return json;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Certification {certificationId} still {status} after {timeoutSeconds} s.");
            await Task.Delay(200);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path, (string, string) key)
    {
        using var response = await Http.SendAsync(Request(HttpMethod.Get, path, key));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static (string, string) ClientKeyHeader => ("x-functions-key", ClientKey);
    /// <summary>An admin serving every province (the default operator of the tests).</summary>
    public static (string, string) OperatorKeyHeader => ("Authorization", "Bearer " + DefaultOperatorToken.Value);

    /// <summary>The evidence integration's machine identity (role integration) serving every province: the only caller of POST /api/evidence.</summary>
    public static (string, string) IntegrationKeyHeader => ("Authorization", "Bearer " + OperatorToken(OperatorRole.Integration, AllProvinces, "test-evidence-integration"));

    /// <summary>A bearer header for an operator with <paramref name="role"/> serving <paramref name="regions"/>.</summary>
    public static (string, string) OperatorHeader(OperatorRole role, params string[] regions) => ("Authorization", "Bearer " + OperatorToken(role, regions));

    /// <summary>A token signed with the local key, valid for an hour from now.</summary>
    public static string OperatorToken(OperatorRole role, string[] regions, string? subject = null) =>
        OperatorTokenIssuer.Mint(OperatorAuth, subject ?? "test-" + role.ToWireName(), role, regions, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>
    /// Marks a pensioner deceased the four-eyes way: the default admin reports the death (202, a death-report case) and
    /// a second admin claims and approves it; returns the case id.
    /// </summary>
    public Task<string> MarkDeceasedWithSecondAdminAsync(string pensionerId, string effectiveOn, string secondAdmin = "test-second-admin") =>
        ReportStatusWithSecondAdminAsync(pensionerId, "deceased", effectiveOn, secondAdmin);

    /// <summary>Records a transfer the four-eyes way (a transfer-report case approved by a second admin); returns the case id.</summary>
    public Task<string> MarkTransferredWithSecondAdminAsync(string pensionerId, string effectiveOn, string secondAdmin = "test-second-admin") =>
        ReportStatusWithSecondAdminAsync(pensionerId, "transferred", effectiveOn, secondAdmin);

    private async Task<string> ReportStatusWithSecondAdminAsync(string pensionerId, string status, string effectiveOn, string secondAdmin)
    {
        using var reported = await Http.SendAsync(Request(HttpMethod.Post, $"/api/pensioners/{pensionerId}/status", OperatorKeyHeader, JsonContent.Create(new { status, effectiveOn })));
        var body = await reported.Content.ReadAsStringAsync();
        Assert.True(reported.StatusCode == HttpStatusCode.Accepted, $"{(int)reported.StatusCode} {body}");
        var caseId = JsonDocument.Parse(body).RootElement.GetProperty("reviewCaseId").GetString()!;
        (string, string) second = ("Authorization", "Bearer " + OperatorToken(OperatorRole.Admin, AllProvinces, secondAdmin));
        using (var claim = await Http.SendAsync(Request(HttpMethod.Post, $"/api/review-cases/{caseId}/claim", second, JsonContent.Create(new { }))))
            Assert.True(claim.IsSuccessStatusCode, await claim.Content.ReadAsStringAsync());
        using var approve = await Http.SendAsync(Request(HttpMethod.Post, $"/api/review-cases/{caseId}/decision", second, JsonContent.Create(new { decision = "approve" })));
        Assert.True(approve.StatusCode == HttpStatusCode.OK, await approve.Content.ReadAsStringAsync());
        return caseId;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, (string Name, string Value)? header, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (header is { } h) request.Headers.Add(h.Name, h.Value);
        return request;
    }

    public static MultipartFormDataContent Multipart(params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        return content;
    }

    /// <summary>
    /// The names of every selfie and reference blob, certification row and identity row, to prove a refused request
    /// stored nothing: <see cref="AssertNothingStoredSinceAsync"/> looks for names that were not there before, so
    /// deletions and updates by the host's background work (retention, erasure, decisions of earlier tests) do not count.
    /// </summary>
    public async Task<StoredSnapshot> SnapshotStoredAsync()
    {
        static async Task<HashSet<string>> Names<T>(IAsyncEnumerable<T> items, Func<T, string> name)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var item in items) names.Add(name(item));
            return names;
        }
        return new StoredSnapshot(
            await Names(Storage.Selfies.GetBlobsAsync(), b => b.Name),
            await Names(Storage.References.GetBlobsAsync(), b => b.Name),
            // Records of the old layout, and records in their pensioner's partition (RowKey certification-{id}).
            (await Names(Storage.Certifications.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]), e => e.PartitionKey + "/" + e.RowKey))
                .Concat(await Names(Storage.Pensioners.QueryAsync<Azure.Data.Tables.TableEntity>(
                    Azure.Data.Tables.TableClient.CreateQueryFilter($"RowKey ge {"certification-"} and RowKey lt {"certification."}"), select: ["PartitionKey", "RowKey"]),
                    e => e.PartitionKey + "/" + e.RowKey)).ToHashSet(StringComparer.Ordinal),
            await Names(Storage.PensionerIdentities.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]), e => e.PartitionKey + "/" + e.RowKey));
    }

    /// <summary>Fails when a selfie, reference, certification or identity exists that <paramref name="before"/> did not hold.</summary>
    public async Task AssertNothingStoredSinceAsync(StoredSnapshot before)
    {
        var after = await SnapshotStoredAsync();
        Assert.Empty(after.Selfies.Except(before.Selfies));
        Assert.Empty(after.References.Except(before.References));
        Assert.Empty(after.Certifications.Except(before.Certifications));
        Assert.Empty(after.Identities.Except(before.Identities));
    }
}

/// <summary>Names of stored items (see <see cref="LocalHostFixture.SnapshotStoredAsync"/>).</summary>
public sealed record StoredSnapshot(HashSet<string> Selfies, HashSet<string> References, HashSet<string> Certifications, HashSet<string> Identities);

internal static class MultipartExtensions
{
    public static MultipartFormDataContent WithPhoto(this MultipartFormDataContent content, string corpusPath)
    {
        var photo = new ByteArrayContent(SharedFaces.Read(corpusPath));
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", Path.GetFileName(corpusPath));
        return content;
    }
}

/// <summary>Captures every formatted log message and its structured values, for the personal-data scan.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner._lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner._lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "local host on Azurite";
}
