using System.Net;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>One open reference-change case per pensioner: further attempts are refused 409 reference-change-pending until it is decided.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReferenceChangeFloodTests(LocalHostFixture host)
{
    private const string Region = "110113";
    private readonly FourEyesClient _client = new(host, Region);

    [Fact]
    public async Task RepeatedReEnrolments_OneOpenCase_OthersRefused_ANewOneAfterTheDecision()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-flooder");
        string pensionerId;
        using (var first = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.GenuineReference), clerk))
            pensionerId = (await FourEyesClient.JsonAsync(first, HttpStatusCode.Created)).GetProperty("pensionerId").GetString()!;

        using var held = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk);
        var caseId = (await FourEyesClient.JsonAsync(held, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString()!;
        var referencesBefore = await ReferenceBlobsAsync(pensionerId);
        for (var i = 0; i < 3; i++)
            await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo("deepface/img22.jpg"), clerk), HttpStatusCode.Conflict, "reference-change-pending");
        Assert.Equal(referencesBefore, await ReferenceBlobsAsync(pensionerId));

        var list = await host.GetJsonAsync($"/api/review-cases?region={Region}&reason=reference-change", _client.Operator(OperatorRole.Reviewer, "reviewer-flood"));
        Assert.Single(list.GetProperty("cases").EnumerateArray(), c => c.GetProperty("pensionerId").GetString() == pensionerId);

        await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Reviewer, "reviewer-flood"), new { decision = "reject", reason = "not-the-pensioner" });
        using var again = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk);
        Assert.NotEqual(caseId, (await FourEyesClient.JsonAsync(again, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString());
    }

    private async Task<List<string>> ReferenceBlobsAsync(string pensionerId)
    {
        var names = new List<string>();
        await foreach (var blob in host.Storage.References.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = pensionerId + "/" })) names.Add(blob.Name);
        return names;
    }
}
