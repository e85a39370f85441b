using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Tests.Shared;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// The second look of a refused probe (<see cref="ProbeVerifier"/>) and the retake answers for unusable genuine photos
/// (tester6 F1, F11, F5), on real photos of ../shared/faces transformed here, with the real models.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class SecondLookTests(FaceCorpusFixture corpus)
{
    /// <summary>Pixels turned a quarter turn and saved without EXIF: what an EXIF-stripping WebView or compressor uploads.</summary>
    [Theory]
    [InlineData("lfw/Christopher_Walken/Christopher_Walken_0001.jpg", "lfw/Christopher_Walken/Christopher_Walken_0004.jpg", 90)]
    [InlineData("lfw/Christopher_Walken/Christopher_Walken_0001.jpg", "lfw/Christopher_Walken/Christopher_Walken_0004.jpg", 270)]
    [InlineData("deepface/img1.jpg", "deepface/img10.jpg", 90)]
    [InlineData("asian_faces/Ruco_Chan/115_13.jpg", "asian_faces/Ruco_Chan/115_6.jpg", 270)]
    public async Task VerifyAsync_SidewaysGenuineSelfieWithoutExif_AnalysedUprightAndApproved(string referencePath, string probePath, int turnedBy)
    {
        var reference = Reference(referencePath);
        var sideways = ProbeTransforms.Turned(corpus.Read(probePath), turnedBy);

        var plain = corpus.Policy.Decide(await corpus.Analyzer.AnalyzeAsync(sideways, FaceAnalysisPurpose.Verification, CancellationToken.None), reference);
        Assert.Equal(CertificationStatus.Rejected, plain.Status); // the upright analysis alone refuses it (F1)

        var undo = (360 - turnedBy) % 360;
        var turnedBack = await corpus.Analyzer.AnalyzeAsync(sideways, FaceAnalysisPurpose.Verification, new FaceView(undo), CancellationToken.None);
        Assert.True(turnedBack.IsUsable, string.Join(',', turnedBack.Problems.Select(p => p.Code)));
        Assert.Equal(1, turnedBack.FaceCount);
        var uprightSimilarity = Upright(probePath).Embedding!.CosineSimilarity(turnedBack.Embedding!);
        Assert.True(uprightSimilarity >= 0.95, $"turned back {undo}°: cosine {uprightSimilarity:F4} to the untouched photo");

        var decision = await new ProbeVerifier(corpus.Analyzer, corpus.Policy).VerifyAsync(sideways, reference, CancellationToken.None);
        Assert.Equal(CertificationStatus.Approved, decision.Status);
        Assert.Equal(undo, decision.TurnedDegrees);
        Assert.True(decision.Similarity >= corpus.Policy.AcceptThreshold, $"similarity {decision.Similarity:F3}");
    }

    [Fact]
    public async Task VerifyAsync_UprightGenuineSelfie_DecidedByThePlainAnalysis()
    {
        var decision = await new ProbeVerifier(corpus.Analyzer, corpus.Policy)
            .VerifyAsync(corpus.Read("lfw/Christopher_Walken/Christopher_Walken_0004.jpg"), Reference("lfw/Christopher_Walken/Christopher_Walken_0001.jpg"), CancellationToken.None);
        Assert.Equal(CertificationStatus.Approved, decision.Status);
        Assert.Equal(0, decision.TurnedDegrees);
    }

    /// <summary>A relative leans in close to the phone: a larger helper face, the pensioner's smaller one wholly beside it (F11).</summary>
    [Fact]
    public async Task VerifyAsync_HelpersFaceInFrontOfThePensioners_MultipleFacesRetakeNotAMismatch()
    {
        var composite = ProbeTransforms.HelperInFront(corpus.Read("deepface/img12.jpg"), corpus.Read("deepface/img10.jpg"));
        var pensioner = Reference("deepface/img1.jpg");

        var analysis = await corpus.Analyzer.AnalyzeAsync(composite, FaceAnalysisPurpose.Verification, CancellationToken.None);
        Assert.True(analysis.IsUsable, string.Join(',', analysis.Problems.Select(p => p.Code))); // the helper's face is the main one
        Assert.Equal(Reasons.FaceMismatch, Assert.Single(corpus.Policy.Decide(analysis, pensioner).Reasons));
        var crowded = await corpus.Analyzer.AnalyzeAsync(composite, FaceAnalysisPurpose.Verification, new FaceView(0, WithOtherFaces: true), CancellationToken.None);
        var other = Assert.Single(crowded.OtherFaces);
        Assert.True(other.CosineSimilarity(pensioner[0]) >= corpus.Policy.AcceptThreshold, $"pensioner's face beside the helper: {other.CosineSimilarity(pensioner[0]):F3}");

        var decision = await new ProbeVerifier(corpus.Analyzer, corpus.Policy).VerifyAsync(composite, pensioner, CancellationToken.None);
        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Equal(Reasons.MultipleFaces, Assert.Single(decision.Reasons));
        Assert.Contains("请只让本人出现在画面中", decision.Reasons[0].Message);
        Assert.True(Reasons.AreRetakeOnly([decision.Reasons[0].Code]), "a retake must not use the daily budget");
        Assert.Null(decision.Probe);

        // Neither face is the enrolled person: another person, counted as today.
        var stranger = await new ProbeVerifier(corpus.Analyzer, corpus.Policy)
            .VerifyAsync(composite, Reference("lfw/Christopher_Walken/Christopher_Walken_0001.jpg"), CancellationToken.None);
        Assert.Equal(Reasons.FaceMismatch, Assert.Single(stranger.Reasons));
    }

    /// <summary>The top 30 % of a genuine selfie cut away: the eyes at the very top edge (F5).</summary>
    [Fact]
    public async Task VerifyAsync_FaceCutThroughTheEyesAtTheTop_RetakeNotAMismatch()
    {
        var topCut = ProbeTransforms.TopCut(corpus.Read("asian_faces/Ruco_Chan/115_6.jpg"), 0.30);
        var analysis = await corpus.Analyzer.AnalyzeAsync(topCut, FaceAnalysisPurpose.Verification, CancellationToken.None);
        Assert.True(analysis.FaceCutByFrame);

        var decision = await new ProbeVerifier(corpus.Analyzer, corpus.Policy).VerifyAsync(topCut, Reference("asian_faces/Ruco_Chan/115_13.jpg"), CancellationToken.None);
        Assert.Equal(CertificationStatus.Rejected, decision.Status);
        Assert.Equal(Reasons.FaceNotFullyVisible, Assert.Single(decision.Reasons));
        Assert.True(Reasons.AreRetakeOnly([decision.Reasons[0].Code]));
    }

    /// <summary>LFW crops with a neighbour's face cut by the edge (main-face rule): their own, centred face is not "cut".</summary>
    [Theory]
    [InlineData("lfw/Maria_Shriver/Maria_Shriver_0001.jpg")]
    [InlineData("lfw/Michael_Caine/Michael_Caine_0001.jpg")]
    [InlineData("lfw/Sandra_Bullock/Sandra_Bullock_0004.jpg")]
    public void Analyze_LfwCropWithNeighbourAtTheEdge_MainFaceNotCut(string path)
    {
        var analysis = corpus.Analyze(path, FaceAnalysisPurpose.Verification);
        Assert.True(analysis.IsUsable);
        Assert.False(analysis.FaceCutByFrame, path);
    }

    private FaceEmbedding[] Reference(string path)
    {
        var analysis = corpus.Analyze(path, FaceAnalysisPurpose.Enrollment);
        Assert.True(analysis.IsUsable, path);
        return [analysis.Embedding!];
    }

    private FaceAnalysis Upright(string path)
    {
        var analysis = corpus.Analyze(path, FaceAnalysisPurpose.Verification);
        Assert.True(analysis.IsUsable, path);
        return analysis;
    }
}
