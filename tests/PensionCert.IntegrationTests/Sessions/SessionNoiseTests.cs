using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;
using static PensionCert.Core.Sessions.ChallengeAction;

namespace PensionCert.IntegrationTests.Sessions;

/// <summary>
/// The phone page's challenge frames get the selfie's noise protections (tester6 F3 on the session path): a frame whose
/// face is noisier than <c>MaxNoiseLevel</c> is refused <c>too-noisy</c> (a retake that does not use the daily budget),
/// and a noisy face's liveness is also scored smoothed. Real frames of <c>shared/liveness</c> with noise added at test time.
/// </summary>
[Collection(SessionHostCollection.Name)]
public sealed class SessionNoiseTests(SessionHostFixture host)
{
    private static readonly double[] TurnsRight = [5.62, 6.62, 7.12, 7.62, 7.88, 8.12, 8.38];
    private static readonly double[] TurnsLeft = [9.12, 9.88, 10.12, 10.38, 12.12, 12.62];

    private static IEnumerable<byte[]> Noisy(IEnumerable<byte[]> frames, double sigma) =>
        frames.Select((f, i) => PhotoTransforms.AddNoise(f, sigma, seed: i, quality: 90)).ToArray();

    private Task<string> EnrollBeardedManAsync() => host.EnrollWithPhotoAsync(File.ReadAllBytes(Path.Combine(LivenessClips.Root, "frames", "turn_frontal_t01.0.jpg")));

    private static string[] ReasonCodes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();

    [Fact]
    public async Task ReadAsync_GenuineFrameWithGrainAdded_TooNoisyUntouchedFrameNot()
    {
        var analyzer = host.App.Services.GetRequiredService<IActionFrameAnalyzer>();
        var frame = LivenessClips.Frame(LivenessClips.TurnReal, 5.62);

        var plain = await analyzer.ReadAsync(frame, CancellationToken.None);
        var grainy = await analyzer.ReadAsync(PhotoTransforms.AddNoise(frame, 25, seed: 1, quality: 90), CancellationToken.None);

        Assert.True(plain.HasFace);
        Assert.InRange(plain.NoiseLevel!.Value, 0, 3);
        Assert.Equal(Reasons.TooNoisy, grainy.Problem);
        Assert.False(grainy.HasFace);
        Assert.True(grainy.NoiseLevel > 8, $"noise {grainy.NoiseLevel:F1}");
    }

    [Fact]
    public async Task Session_GenuineFramesWithGrainFilter_TooNoisyRetakeNotCounted()
    {
        ChinaMidnight.WaitIfNear();
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);

        var decided = await host.RunAsync(session, Noisy(LivenessClips.FramesAt(LivenessClips.TurnReal, TurnsRight), 25), Noisy(LivenessClips.FramesAt(LivenessClips.TurnReal, TurnsLeft), 25));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["too-noisy"], ReasonCodes(decided));
        var day = ChinaTime.ToChinaDate(DateTimeOffset.UtcNow);
        Assert.Equal(0, await host.App.Services.GetRequiredService<IPensionerRepository>().CountFailedAttemptsAsync(pensionerId, day, CancellationToken.None));
    }

    /// <summary>
    /// Noise below the gate (σ 12: noise level about 6): the smoothed liveness score keeps a genuine face live (measured
    /// 0.68 median). The noise disturbs the head-pose reading of the turns, so this session ends action-not-seen (a retake),
    /// never as a presentation attack.
    /// </summary>
    [Fact]
    public async Task Session_GenuineFramesWithModerateNoise_LiveNotAPresentationAttack()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);

        var decided = await host.RunAsync(session, Noisy(LivenessClips.FramesAt(LivenessClips.TurnReal, TurnsRight), 12), Noisy(LivenessClips.FramesAt(LivenessClips.TurnReal, TurnsLeft), 12));

        Assert.DoesNotContain("face-not-live", ReasonCodes(decided));
        Assert.DoesNotContain("too-noisy", ReasonCodes(decided));
        Assert.True(decided.GetProperty("livenessScore").GetDouble() >= VerificationOptions.DefaultLivenessReviewThreshold, decided.ToString());
    }

    /// <summary>A video of the pensioner replayed on a phone, with noise added to every frame: never approved, at either noise level.</summary>
    [Theory]
    [InlineData(12)]
    [InlineData(25)]
    public async Task Session_ReplayedVideoWithNoiseAdded_NotApproved(double sigma)
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        var replay = LivenessClips.FramesAt(LivenessClips.TurnReplayedOnPhone, 2.38, 2.88, 3.12, 3.38, 4.12, 4.38);
        var replayLater = LivenessClips.FramesAt(LivenessClips.TurnReplayedOnPhone, 4.88, 5.12, 5.62, 6.12);

        var decided = await host.RunAsync(session, Noisy(replay, sigma), Noisy(replayLater, sigma));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.NotEmpty(ReasonCodes(decided));
        if (decided.TryGetProperty("livenessScore", out var live) && live.ValueKind == JsonValueKind.Number)
            Assert.True(live.GetDouble() < VerificationOptions.DefaultLivenessRejectThreshold, $"liveness {live.GetDouble():F4}");
    }
}
