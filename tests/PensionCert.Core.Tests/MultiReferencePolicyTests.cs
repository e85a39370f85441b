using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests;

/// <summary>
/// Several references per pensioner (the enrolled photo and approved live selfies): the best score decides, and only a
/// high-margin, highly live automatic approval qualifies as a further reference. Constructed embeddings with known cosines.
/// </summary>
public sealed class MultiReferencePolicyTests
{
    private static readonly VerificationPolicy Policy = new(Options.Create(new VerificationOptions()));

    /// <summary>A unit vector in the plane of the first two axes at angle <paramref name="degrees"/> from the first axis.</summary>
    private static FaceEmbedding At(double degrees) =>
        FaceEmbedding.FromRaw([(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180), 0f]);

    private static FaceAnalysis Probe(FaceEmbedding embedding, double liveness = 0.9) =>
        new() { Problems = [], FaceCount = 1, Embedding = embedding, LivenessScore = liveness };

    [Fact]
    public void Decide_OldEnrolledPhotoAndRecentLiveReference_BestScoreDecides()
    {
        // Enrolled photo 75° away from today's face (cos 0.26: review band), last year's selfie 30° away (cos 0.87).
        var enrolled = At(0);
        var lastYear = At(45);
        var probe = Probe(At(75));

        var alone = Policy.Decide(probe, enrolled);
        var withLive = Policy.Decide(probe, [enrolled, lastYear]);

        Assert.Equal(CertificationStatus.NeedsReview, alone.Status);
        Assert.Equal(Math.Cos(75 * Math.PI / 180), alone.Similarity!.Value, 5);
        Assert.Equal(CertificationStatus.Approved, withLive.Status);
        Assert.Equal(Math.Cos(30 * Math.PI / 180), withLive.Similarity!.Value, 5);
        Assert.Same(probe.Embedding, withLive.Probe);
    }

    [Fact]
    public void Decide_ProbeReplaysAnEarlierApprovedSelfie_SentToReview()
    {
        var earlierSelfie = At(40);
        var decision = Policy.Decide(Probe(At(40)), [At(0), earlierSelfie]);

        Assert.Equal(CertificationStatus.NeedsReview, decision.Status);
        Assert.Equal(["probe-matches-reference"], decision.Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Profile_References_EnrolledFirstThenLiveOnes()
    {
        var profile = new PensionerProfile
        {
            PensionerId = "p", IdNumberHash = "h", MaskedIdNumber = "m", Name = "n", RegionCode = "110101", ReferenceVersion = 1,
            ReferenceBlobName = "b", ReferenceEmbedding = At(0), EnrolledAt = DateTimeOffset.UnixEpoch,
            LiveReferences = [new LiveReference("c1", DateTimeOffset.UnixEpoch, At(10)), new LiveReference("c2", DateTimeOffset.UnixEpoch, At(20))],
        };

        Assert.Equal([profile.ReferenceEmbedding, profile.LiveReferences[0].Embedding, profile.LiveReferences[1].Embedding], profile.References);
    }

    [Theory]
    // accept 0.45 + margin 0.10 = 0.55; liveness at least 0.50.
    [InlineData(0.5501, 0.9, true)]
    [InlineData(0.5499, 0.9, false)] // approved, but not by the margin
    [InlineData(0.80, 0.50, true)]
    [InlineData(0.80, 0.4999, false)] // approved, but liveness not high enough
    [InlineData(0.30, 0.9, false)] // NeedsReview (similarity-doubtful): a case only a reviewer could approve
    [InlineData(0.99, 0.9, false)] // NeedsReview (probe-matches-reference)
    public void QualifiesAsLiveReference_OnlyHighMarginHighLivenessAutomaticApprovals(double similarity, double liveness, bool qualifies)
    {
        var probe = Probe(FaceEmbedding.FromRaw([(float)similarity, (float)Math.Sqrt(1 - similarity * similarity), 0f]), liveness);
        var decision = Policy.Decide(probe, FaceEmbedding.FromRaw([1f, 0f, 0f]));

        Assert.Equal(qualifies, Policy.QualifiesAsLiveReference(decision));
    }

    [Fact]
    public void QualifiesAsLiveReference_FeatureOff_Never()
    {
        var off = new VerificationPolicy(Options.Create(new VerificationOptions { MaxLiveReferences = 0 }));
        var decision = off.Decide(Probe(At(10)), At(0));

        Assert.Equal(CertificationStatus.Approved, decision.Status);
        Assert.False(off.QualifiesAsLiveReference(decision));
    }
}
