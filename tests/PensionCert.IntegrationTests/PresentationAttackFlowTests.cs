using System.Net;
using System.Text.Json;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Tester findings F3 and F6 end to end (local host, queue, real models): a screen replay with noise added, and the
/// reference photo mirrored, submitted as selfies. The attack photos are made from the corpus at run time.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class PresentationAttackFlowTests(LocalHostFixture host)
{
    /// <summary>The corpus's screen replay of the woman in <see cref="Photos.Rotated"/> (image_T1, live).</summary>
    private const string ScreenReplay = "silent_face/image_F2.jpg";

    [Fact]
    public async Task Submit_ScreenReplayWithNoiseSigma25_RefusedTooNoisyNotApproved()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.Rotated);
        var noisy = PhotoTransforms.AddNoise(SharedFaces.Read(ScreenReplay), sigma: 25, seed: 1, quality: 80);

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, noisy));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["too-noisy"], Codes(decided));
    }

    [Fact]
    public async Task Submit_MirroredReferenceAsSelfie_NeedsReviewAsReplay()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var mirrored = PhotoTransforms.Mirror(SharedFaces.Read(Photos.GenuineReference));

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, mirrored));

        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        Assert.Equal(["probe-matches-reference"], Codes(decided));
        // Unmirrored the copy scores below the replay threshold: only the mirrored comparison caught it.
        Assert.True(decided.GetProperty("similarityScore").GetDouble() < Core.Faces.VerificationOptions.DefaultReplayThreshold);
    }

    private static string[] Codes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();
}
