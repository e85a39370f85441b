using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>
/// Reference drift by blended photos: a clerk re-enrols a pensioner with a chain of blends from the pensioner (A) to
/// another person (B), each close to the one before. Every automatic replacement must match every earlier reference,
/// and only one is allowed per period; the chain therefore ends in a pending four-eyes case, never with B's face as
/// the reference. A genuine newer photo of the pensioner still replaces the reference automatically, once.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReferenceDriftTests(LocalHostFixture host)
{
    private const string Region = "110108";
    private const string PensionerA = "lfw/Hosni_Mubarak/Hosni_Mubarak_0001.jpg";
    private const string PensionerASelfie = "lfw/Hosni_Mubarak/Hosni_Mubarak_0002.jpg";
    private const string ImpostorB = "lfw/Javier_Solana/Javier_Solana_0001.jpg";
    private const string ImpostorBSelfie = "lfw/Javier_Solana/Javier_Solana_0002.jpg";
    private static readonly double[] Steps = [0.20, 0.35, 0.50, 0.65, 0.80, 1.0];

    private readonly FourEyesClient _client = new(host, Region);

    [Fact]
    public async Task BlendChainFromPensionerToImpostor_EndsInPendingCase_ReferenceNeverBecomesTheImpostor()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-blender");
        string pensionerId;
        using (var first = await _client.EnrollAsync(id, FourEyesClient.Photo(PensionerA), clerk))
            pensionerId = (await FourEyesClient.JsonAsync(first, HttpStatusCode.Created)).GetProperty("pensionerId").GetString()!;

        var statuses = await WalkChainAsync(id, clerk, pensionerId, resetPeriod: false);

        // At most the first step replaced the reference; the rest wait for a second operator (one open case).
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= 1, string.Join(",", statuses));
        Assert.NotEqual(HttpStatusCode.OK, statuses[^1]);
        Assert.Single(statuses, s => s == HttpStatusCode.Accepted);
        Assert.True((await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!.ReferenceVersion <= 2);
        await AssertReferenceStillThePensionerAsync(id);
    }

    [Fact]
    public async Task BlendChain_EvenWithThePeriodOver_EachStepMustMatchEveryEarlierReference()
    {
        // The period alone is not the defence: with it run out before every step, the chain still stops where a blend
        // no longer matches the enrolled original (and every kept version) at the accept threshold.
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-patient-blender");
        string pensionerId;
        using (var first = await _client.EnrollAsync(id, FourEyesClient.Photo(PensionerA), clerk))
            pensionerId = (await FourEyesClient.JsonAsync(first, HttpStatusCode.Created)).GetProperty("pensionerId").GetString()!;

        var statuses = await WalkChainAsync(id, clerk, pensionerId, resetPeriod: true);

        Assert.NotEqual(HttpStatusCode.OK, statuses[^1]);
        Assert.Contains(HttpStatusCode.Accepted, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
        await AssertReferenceStillThePensionerAsync(id);
        // Every superseded version keeps its template, encrypted (never the plain bytes).
        var history = await _client.Pensioners.GetReferenceHistoryAsync(pensionerId, CancellationToken.None);
        Assert.NotEmpty(history);
        Assert.All(history, h => Assert.NotNull(h.Embedding));
        await foreach (var row in host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"reference-"} and RowKey lt {"reference-~"}")))
        {
            Assert.False(string.IsNullOrEmpty(row.GetString("ReferenceEmbeddingProtected")));
            Assert.DoesNotContain("ReferenceEmbedding", row.Keys);
        }
    }

    [Fact]
    public async Task GenuineNewerPhoto_ReplacesAutomaticallyOnce_TheNextWaitsForASecondOperator()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-renewal");
        using (var first = await _client.EnrollAsync(id, FourEyesClient.Photo(PensionerA), clerk))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var renewed = await _client.EnrollAsync(id, FourEyesClient.Photo("lfw/Hosni_Mubarak/Hosni_Mubarak_0003.jpg"), clerk))
        {
            var body = await FourEyesClient.JsonAsync(renewed, HttpStatusCode.OK);
            Assert.Equal(2, body.GetProperty("referenceVersion").GetInt32());
        }
        using var again = await _client.EnrollAsync(id, FourEyesClient.Photo("lfw/Hosni_Mubarak/Hosni_Mubarak_0004.jpg"), clerk);
        var pending = await FourEyesClient.JsonAsync(again, HttpStatusCode.Accepted);
        Assert.Equal(2, pending.GetProperty("referenceVersion").GetInt32());
        Assert.False(string.IsNullOrEmpty(pending.GetProperty("pendingReviewCaseId").GetString()));
    }

    /// <summary>Re-enrols A→B in <see cref="Steps"/>; with <paramref name="resetPeriod"/> the last automatic change is moved 400 days back before each step.</summary>
    private async Task<List<HttpStatusCode>> WalkChainAsync(string id, (string, string) clerk, string pensionerId, bool resetPeriod)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var weight in Steps)
        {
            if (resetPeriod)
            {
                var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
                if (profile.LastAutomaticReferenceChangeAt is { } last)
                    await _client.Pensioners.UpdateAsync(profile with { LastAutomaticReferenceChangeAt = last.AddDays(-400) }, CancellationToken.None);
            }
            var photo = weight >= 1.0 ? FourEyesClient.Photo(ImpostorB) : FourEyesClient.Blend(PensionerA, ImpostorB, weight);
            using var response = await _client.EnrollAsync(id, photo, clerk);
            var body = await response.Content.ReadAsStringAsync();
            // 202: a reference-change case opened; 409 reference-change-pending: one already waits for a second operator.
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted
                || (response.StatusCode == HttpStatusCode.Conflict && body.Contains("reference-change-pending", StringComparison.Ordinal)), $"step {weight}: {(int)response.StatusCode} {body}");
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    /// <summary>B's own selfie is not approved and A's is: the reference is still the pensioner's face.</summary>
    private async Task AssertReferenceStillThePensionerAsync(string id)
    {
        var impostor = await host.PollDecidedAsync(await host.SubmitOkAsync(id, ImpostorBSelfie));
        Assert.NotEqual("Approved", impostor.GetProperty("status").GetString());
        var genuine = await host.PollDecidedAsync(await host.SubmitOkAsync(id, PensionerASelfie));
        Assert.Equal("Approved", genuine.GetProperty("status").GetString());
    }
}
