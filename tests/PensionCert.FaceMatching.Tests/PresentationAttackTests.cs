using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Tests.Shared;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// Tester findings F3 (noise added to a screen replay made passive liveness call it live) and F6 (the reference photo
/// mirrored passed the replay check), on corpus photos transformed at run time, with the shipped options; and the
/// genuine photos these defences must leave alone.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class PresentationAttackTests(FaceCorpusFixture corpus)
{
    private const string ScreenReplay = "silent_face/image_F2.jpg";
    private const string ReplayedWoman = "silent_face/image_T1.jpg";

    [Theory]
    [InlineData(18, 1, 95, "face-not-live")] // below the noise gate: the denoised liveness score catches it
    [InlineData(25, 1, 80, "too-noisy")]
    [InlineData(25, 2, 80, "too-noisy")]
    [InlineData(25, 1, 95, "too-noisy")]
    [InlineData(35, 1, 80, "too-noisy")]
    [InlineData(50, 1, 80, "too-noisy")]
    public void Decide_ScreenReplayWithNoise_NeverApproved(double sigma, int seed, int quality, string expectedReason)
    {
        // Without the defences the tester saw σ 18 q95 and every σ 25-35 variant Approved against image_T1.
        var reference = corpus.Analyze(ReplayedWoman, FaceAnalysisPurpose.Enrollment);
        Assert.True(reference.IsUsable);
        var noisy = PhotoTransforms.AddNoise(corpus.Read(ScreenReplay), sigma, seed, quality);

        var probe = corpus.Analyzer.Analyze(noisy, FaceAnalysisPurpose.Verification, out _);
        var decision = corpus.Policy.Decide(probe, reference.Embedding!);

        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Equal([expectedReason], decision.Reasons.Select(r => r.Code));
        if (expectedReason == Reasons.TooNoisy.Code)
        {
            Assert.True(probe.NoiseLevel > corpus.Quality.MaxNoiseLevel, $"noise {probe.NoiseLevel}");
            // A retake: it does not use up the day's failed attempts.
            Assert.True(Reasons.AreRetakeOnly([.. decision.Reasons.Select(r => r.Code)]));
        }
        else
        {
            Assert.True(probe.NoiseLevel > corpus.Quality.LivenessDenoiseAbove && probe.NoiseLevel <= corpus.Quality.MaxNoiseLevel, $"noise {probe.NoiseLevel}");
        }
    }

    [Fact]
    public void Analyze_ScreenReplayAsStored_NotNoisyAndStillFaceNotLive()
    {
        var probe = corpus.Analyze(ScreenReplay, FaceAnalysisPurpose.Verification);
        Assert.True(probe.IsUsable);
        Assert.True(probe.NoiseLevel <= corpus.Quality.MaxNoiseLevel, $"noise {probe.NoiseLevel}");
        Assert.Equal([Reasons.FaceNotLive], corpus.Policy.Decide(probe, corpus.Analyze(ReplayedWoman, FaceAnalysisPurpose.Enrollment).Embedding!).Reasons);
    }

    [Fact]
    public void Analyze_LivePhotosOfCorpus_NoiseGateRefusesAtMostOnePercent()
    {
        var live = corpus.Photos.Where(p => p.Kind == "live").Select(p => (p.Path, Analysis: corpus.Analyze(p.Path, FaceAnalysisPurpose.Verification))).ToList();
        var measured = live.Where(l => l.Analysis.NoiseLevel is not null).ToList();
        Assert.True(measured.Count >= 0.95 * live.Count, $"{measured.Count} of {live.Count} measured");
        var noisy = measured.Where(l => l.Analysis.Problems.Contains(Reasons.TooNoisy)).Select(l => $"{l.Path} {l.Analysis.NoiseLevel:F2}").ToList();
        Assert.True(noisy.Count <= 0.01 * measured.Count, string.Join("; ", noisy));
    }

    [Theory]
    [InlineData("deepface/img1.jpg")]
    [InlineData("lfw/Jiang_Zemin/Jiang_Zemin_0001.jpg")]
    [InlineData("asian_faces/Ruco_Chan/115_2.jpg")]
    [InlineData("fgnet/003A18.jpg")]
    public void Decide_MirroredReferenceAsSelfie_NeedsReviewProbeMatchesReference(string referencePath)
    {
        var reference = corpus.Analyze(referencePath, FaceAnalysisPurpose.Enrollment);
        Assert.True(reference.IsUsable);
        var probe = corpus.Analyzer.Analyze(PhotoTransforms.Mirror(corpus.Read(referencePath)), FaceAnalysisPurpose.Verification, out _);
        Assert.True(probe.IsUsable, string.Join(',', probe.Problems.Select(p => p.Code)));

        var decision = corpus.Policy.Decide(probe, reference.Embedding!);

        Assert.Equal(CertificationStatus.NeedsReview, decision.Status);
        Assert.Contains(Reasons.ProbeMatchesReference, decision.Reasons);
        // Mirrored back it is the reference; unmirrored it may score below the replay threshold (the bypass).
        Assert.True(probe.Embedding!.CosineSimilarity(reference.Embedding!) >= VerificationOptions.DefaultReplayThreshold
            || VerificationPolicy.MirroredSimilarity(probe.MirroredEmbedding!.Value, [reference.Embedding!]) >= VerificationOptions.DefaultMirroredReplayThreshold);
    }

    [Fact]
    public void IsReplay_GenuinePairsOfDifferentPhotos_NeverAReplay()
    {
        var replayed = new List<string>();
        var highestMirrored = double.MinValue;
        foreach (var pair in corpus.Pairs.Where(p => p.Same && p.PathA != p.PathB))
        {
            var reference = corpus.Analyze(pair.PathA, FaceAnalysisPurpose.Enrollment);
            var probe = corpus.Analyze(pair.PathB, FaceAnalysisPurpose.Verification);
            if (!reference.IsUsable || !probe.IsUsable) continue;
            var similarity = probe.Embedding!.CosineSimilarity(reference.Embedding!);
            highestMirrored = Math.Max(highestMirrored, VerificationPolicy.MirroredSimilarity(probe.MirroredEmbedding!.Value, [reference.Embedding!]));
            if (corpus.Policy.IsReplay(probe, [reference.Embedding!], similarity)) replayed.Add($"{pair.PathA} vs {pair.PathB}");
        }

        Assert.Empty(replayed);
        Assert.True(highestMirrored < VerificationOptions.DefaultMirroredReplayThreshold, $"highest mirrored genuine similarity {highestMirrored:F4}");
    }
}
