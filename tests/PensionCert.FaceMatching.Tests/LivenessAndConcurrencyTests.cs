using PensionCert.Core.Certification;
using PensionCert.Core.Faces;

namespace PensionCert.FaceMatching.Tests;

[Collection(FaceCorpusCollection.Name)]
public sealed class LivenessAndConcurrencyTests(FaceCorpusFixture corpus)
{
    [Fact]
    public void AnalyzeAsync_SpoofPhotos_VeryLowLivenessAndRejectedNotLive()
    {
        var spoofs = corpus.Photos.Where(p => p.Kind == "spoof").ToList();
        Assert.NotEmpty(spoofs);
        var reference = corpus.Analyze("deepface/img10.jpg", FaceAnalysisPurpose.Enrollment);
        foreach (var spoof in spoofs)
        {
            var analysis = corpus.Analyze(spoof.Path, FaceAnalysisPurpose.Verification);
            Assert.True(analysis.IsUsable, $"{spoof.Path}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");
            Assert.NotNull(analysis.LivenessScore);
            Assert.True(analysis.LivenessScore < VerificationOptions.DefaultLivenessRejectThreshold, $"{spoof.Path}: {analysis.LivenessScore}");
            var decision = corpus.Policy.Decide(analysis, reference.Embedding!);
            Assert.Equal(CertificationStatus.Rejected, decision.Status);
            Assert.Equal([Reasons.FaceNotLive], decision.Reasons);
        }
    }

    [Fact]
    public void AnalyzeAsync_LivePhotos_MostlyLive()
    {
        // Every 4th live photo outside FG-NET (FG-NET's young photos are scanned prints: a print is not live).
        var live = corpus.Photos.Where(p => p.Kind == "live" && p.Source != "fgnet").Where((_, i) => i % 4 == 0).ToList();
        var scores = live.Select(p => corpus.Analyze(p.Path, FaceAnalysisPurpose.Verification)).Where(a => a.IsUsable).Select(a => a.LivenessScore!.Value).ToList();
        Assert.True(scores.Count >= 0.9 * live.Count);
        Assert.True(scores.Count(s => s >= VerificationOptions.DefaultLivenessRejectThreshold) >= 0.95 * scores.Count);
        Assert.True(scores.Count(s => s >= 0.5) >= 0.85 * scores.Count);
    }

    [Fact]
    public void AnalyzeAsync_Enrollment_ScoresLivenessToo()
    {
        // A first enrolment refuses a photo of a photo (EnrollmentService), so enrolment photos are scored as well.
        var analysis = corpus.Analyze("deepface/img10.jpg", FaceAnalysisPurpose.Enrollment);
        Assert.True(analysis.IsUsable);
        Assert.InRange(analysis.LivenessScore!.Value, 0.0, 1.0);
        Assert.Equal(512, analysis.Embedding!.Dimensions);
        Assert.NotNull(analysis.Quality);
    }

    [Fact]
    public async Task AnalyzeAsync_SamePhotoOnManyThreads_IdenticalResults()
    {
        var bytes = corpus.Read("deepface/img2.jpg");
        var expected = await corpus.Analyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Verification, CancellationToken.None);
        Assert.True(expected.IsUsable);
        var tasks = Enumerable.Range(0, 12).Select(_ => Task.Run(() => corpus.Analyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Verification, CancellationToken.None)));
        foreach (var result in await Task.WhenAll(tasks))
        {
            Assert.True(result.Embedding!.Values.SequenceEqual(expected.Embedding!.Values));
            Assert.Equal(expected.LivenessScore, result.LivenessScore);
            Assert.Equal(expected.Quality, result.Quality);
        }
    }

    [Fact]
    public void Analyze_Timings_StagesReachedTimedOthersZeroWithinWallClock()
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var analysis = corpus.Analyzer.Analyze(corpus.Read("deepface/img2.jpg"), FaceAnalysisPurpose.Verification, out var timings);
        var elapsed = wall.Elapsed.TotalMilliseconds;
        Assert.True(analysis.IsUsable);
        Assert.True(timings.DecodeMs > 0 && timings.DetectMs > 0 && timings.LandmarksMs > 0 && timings.AlignMs > 0 && timings.EmbedMs > 0 && timings.LivenessMs > 0, timings.ToString());
        // The stages are laps of one clock inside the call: together never more than the call took.
        Assert.True(timings.TotalMs <= elapsed, $"stages {timings.TotalMs:F2} ms > call {elapsed:F2} ms");

        // Enrolment scores liveness too (a first reference must be live); a photo without a face stops after
        // detection: stages not reached stay 0.
        corpus.Analyzer.Analyze(corpus.Read("deepface/img2.jpg"), FaceAnalysisPurpose.Enrollment, out var enrolment);
        Assert.True(enrolment.EmbedMs > 0);
        Assert.True(enrolment.LivenessMs > 0);
        var noFace = corpus.Analyzer.Analyze(corpus.Read("retinaface/no_face.jpg"), FaceAnalysisPurpose.Verification, out var stopped);
        Assert.Equal(Reasons.NoFace, Assert.Single(noFace.Problems));
        Assert.True(stopped.DetectMs > 0);
        Assert.Equal(0, stopped.LandmarksMs + stopped.AlignMs + stopped.EmbedMs + stopped.LivenessMs);
    }
}

[Collection(FaceCorpusCollection.Name)]
public sealed class ModelStatusTests(FaceCorpusFixture corpus)
{
    [Fact]
    public void Status_AfterStartup_ReadyNothingMissing()
    {
        Assert.True(corpus.Status.IsReady);
        Assert.Empty(corpus.Status.Missing);
    }
}
