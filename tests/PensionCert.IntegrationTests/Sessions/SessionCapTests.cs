using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Operators;
using PensionCert.Core.Sessions;

namespace PensionCert.IntegrationTests.Sessions;

/// <summary>
/// Sessions per pensioner and day are capped (<c>PensionCert:Sessions:MaxSessionsPerPensionerPerDay</c>, default 10):
/// a channel cannot create session after session for one pensioner until a challenge it likes comes up. Over HTTP on
/// Azurite: the cap's refusal is 429 problem+json with Retry-After until China midnight and stores nothing; another
/// pensioner is not affected, and the operator-captured path (a counter certification) is not limited by it.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class SessionCapTests(LocalHostFixture host)
{
    [Fact]
    public async Task CreateSession_BeyondTheDailyCapForOnePensioner_429WithRetryAfter_OthersAndTheCounterUnaffected()
    {
        ChinaMidnight.WaitIfNear(); // every session of the test falls on one China day
        var cap = host.App.Services.GetRequiredService<IOptions<SessionOptions>>().Value.MaxSessionsPerPensionerPerDay;
        Assert.Equal(10, cap);
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        for (var i = 0; i < cap; i++)
        {
            using var created = await CreateAsync(pensionerId);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }
        var sessionsBefore = await CountSessionsAsync(pensionerId);
        Assert.Equal(cap, sessionsBefore);

        using var refused = await CreateAsync(pensionerId);

        var retryAfter = refused.Headers.RetryAfter?.Delta;
        var problem = await BadInputTests.AssertProblem(refused, HttpStatusCode.TooManyRequests, "daily-sessions-exhausted", "session over the cap");
        Assert.Contains("明天", problem.GetProperty("message").GetString());
        Assert.Contains("社保经办窗口", problem.GetProperty("message").GetString());
        var chinaNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var untilMidnight = new DateTimeOffset(chinaNow.Date.AddDays(1), chinaNow.Offset) - chinaNow;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value.TotalSeconds, untilMidnight.TotalSeconds - 10, untilMidnight.TotalSeconds + 2);
        Assert.Equal(sessionsBefore, await CountSessionsAsync(pensionerId));

        // Another pensioner gets a session; the capped pensioner can still be certified at the counter.
        var other = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        using (var otherCreated = await CreateAsync(other))
            Assert.Equal(HttpStatusCode.Created, otherCreated.StatusCode);
        var counter = host.SubmitOfflineOkAsync(LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110105"), pensionerId, Photos.GenuineProbe);
        Assert.StartsWith("c", await counter, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> CreateAsync(string pensionerId) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certification-sessions", LocalHostFixture.ClientKeyHeader,
            JsonContent.Create(new { pensionerId, channel = "wechat" })));

    /// <summary>The pensioner's stored sessions (the table, not the count rows).</summary>
    private async Task<int> CountSessionsAsync(string pensionerId)
    {
        var n = 0;
        await foreach (var _ in host.Storage.CertificationSessions.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"), select: ["PartitionKey"])) n++;
        return n;
    }
}
