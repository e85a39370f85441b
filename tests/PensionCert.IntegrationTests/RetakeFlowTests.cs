using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A genuine pensioner's awkward photo over HTTP, the queue and the real models (tester6 F1, F11): never a counted
/// "another person". The day's failed-attempt count is read from storage after each decision.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class RetakeFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task Submit_SidewaysGenuineSelfieWithoutExif_ApprovedOnTheTurnedAnalysis()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var sideways = ProbeTransforms.Turned(SharedFaces.Read(Photos.GenuineProbe), 90);

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, sideways));

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.InRange(decided.GetProperty("similarityScore").GetDouble(), VerificationOptions.DefaultAcceptThreshold, VerificationOptions.DefaultReplayThreshold);
        Assert.True(decided.GetProperty("livenessScore").GetDouble() >= VerificationOptions.DefaultLivenessReviewThreshold);
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Submit_HelpersFaceInFrontOfThePensioners_MultipleFacesRetakeWithoutUsingTheDailyBudget()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var composite = ProbeTransforms.HelperInFront(SharedFaces.Read(Photos.Impostor), SharedFaces.Read(Photos.GenuineProbe));

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, composite));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        var reason = Assert.Single(decided.GetProperty("reasons").EnumerateArray());
        Assert.Equal("multiple-faces", reason.GetProperty("code").GetString());
        Assert.Contains("请只让本人出现在画面中", reason.GetProperty("message").GetString());
        var day = ChinaTime.ToChinaDate(DateTimeOffset.UtcNow);
        Assert.Equal(0, await host.App.Services.GetRequiredService<IPensionerRepository>().CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));
    }
}
