using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests;

/// <summary>Daily failed-attempt limit with a review case, per-pensioner request rate, idempotency-key expiry.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class AbuseLimitTests(LocalHostFixture host)
{
    [Fact]
    public async Task Submit_AfterFiveRejectionsToday_429PointingOfflineAndReviewCaseOpened()
    {
        var id = TestIdNumbers.New("110108");
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        for (var i = 0; i < 5; i++)
            Assert.Equal("Rejected", (await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.Impostor))).GetProperty("status").GetString());
        var before = await host.CountStoredAsync();

        using var refused = await host.SubmitAsync(id, Photos.GenuineProbe);

        var problem = await BadInputTests.AssertProblem(refused, HttpStatusCode.TooManyRequests, "daily-attempts-exhausted", "sixth attempt");
        Assert.Contains("社保经办窗口", problem.GetProperty("message").GetString());
        Assert.Contains("上门", problem.GetProperty("message").GetString());
        Assert.Equal(before, await host.CountStoredAsync());

        var cases = await host.GetJsonAsync("/api/review-cases", LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, "110108"));
        var mine = cases.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("pensionerId").GetString() == pensionerId).ToArray();
        Assert.Equal("daily-attempts-exhausted", Assert.Single(mine).GetProperty("reason").GetString());
        var elsewhere = await host.GetJsonAsync("/api/review-cases", LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, "310101"));
        Assert.DoesNotContain(elsewhere.GetProperty("cases").EnumerateArray(), c => c.GetProperty("pensionerId").GetString() == pensionerId);
    }

    [Fact]
    public async Task ReviewCases_Clerk_403()
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/review-cases", LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110000")));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "role-not-allowed", "clerk lists review cases");
    }

    [Fact]
    public async Task Eligibility_ManyRequestsForOnePensioner_429WithRetryAfter()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 40 && limited is null; i++)
        {
            var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else response.Dispose();
        }

        Assert.NotNull(limited);
        Assert.Equal(LocalHostFixture.PensionerPermitsPerMinute, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.True(limited!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await BadInputTests.AssertProblem(limited, HttpStatusCode.TooManyRequests, "rate-limited", "41st read");
        limited.Dispose();
    }

    [Fact]
    public async Task IdempotencyKey_OlderThan24Hours_BindsAfresh()
    {
        var store = host.App.Services.GetRequiredService<IIdempotencyStore>();
        var key = "test-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var old = new IdempotencyEntry(Ids.NewCertificationId(), "h1", now.AddHours(-25));
        Assert.Equal(old.CertificationId, (await store.ClaimAsync(key, old, CancellationToken.None)).CertificationId);

        var fresh = new IdempotencyEntry(Ids.NewCertificationId(), "h2", now);
        var bound = await store.ClaimAsync(key, fresh, now - CertificationOptions.IdempotencyKeyLifetime, CancellationToken.None);
        Assert.Equal(fresh.CertificationId, bound.CertificationId);

        var third = new IdempotencyEntry(Ids.NewCertificationId(), "h3", now);
        Assert.Equal(fresh.CertificationId, (await store.ClaimAsync(key, third, now - CertificationOptions.IdempotencyKeyLifetime, CancellationToken.None)).CertificationId);
        Assert.Equal(TimeSpan.FromHours(24), CertificationOptions.IdempotencyKeyLifetime);
    }
}
