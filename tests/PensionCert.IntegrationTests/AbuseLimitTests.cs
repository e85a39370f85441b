using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
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
        ChinaMidnight.WaitIfNear(); // the five rejections and the refusal fall on one China day
        var id = TestIdNumbers.New("110108");
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var lastKey = "last-" + Guid.NewGuid().ToString("N");
        string lastId = "";
        for (var i = 0; i < 5; i++)
        {
            // The fifth goes with an Idempotency-Key, to be retried after the limit is reached.
            using var submitted = await host.SubmitAsync(id, Photos.Impostor, idempotencyKey: i == 4 ? lastKey : null);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            lastId = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;
            Assert.Equal("Rejected", (await host.PollDecidedAsync(lastId)).GetProperty("status").GetString());
        }
        var before = await host.SnapshotStoredAsync();
        var keysBefore = await CountIdempotencyKeysAsync();

        using var refused = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: "new-" + Guid.NewGuid().ToString("N"));

        var retryAfter = refused.Headers.RetryAfter?.Delta;
        var problem = await BadInputTests.AssertProblem(refused, HttpStatusCode.TooManyRequests, "daily-attempts-exhausted", "sixth attempt");
        Assert.Contains("社保经办窗口", problem.GetProperty("message").GetString());
        Assert.Contains("上门", problem.GetProperty("message").GetString());
        await host.AssertNothingStoredSinceAsync(before);
        // Retry-After points at the next midnight in China (UTC+8), when online attempts open again.
        var chinaNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var untilMidnight = new DateTimeOffset(chinaNow.Date.AddDays(1), chinaNow.Offset) - chinaNow;
        Assert.NotNull(retryAfter);
        // The header is whole seconds rounded up from the server's own clock reading: up to 2 s above this later reading.
        Assert.InRange(retryAfter!.Value.TotalSeconds, untilMidnight.TotalSeconds - 10, untilMidnight.TotalSeconds + 2);
        // The refused request's key was released, not left bound to a certification that will never exist.
        Assert.Equal(keysBefore, await CountIdempotencyKeysAsync());

        // A retry of the accepted fifth submission (same key, same body) is still its replay, not a 429.
        using var replay = await host.SubmitAsync(id, Photos.Impostor, idempotencyKey: lastKey);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(lastId, JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString());
        await host.AssertNothingStoredSinceAsync(before);

        var cases = await host.GetJsonAsync("/api/review-cases", LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, "110108"));
        var mine = cases.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("pensionerId").GetString() == pensionerId).ToArray();
        Assert.Equal("daily-attempts-exhausted", Assert.Single(mine).GetProperty("reason").GetString());
        var elsewhere = await host.GetJsonAsync("/api/review-cases", LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, "310101"));
        Assert.DoesNotContain(elsewhere.GetProperty("cases").EnumerateArray(), c => c.GetProperty("pensionerId").GetString() == pensionerId);
    }

    [Fact]
    public async Task Submit_AfterFiveQualityRefusalsToday_StillAccepted_BudgetIsForMismatches()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New("110108");
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        // No face four times, then two similar faces (a helper leaning in): retakes, not mismatches.
        foreach (var photo in new[] { Photos.NoFace, Photos.NoFace, Photos.NoFace, Photos.NoFace, Photos.MultipleFaces })
        {
            var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, photo));
            Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        }
        var day = ChinaTime.ToChinaDate(DateTimeOffset.UtcNow);
        Assert.Equal(0, await host.App.Services.GetRequiredService<IPensionerRepository>().CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));

        var sixth = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));

        Assert.Equal("Approved", sixth.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Submit_ReplayedReferencePhoto_CountsAgainstTheDailyLimit_OneOpenReplayCaseAtATime()
    {
        ChinaMidnight.WaitIfNear(); // the five counted attempts and the refusal fall on one China day
        var id = TestIdNumbers.New("110108");
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var day = ChinaTime.ToChinaDate(DateTimeOffset.UtcNow);
        var pensioners = host.App.Services.GetRequiredService<IPensionerRepository>();

        // The stored reference photo itself as the selfie: a review case (no hold), and one of the day's five attempts.
        var first = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineReference));
        Assert.Equal("NeedsReview", first.GetProperty("status").GetString());
        Assert.Equal(["probe-matches-reference"], Codes(first));
        Assert.Equal(1, await pensioners.CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));

        // Again while that case waits: rejected without a second case, and counted too.
        var second = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineReference));
        Assert.Equal("Rejected", second.GetProperty("status").GetString());
        Assert.Equal(["replay-review-pending"], Codes(second));
        Assert.Equal(2, await pensioners.CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));
        var reviewCases = host.App.Services.GetRequiredService<Core.Review.IReviewCaseStore>();
        var open = await reviewCases.ListOpenForPensionerAsync("110108", pensionerId, CancellationToken.None);
        Assert.Equal(first.GetProperty("certificationId").GetString(), Assert.Single(open).CertificationId);

        // Three mismatches make five: the next online submission is refused for the day, and a daily-limit case opens.
        for (var i = 0; i < 3; i++)
            Assert.Equal("Rejected", (await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.Impostor))).GetProperty("status").GetString());
        Assert.Equal(5, await pensioners.CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));
        using var refused = await host.SubmitAsync(id, Photos.GenuineReference);
        await BadInputTests.AssertProblem(refused, HttpStatusCode.TooManyRequests, "daily-attempts-exhausted", "sixth attempt after a replay");
        open = await reviewCases.ListOpenForPensionerAsync("110108", pensionerId, CancellationToken.None);
        Assert.Equal(["certification-needs-review", "daily-attempts-exhausted"], open.Select(c => c.Reason).Order());
    }

    private static string[] Codes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();

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
    public async Task Submit_MoreThanTheLimitPerMinuteForOnePensioner_429WithRetryAfterAndNothingStored()
    {
        var id = TestIdNumbers.New("110108");
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        // Distinct genuine selfies and photos without a face: neither an approval nor a retake counts toward the daily
        // rejection limit, so only the submission rate applies. (The same genuine selfie again would be a replay once the
        // first is kept as a live reference, and replays count.)
        string[] selfies = [Photos.GenuineProbe, "deepface/img4.jpg", "deepface/img5.jpg", "deepface/img6.jpg", "deepface/img7.jpg", "deepface/img10.jpg",
            "deepface/img11.jpg", Photos.NoFace, Photos.NoFace, Photos.NoFace];
        Assert.True(selfies.Length >= LocalHostFixture.SubmissionsPerPensionerPerMinute);
        for (var i = 0; i < LocalHostFixture.SubmissionsPerPensionerPerMinute; i++)
        {
            using var accepted = await host.SubmitAsync(id, selfies[i]);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var before = await host.SnapshotStoredAsync();

        using var limited = await host.SubmitAsync(id, Photos.GenuineProbe);

        var retryAfter = limited.Headers.RetryAfter?.Delta;
        await BadInputTests.AssertProblem(limited, HttpStatusCode.TooManyRequests, "pensioner-submissions-limited", "one over the limit");
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        await host.AssertNothingStoredSinceAsync(before);

        // Another pensioner is not affected.
        var other = TestIdNumbers.New("110108");
        await host.EnrollOkAsync(other, Photos.GenuineReference);
        using var otherAccepted = await host.SubmitAsync(other, Photos.GenuineProbe);
        Assert.Equal(HttpStatusCode.Accepted, otherAccepted.StatusCode);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyConcurrently_OneCertificationAndEveryAnswerPointsToIt()
    {
        var id = TestIdNumbers.New("110108");
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var key = "dup-" + Guid.NewGuid().ToString("N");
        var before = await host.SnapshotStoredAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key)));

        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Accepted)
                ids.Add(JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!);
            else
            {
                // The first request was still between its claim and its record: 409, retry in a second.
                Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
                Assert.Equal("idempotent-request-in-progress", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            }
            response.Dispose();
        }
        var certificationId = Assert.Single(ids);
        var after = await host.SnapshotStoredAsync();
        Assert.Single(after.Certifications.Except(before.Certifications));
        Assert.Equal("Approved", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        Assert.Equal([certificationId], (await host.SnapshotStoredAsync()).Selfies.Except(before.Selfies).Select(n => n.Split('.')[0].Split('/')[^1]));
    }

    [Fact]
    public async Task Submit_RepeatWhileFirstHasNoRecordYet_409InProgress_ThenFinishedAfterThirtySeconds()
    {
        var id = TestIdNumbers.New("110108");
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var key = "slow-" + Guid.NewGuid().ToString("N");
        using var first = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var certificationId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;
        await host.PollDecidedAsync(certificationId);
        // Make the first request look unfinished: its key claimed a moment ago, its record not written.
        var binding = await SingleBindingAsync(certificationId);
        await host.Storage.Pensioners.DeleteEntityAsync(Ids.PensionerIdOf(certificationId), "certification-" + certificationId);

        using var repeat = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);

        Assert.Equal(TimeSpan.FromSeconds(1), repeat.Headers.RetryAfter?.Delta);
        await BadInputTests.AssertProblem(repeat, HttpStatusCode.Conflict, "idempotent-request-in-progress", "repeat within 30 s");

        // Claimed long ago and still no record: the first request died; the repeat finishes it under the same id.
        binding["CreatedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1);
        await host.Storage.IdempotencyKeys.UpdateEntityAsync(binding, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Replace);
        using var finished = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, finished.StatusCode);
        Assert.Equal(certificationId, JsonDocument.Parse(await finished.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString());
    }

    private async Task<Azure.Data.Tables.TableEntity> SingleBindingAsync(string certificationId)
    {
        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var e in host.Storage.IdempotencyKeys.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"CertificationId eq {certificationId}"))) rows.Add(e);
        return Assert.Single(rows);
    }

    private async Task<int> CountIdempotencyKeysAsync()
    {
        var n = 0;
        await foreach (var _ in host.Storage.IdempotencyKeys.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey"])) n++;
        return n;
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
