using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;

namespace PensionCert.Core.Tests;

/// <summary>The decision policy over constructed embeddings with known cosine similarity (no model involved).</summary>
public sealed class VerificationPolicyTests
{
    private static readonly VerificationPolicy Policy = new(Options.Create(new VerificationOptions()));
    private static readonly FaceEmbedding Reference = FaceEmbedding.FromRaw([1f, 0f, 0f]);

    /// <summary>A unit vector at cosine <paramref name="similarity"/> to <see cref="Reference"/>.</summary>
    private static FaceAnalysis Probe(double similarity, double? liveness = 0.99) => new()
    {
        Problems = [],
        FaceCount = 1,
        Embedding = FaceEmbedding.FromRaw([(float)similarity, (float)Math.Sqrt(1 - similarity * similarity), 0f]),
        LivenessScore = liveness,
    };

    [Theory]
    [InlineData(0.45001, CertificationStatus.Approved, new string[0])] // just above: the probe is built from float32 values
    [InlineData(0.80, CertificationStatus.Approved, new string[0])]
    [InlineData(0.4499, CertificationStatus.NeedsReview, new[] { "similarity-doubtful" })]
    [InlineData(0.16001, CertificationStatus.NeedsReview, new[] { "similarity-doubtful" })]
    [InlineData(0.1599, CertificationStatus.Rejected, new[] { "face-mismatch" })]
    [InlineData(-0.5, CertificationStatus.Rejected, new[] { "face-mismatch" })]
    [InlineData(0.985, CertificationStatus.NeedsReview, new[] { "probe-matches-reference" })]
    [InlineData(1.0, CertificationStatus.NeedsReview, new[] { "probe-matches-reference" })]
    public void Decide_Similarity_StatusAndReasonsAtThresholdBoundaries(double similarity, CertificationStatus status, string[] reasons)
    {
        var decision = Policy.Decide(Probe(similarity), Reference);

        Assert.Equal(status, decision.Status);
        Assert.Equal(reasons, decision.Reasons.Select(r => r.Code));
        Assert.Equal(similarity, decision.Similarity!.Value, 5);
    }

    [Theory]
    [InlineData(0.0049, CertificationStatus.Rejected, "face-not-live")]
    [InlineData(0.005, CertificationStatus.NeedsReview, "liveness-doubtful")]
    [InlineData(0.0999, CertificationStatus.NeedsReview, "liveness-doubtful")]
    public void Decide_LowLiveness_NeverApproves(double liveness, CertificationStatus status, string reason)
    {
        var decision = Policy.Decide(Probe(0.9, liveness), Reference);

        Assert.Equal(status, decision.Status);
        Assert.Contains(reason, decision.Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Decide_NotLiveOnADimFace_TooDarkRetake_NotLiveOtherwise()
    {
        var dim = Policy.Decide(Probe(0.9, liveness: 0.003) with { Dim = true }, Reference);
        Assert.Equal(CertificationStatus.Rejected, dim.Status);
        Assert.Equal(["too-dark"], dim.Reasons.Select(r => r.Code));
        Assert.True(Reasons.AreRetakeOnly(["too-dark"]));
        Assert.Equal(0.003, dim.LivenessScore);

        var lit = Policy.Decide(Probe(0.9, liveness: 0.003), Reference);
        Assert.Equal(["face-not-live"], lit.Reasons.Select(r => r.Code));
        // A dim face that is live enough is decided as any other: dimness alone never refuses.
        Assert.Equal(CertificationStatus.Approved, Policy.Decide(Probe(0.9) with { Dim = true }, Reference).Status);
    }

    [Fact]
    public void Decide_MismatchOfAFaceCutByTheFrame_NotFullyVisibleRetake_MatchUnaffected()
    {
        var cut = Policy.Decide(Probe(0.05) with { FaceCutByFrame = true }, Reference);
        Assert.Equal(CertificationStatus.Rejected, cut.Status);
        Assert.Equal(["face-not-fully-visible"], cut.Reasons.Select(r => r.Code));
        Assert.True(Reasons.AreRetakeOnly(["face-not-fully-visible"]));
        Assert.Equal(CertificationStatus.Approved, Policy.Decide(Probe(0.8) with { FaceCutByFrame = true }, Reference).Status);
        Assert.Equal(["face-mismatch"], Policy.Decide(Probe(0.05), Reference).Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Decide_PresentationAttack_NeverReachesComparison()
    {
        var decision = Policy.Decide(Probe(0.9, liveness: 0.001), Reference);

        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Null(decision.Similarity);
    }

    [Fact]
    public void Decide_MissingLiveness_FailsClosed()
    {
        var decision = Policy.Decide(Probe(0.9, liveness: null), Reference);

        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Equal(["face-not-live"], decision.Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Decide_UnusableProbe_RejectedWithItsProblemsAndNoScore()
    {
        var decision = Policy.Decide(FaceAnalysis.Failed(Reasons.MultipleFaces, faceCount: 2), Reference);

        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Equal(["multiple-faces"], decision.Reasons.Select(r => r.Code));
        Assert.Null(decision.Similarity);
    }

    [Fact]
    public void Options_ReviewAboveAccept_FailValidation()
    {
        var options = new VerificationOptions { AcceptThreshold = 0.3, ReviewThreshold = 0.5 };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(VerificationOptions.ReviewThreshold)));
    }
}
