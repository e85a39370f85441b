using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;
using PensionCert.LocalHost;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Request-target and header limits answered with problem+json (and what stays Kestrel's), the RFC 6750 operator
/// challenge, and the idempotency-key purge timer.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class RequestLimitTests(LocalHostFixture host)
{
    [Fact]
    public async Task LongRequestTarget_414ProblemJson()
    {
        using var response = await host.Http.GetAsync("/api/health?pad=" + new string('a', RequestSizeLimits.MaxRequestTargetLength));
        await BadInputTests.AssertProblem(response, HttpStatusCode.RequestUriTooLong, "uri-too-long", "9 KiB target");
    }

    [Fact]
    public async Task RequestTargetBeyondKestrelsCeiling_StaysKestrels414WithoutBody()
    {
        using var response = await host.Http.GetAsync("/api/health?pad=" + new string('a', RequestSizeLimits.KestrelMaxRequestLineBytes));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NulInRequestTarget_StaysKestrels400WithoutBody()
    {
        // HttpClient will not send this target; write the request line by hand.
        var uri = new Uri(host.Http.BaseAddress!, "/");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /api/health%00 HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        var answer = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("Content-Length: 0", answer, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LargeHeaders_431ProblemJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Padding", new string('h', RequestSizeLimits.MaxHeadersTotalLength));
        using var response = await host.Http.SendAsync(request);
        await BadInputTests.AssertProblem(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "request-headers-too-large", "32 KiB header");
    }

    [Fact]
    public async Task TooManyHeaders_431ProblemJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        for (var i = 0; i < RequestSizeLimits.MaxHeaderCount; i++) request.Headers.Add($"X-H{i}", "1");
        using var response = await host.Http.SendAsync(request);
        await BadInputTests.AssertProblem(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "request-headers-too-large", "over 100 header lines");
    }

    [Fact]
    public async Task HeadersJustUnderTheLimit_Served()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/openapi.json");
        request.Headers.Add("X-Padding", new string('h', RequestSizeLimits.MaxHeadersTotalLength - 1024));
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OperatorRoute_NoAuthorizationHeader_PlainBearerChallenge()
    {
        using var response = await host.Http.GetAsync("/api/review-cases");
        await BadInputTests.AssertProblem(response, HttpStatusCode.Unauthorized, "operator-unauthorized", "no Authorization header");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task OperatorRoute_RejectedToken_InvalidTokenChallenge()
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/review-cases", ("Authorization", "Bearer not.a.token")));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Unauthorized, "operator-unauthorized", "garbage token");
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task IdempotencyPurgeTimer_DeletesKeysOlderThanTheLifetimeAndKeepsFreshOnes()
    {
        var store = host.App.Services.GetRequiredService<IIdempotencyStore>();
        var now = DateTimeOffset.UtcNow;
        var keys = new Dictionary<string, TimeSpan>
        {
            ["purge-old-" + Guid.NewGuid().ToString("N")] = TimeSpan.FromHours(25),
            ["purge-week-" + Guid.NewGuid().ToString("N")] = TimeSpan.FromDays(7),
            ["purge-recent-" + Guid.NewGuid().ToString("N")] = TimeSpan.FromHours(23),
            ["purge-new-" + Guid.NewGuid().ToString("N")] = TimeSpan.Zero,
        };
        foreach (var (key, age) in keys)
            await store.ClaimAsync(key, new IdempotencyEntry(Ids.NewCertificationId(), "h", now - age), CancellationToken.None);

        // The local host's timer method, as the WebJobs SDK calls it.
        var triggers = ActivatorUtilities.CreateInstance<LocalTriggers>(host.App.Services);
        await triggers.PurgeExpiredIdempotencyKeys(null!, CancellationToken.None);

        foreach (var (key, age) in keys)
        {
            var row = await host.Storage.IdempotencyKeys.GetEntityIfExistsAsync<TableEntity>(key, "");
            Assert.True(row.HasValue == age < CertificationOptions.IdempotencyKeyLifetime, $"{key} ({age} old): present={row.HasValue}");
        }
        // An expired key that was purged binds afresh.
        var oldKey = keys.First().Key;
        var fresh = new IdempotencyEntry(Ids.NewCertificationId(), "h2", now);
        Assert.Equal(fresh.CertificationId, (await store.ClaimAsync(oldKey, fresh, CancellationToken.None)).CertificationId);
    }
}
