using PensionCert.Core.Certification;
using PensionCert.Core.Faces;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// End-to-end decisions with the shipped thresholds on a deterministic sample of PAIRS.csv (every 8th non-FG-NET pair
/// of each kind): reference = path_a analysed for enrollment, probe = path_b analysed for verification.
/// The full corpus is measured by <c>PensionCert.Tools evaluate</c>.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class VerificationTests(FaceCorpusFixture corpus)
{
    private const int Stride = 8;

    private List<(CorpusPair Pair, VerificationDecision Decision)> Decide(bool same)
    {
        var sample = corpus.Pairs.Where(p => p.Same == same && p.Source != "fgnet").Where((_, i) => i % Stride == 0).ToList();
        Assert.True(sample.Count >= 40, $"sample of {sample.Count}");
        var decisions = new List<(CorpusPair, VerificationDecision)>();
        foreach (var pair in sample)
        {
            var reference = corpus.Analyze(pair.PathA, FaceAnalysisPurpose.Enrollment);
            var probe = corpus.Analyze(pair.PathB, FaceAnalysisPurpose.Verification);
            if (!reference.IsUsable || !probe.IsUsable) continue; // unusable photos are covered by the evaluation tool
            decisions.Add((pair, corpus.Policy.Decide(probe, reference.Embedding!)));
        }

        Assert.True(decisions.Count >= 0.85 * sample.Count, $"{decisions.Count} of {sample.Count} pairs usable");
        return decisions;
    }

    [Fact]
    public void Decide_GenuinePairs_NeverMismatchAndMostlyApproved()
    {
        var decisions = Decide(same: true);
        foreach (var (pair, decision) in decisions)
        {
            // Each genuine pair: never rejected as another person; approved unless the probe's liveness is in doubt or too low.
            Assert.DoesNotContain(Reasons.FaceMismatch, decision.Reasons);
            var livenessOk = decision.LivenessScore >= VerificationOptions.DefaultLivenessReviewThreshold;
            if (livenessOk)
                Assert.True(decision.Status is CertificationStatus.Approved or CertificationStatus.NeedsReview, $"{pair}: {decision}");
            if (livenessOk && decision.Similarity >= VerificationOptions.DefaultAcceptThreshold)
                Assert.Equal(CertificationStatus.Approved, decision.Status);
        }

        var approved = decisions.Count(d => d.Decision.Status == CertificationStatus.Approved);
        Assert.True(approved >= 0.85 * decisions.Count, $"{approved} of {decisions.Count} genuine pairs approved");
        Assert.True(decisions.Count(d => d.Decision.Similarity >= VerificationOptions.DefaultAcceptThreshold) >= 0.93 * decisions.Count);
    }

    [Fact]
    public void Decide_ImpostorPairs_NeverApprovedAndMostlyRejected()
    {
        var decisions = Decide(same: false);
        foreach (var (pair, decision) in decisions)
        {
            Assert.NotEqual(CertificationStatus.Approved, decision.Status);
            if (decision.Status == CertificationStatus.Rejected)
                Assert.True(decision.Reasons.Contains(Reasons.FaceMismatch) || decision.Reasons.Contains(Reasons.FaceNotLive), $"{pair}: {decision}");
            if (decision.Similarity is { } similarity)
                Assert.True(similarity < VerificationOptions.DefaultAcceptThreshold, $"{pair}: {similarity:F3}");
        }

        var rejected = decisions.Count(d => d.Decision.Status == CertificationStatus.Rejected);
        Assert.True(rejected >= 0.9 * decisions.Count, $"{rejected} of {decisions.Count} impostor pairs rejected");
    }

    [Fact]
    public void Decide_FgnetAgeingGenuinePairs_NotRejectedAsMismatch()
    {
        // Decades-old references (every FG-NET genuine pair, 13 to 43 years apart): a low score must go to review,
        // never to a mismatch rejection.
        var pairs = corpus.Pairs.Where(p => p.Same && p.Source == "fgnet").ToList();
        Assert.True(pairs.Count >= 30, $"{pairs.Count} FG-NET genuine pairs");
        var scores = new Dictionary<CorpusPair, double>();
        foreach (var pair in pairs)
        {
            var a = corpus.Analyze(pair.PathA, FaceAnalysisPurpose.Enrollment);
            var b = corpus.Analyze(pair.PathB, FaceAnalysisPurpose.Enrollment);
            if (!a.IsUsable || !b.IsUsable) continue;
            scores[pair] = a.Embedding!.CosineSimilarity(b.Embedding!);
        }

        // 30 of 30 are usable today (evaluate); a pipeline change that loses old scanned prints must show up here.
        Assert.True(scores.Count >= 28, $"{scores.Count} of {pairs.Count} FG-NET pairs usable");
        foreach (var (pair, similarity) in scores)
            Assert.True(similarity >= VerificationOptions.DefaultReviewThreshold, $"{pair}: {similarity:F3}");

        // The hardest pair, subject 004 at 19 and at 62 (43 years): measured 0.163, in the review band, not approved.
        var hardest = scores.MinBy(kv => kv.Value);
        Assert.Equal(("fgnet/004A19.jpg", "fgnet/004A62.jpg"), (hardest.Key.PathA, hardest.Key.PathB));
        Assert.InRange(hardest.Value, VerificationOptions.DefaultReviewThreshold, VerificationOptions.DefaultAcceptThreshold);
        // Most ageing pairs still reach the accept threshold (24 of 30 measured).
        Assert.True(scores.Values.Count(v => v >= VerificationOptions.DefaultAcceptThreshold) >= 0.75 * scores.Count);
    }
}
