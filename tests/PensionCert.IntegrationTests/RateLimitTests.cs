using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Audit;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A local host with low anonymous and operator limits (the suite's main host sets them high). Each test sends from
/// its own loopback address (127.0.0.x), so per-address buckets do not leak between tests.
/// </summary>
public sealed class RateLimitedHostFixture : LocalHostFixture
{
    public const int AnonymousPermitsPerMinute = 10;
    public const int OperatorPermitsPerMinute = 5;

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["PensionCert:RateLimits:AnonymousPermitsPerMinute"] = AnonymousPermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["PensionCert:RateLimits:OperatorPermitsPerMinute"] = OperatorPermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // This host only answers HTTP: the main host of the suite works the verification queue.
        builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.VerifyCertification}.Disabled"] = "true";
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/> (any 127.0.0.0/8 address on Linux).</summary>
    public HttpClient From(string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }
}

/// <summary>Rate-limit partitions follow the authenticated identity; 429s carry Retry-After and are audited on operator routes.</summary>
public sealed class RateLimitTests(RateLimitedHostFixture host) : IClassFixture<RateLimitedHostFixture>
{
    private const int Anonymous = RateLimitedHostFixture.AnonymousPermitsPerMinute;

    [Fact]
    public async Task ClientKeyExhaustingAPensioner_DoesNotLockOperatorsOut()
    {
        var pensionerId = Ids.NewPensionerId();
        HttpResponseMessage? limited = null;
        for (var i = 0; i <= LocalHostFixture.PensionerPermitsPerMinute && limited is null; i++)
        {
            var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else response.Dispose();
        }
        Assert.NotNull(limited);
        await AssertRateLimited(limited!, "client over the pensioner's allowance");
        limited!.Dispose();

        // An admin still reaches the pensioner (404: this id was never enrolled) instead of 429.
        using var admin = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader));
        await BadInputTests.AssertProblem(admin, HttpStatusCode.NotFound, "pensioner-not-found", "operator after the client's flood");
    }

    [Fact]
    public async Task AnonymousFlood_DoesNotUseUpThePensionersAllowanceForAValidClient()
    {
        var pensionerId = Ids.NewPensionerId();
        var path = $"/api/pensioners/{pensionerId}/eligibility";
        using var attacker = host.From("127.0.0.21");
        var flood = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * LocalHostFixture.PensionerPermitsPerMinute; i++)
        {
            // No key, or a made-up one: never authenticated.
            using var response = await attacker.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, i % 2 == 0 ? ((string, string)?)null : ("x-functions-key", "guess-" + Guid.NewGuid().ToString("N"))));
            flood.Add(response.StatusCode);
            if (i == Anonymous) await AssertRateLimited(response, "anonymous flood past its address limit");
        }
        Assert.All(flood.Take(Anonymous), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(flood.Skip(Anonymous), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // The pensioner's whole allowance is still there for the real client ...
        for (var i = 0; i < LocalHostFixture.PensionerPermitsPerMinute; i++)
        {
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, LocalHostFixture.ClientKeyHeader));
            await BadInputTests.AssertProblem(response, HttpStatusCode.NotFound, "pensioner-not-found", $"client read {i + 1} after the flood");
        }
        // ... and it is enforced for authorised calls.
        using var over = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, LocalHostFixture.ClientKeyHeader));
        await AssertRateLimited(over, "client read past the pensioner limit");
    }

    [Fact]
    public async Task RotatingRandomKeys_FromOneAddress_429WhileAValidKeyThereStillWorks()
    {
        using var attacker = host.From("127.0.0.22");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Anonymous + 5; i++)
        {
            using var response = await attacker.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/certifications/{Ids.NewCertificationId()}",
                ("x-functions-key", "rotated-" + Guid.NewGuid().ToString("N"))));
            statuses.Add(response.StatusCode);
            if (i >= Anonymous) await AssertRateLimited(response, $"random key {i + 1}");
        }
        Assert.All(statuses.Take(Anonymous), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(Anonymous), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // A configured key counts for its client, not for the address.
        using var valid = await attacker.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/certifications/{Ids.NewCertificationId()}", LocalHostFixture.ClientKeyHeader));
        await BadInputTests.AssertProblem(valid, HttpStatusCode.NotFound, "certification-not-found", "valid key from the limited address");
    }

    [Fact]
    public async Task Operator_OverTheLimit_429WithRetryAfterAndAuditRow()
    {
        var subject = "rate-" + Guid.NewGuid().ToString("N")[..12];
        var pensionerId = Ids.NewPensionerId();
        var header = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Admin, LocalHostFixture.AllProvinces, subject));
        using var client = host.From("127.0.0.23");
        for (var i = 0; i < RateLimitedHostFixture.OperatorPermitsPerMinute; i++)
        {
            using var allowed = await client.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}", header));
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var limited = await client.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}", header));
        await AssertRateLimited(limited, "operator past its limit");

        var audit = await host.App.Services.GetRequiredService<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
        var row = Assert.Single(audit, e => e.Outcome == 429);
        Assert.Equal(subject, row.Actor);
        Assert.Equal("admin", row.Role);
        Assert.Equal(Core.Definitions.FunctionNames.GetPensioner, row.Action);
        Assert.Equal("rate-limited", row.ProblemCode);
        Assert.Equal(RateLimitedHostFixture.OperatorPermitsPerMinute, audit.Count(e => e.Actor == subject && e.Outcome == 404));

        // Another operator from the same address has a bucket of its own.
        using var other = await client.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}",
            ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Admin, LocalHostFixture.AllProvinces, subject + "-b"))));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task ForgedBearerTokens_CountPerAddress_TheFloodIsAuditedOnceAMinute()
    {
        var pensionerId = Ids.NewPensionerId();
        using var attacker = host.From("127.0.0.24");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Anonymous + 2; i++)
        {
            using var response = await attacker.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}", ("Authorization", $"Bearer forged.{i}.token")));
            statuses.Add(response.StatusCode);
            if (i == 0) Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }
        Assert.All(statuses.Take(Anonymous), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(Anonymous), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        var audit = await host.App.Services.GetRequiredService<IAuditLog>().ForPensionerAsync(pensionerId, CancellationToken.None);
        // Of the two refusals beyond the allowance only the first of the minute is audited, so an unauthenticated
        // flood cannot drive one storage write per request.
        Assert.Equal(1, audit.Count(e => e.Outcome == 429 && e.Actor == "anonymous" && e.ProblemCode == "rate-limited"));
    }

    private static async Task AssertRateLimited(HttpResponseMessage response, string because)
    {
        await BadInputTests.AssertProblem(response, HttpStatusCode.TooManyRequests, "rate-limited", because);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"{because}: Retry-After {response.Headers.RetryAfter}");
    }
}
