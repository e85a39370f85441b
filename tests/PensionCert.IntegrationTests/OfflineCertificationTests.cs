using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using static PensionCert.IntegrationTests.OfflineTestClient;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Counter and community certification through HTTP with real photos: the operator's capture goes through the same
/// queue and face pipeline, recorded with operator, service point and ID-document attestation; a mismatch goes to
/// review, never to approval; client keys cannot use the operator-captured channels.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class OfflineCertificationTests(LocalHostFixture host)
{
    [Fact]
    public async Task Counter_MatchingFace_ApprovedWithOperatorAndServicePointRecorded()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = Clerk("clerk-counter-07");

        var certificationId = await host.SubmitOfflineOkAsync(clerk, pensionerId, Photos.GenuineProbe);
        var decided = await host.PollOfflineAsync(clerk, certificationId);

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Equal("counter", decided.GetProperty("channel").GetString());
        Assert.Equal("clerk-counter-07", decided.GetProperty("capturedBy").GetString());
        Assert.Equal("110105-counter-01", decided.GetProperty("servicePoint").GetString());
        Assert.True(decided.GetProperty("idDocumentChecked").GetBoolean());
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
        var approved = (await host.OutboxAsync(pensionerId)).Single(e => e.Type == "certification.approved");
        Assert.Contains("\"channel\":\"counter\"", approved.Data);
        // A channel's client key cannot read an operator-captured certification (who captured it where).
        var (clientStatus, clientBody, _) = await host.SendJsonAsync(HttpMethod.Get, $"/api/certifications/{certificationId}", LocalHostFixture.ClientKeyHeader);
        Assert.Equal(HttpStatusCode.NotFound, clientStatus);
        Assert.Equal("certification-not-found", Code(clientBody));
    }

    [Fact]
    public async Task Counter_NonMatchingFace_GoesToReviewWithTheAttestation()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = Clerk("clerk-counter-08");

        var certificationId = await host.SubmitOfflineOkAsync(clerk, pensionerId, Photos.Impostor, channel: "community");
        var decided = await host.PollOfflineAsync(clerk, certificationId);

        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        var codes = decided.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();
        Assert.Equal(["face-mismatch", "attested-face-mismatch"], codes);
        Assert.True(decided.GetProperty("similarityScore").GetDouble() < decided.GetProperty("reviewThreshold").GetDouble());
        Assert.Equal("clerk-counter-08", decided.GetProperty("capturedBy").GetString());
        Assert.True(decided.GetProperty("idDocumentChecked").GetBoolean());
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("NeverCertified", eligibility.GetProperty("state").GetString());
        Assert.Contains("review:" + certificationId, (await host.ProfileAsync(pensionerId)).OpenHolds);
    }

    [Fact]
    public async Task Counter_NonMatchingFaceCapturedByAnAdmin_TheAdminCannotDecideItsReview()
    {
        // An admin may capture at the counter and may review: the review of their own capture is another operator's.
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var admin = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Admin, [Region], "admin-counter-self"));
        var certificationId = await host.SubmitOfflineOkAsync(admin, pensionerId, Photos.Impostor);
        Assert.Equal("NeedsReview", (await host.PollOfflineAsync(admin, certificationId)).GetProperty("status").GetString());
        var record = await host.App.Services.GetRequiredService<ICertificationRepository>().GetAsync(certificationId, CancellationToken.None);
        Assert.Equal("admin-counter-self", record!.SubmittedBy);
        var caseId = Assert.IsType<string>(record.ReviewCaseId);

        var (status, body, response) = await host.SendJsonAsync(HttpMethod.Post, $"/api/review-cases/{caseId}/claim", admin, new { });
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("review-conflict-of-interest", Code(body));
        }
        var reviewer = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Reviewer, [Region], "reviewer-counter-check"));
        var (claimed, claim, claimResponse) = await host.SendJsonAsync(HttpMethod.Post, $"/api/review-cases/{caseId}/claim", reviewer, new { });
        using (claimResponse)
        {
            Assert.Equal(HttpStatusCode.OK, claimed);
            Assert.Equal("admin-counter-self", claim.GetProperty("submittedBy").GetString());
        }
    }

    [Fact]
    public async Task OperatorCapturedChannels_WithoutAnOperatorsAttestation_AreRefusedAndStoreNothing()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);

        foreach (var channel in new[] { "counter", "community", "home-visit" })
        {
            using var viaClientKey = await host.SubmitAsync(id, Photos.GenuineProbe, channel);
            Assert.Equal(HttpStatusCode.Forbidden, viaClientKey.StatusCode);
            Assert.Equal("channel-not-allowed", Code(JsonDocument.Parse(await viaClientKey.Content.ReadAsStringAsync()).RootElement));
        }
        using var unchecked_ = await host.SubmitOfflineAsync(Clerk(), pensionerId, Photos.GenuineProbe, idDocumentChecked: "false");
        Assert.Equal("id-document-not-checked", Code(JsonDocument.Parse(await unchecked_.Content.ReadAsStringAsync()).RootElement));
        using var online = await host.SubmitOfflineAsync(Clerk(), pensionerId, Photos.GenuineProbe, channel: "wechat");
        Assert.Equal("invalid-offline-channel", Code(JsonDocument.Parse(await online.Content.ReadAsStringAsync()).RootElement));
        using var noVisit = await host.SubmitOfflineAsync(Clerk(), pensionerId, Photos.GenuineProbe, channel: "home-visit");
        Assert.Equal("home-visit-id-required", Code(JsonDocument.Parse(await noVisit.Content.ReadAsStringAsync()).RootElement));
        using var reviewer = await host.SubmitOfflineAsync(LocalHostFixture.OperatorHeader(Core.Operators.OperatorRole.Reviewer, Region), pensionerId, Photos.GenuineProbe);
        Assert.Equal(HttpStatusCode.Forbidden, reviewer.StatusCode);

        var repository = host.App.Services.GetRequiredService<IPensionerRepository>();
        Assert.Empty(await repository.ListCertificationIdsAsync(pensionerId, CancellationToken.None));
    }
}
