using System.Globalization;
using System.Net;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>A transfer stops payment like a death: one clerk's report opens a transfer-report case; only another admin's approval applies it.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class StatusFourEyesTests(LocalHostFixture host)
{
    private const string Region = "110111";
    private readonly FourEyesClient _client = new(host, Region);

    [Fact]
    public async Task TransferReportedByOneClerk_StopsNothing_UntilASecondAdminApproves()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-mover");
        var today = ChinaTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        using var reported = await _client.PostAsync($"/api/pensioners/{pensionerId}/status", new { status = "transferred", effectiveOn = today }, clerk);
        var body = await FourEyesClient.JsonAsync(reported, HttpStatusCode.Accepted);
        var caseId = body.GetProperty("reviewCaseId").GetString()!;
        Assert.Equal(PensionerStanding.Active, (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);

        // The clerk cannot decide it, nor can a reviewer who is not an admin.
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, clerk), HttpStatusCode.Forbidden, "role-not-allowed");
        var reviewer = _client.Operator(OperatorRole.Reviewer, "reviewer-mover");
        using (var claim = await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer))
        {
            if (claim.StatusCode == HttpStatusCode.OK)
            {
                await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/decision", new { decision = "approve" }, reviewer), HttpStatusCode.Forbidden, "role-not-allowed");
                using var release = await _client.PostAsync($"/api/review-cases/{caseId}/release", new { }, reviewer);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Forbidden, claim.StatusCode);
            }
        }
        Assert.Equal(PensionerStanding.Active, (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!.Standing);

        var decided = await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Admin, "admin-second-mover"), new { decision = "approve" });
        Assert.Equal("approved", decided.GetProperty("state").GetString());
        var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        Assert.Equal(PensionerStanding.Transferred, profile.Standing);
    }
}
