using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

/// <summary>The main-face rule (issue #12) on real photos of ../shared/faces and on constructed boxes.</summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class MainFaceRuleTests(FaceCorpusFixture corpus)
{
    /// <summary>LFW portraits with a second face cut by the frame's edge: refused as multiple-faces before the rule.</summary>
    [Theory]
    [InlineData("lfw/Maria_Shriver/Maria_Shriver_0001.jpg")]
    [InlineData("lfw/Maria_Shriver/Maria_Shriver_0003.jpg")]
    [InlineData("lfw/Michael_Caine/Michael_Caine_0001.jpg")]
    [InlineData("lfw/Sandra_Bullock/Sandra_Bullock_0004.jpg")]
    public void Analyze_PortraitWithFaceCutAtTheEdge_MainFaceUsedAndMatchesSamePerson(string path)
    {
        var analysis = corpus.Analyze(path, FaceAnalysisPurpose.Enrollment);
        Assert.True(analysis.FaceCount >= 2, $"{path}: {analysis.FaceCount} face(s) detected");
        Assert.True(analysis.IsUsable, $"{path}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");

        // The face chosen is the pensioner's: it matches another photo of the same person above the accept threshold.
        var folder = Path.GetDirectoryName(path)!;
        var best = Directory.GetFiles(Path.Combine(PensionCert.Tests.Shared.SharedFaces.Root, folder), "*.jpg")
            .Select(f => folder + "/" + Path.GetFileName(f)).Where(p => p != path)
            .Select(p => corpus.Analyze(p, FaceAnalysisPurpose.Enrollment))
            .Where(a => a.IsUsable).Select(a => a.Embedding!.CosineSimilarity(analysis.Embedding!)).DefaultIfEmpty(double.NaN).Max();
        Assert.True(best >= VerificationOptions.DefaultAcceptThreshold, $"{path}: best genuine similarity {best:F3}");
    }

    [Theory]
    [InlineData("deepface/couple.jpg")]
    [InlineData("face_recognition/two_people.jpg")]
    [InlineData("face_recognition/obama_and_biden.jpg")]
    public async Task AnalyzeAsync_TwoSimilarFacesInsideTheFrame_RefusedWithTheRetakeCode(string path)
    {
        var analysis = await corpus.Analyzer.AnalyzeAsync(corpus.Read(path), FaceAnalysisPurpose.Verification, CancellationToken.None);

        var problem = Assert.Single(analysis.Problems);
        Assert.Equal(Reasons.MultipleFaces, problem);
        Assert.Contains("无法确定哪一位是本人", problem.Message);
        Assert.Null(analysis.Embedding);
        Assert.True(Reasons.AreRetakeOnly([problem.Code]), "a quality refusal must not use up the daily mismatch budget");
    }

    [Fact]
    public void Select_ComparableFaceCutByTheEdge_NotARival()
    {
        // 250x250 crop: the subject in the centre, a neighbour's face of the same size cut by the left edge.
        var main = new DetectedFace(new SKRect(90, 80, 160, 170), 0.99f);
        var cut = new DetectedFace(new SKRect(0, 70, 60, 160), 0.95f);
        var selected = MainFaceSelector.Select([cut, main], 250, 250, 0.5, 0.05);
        Assert.Equal(main, selected.Main);
        Assert.False(selected.IsAmbiguous);
    }

    [Fact]
    public void Select_SecondComparableFaceInside_Ambiguous_SmallBackgroundFaceIgnored()
    {
        var pensioner = new DetectedFace(new SKRect(200, 150, 320, 300), 0.99f);
        var helper = new DetectedFace(new SKRect(380, 140, 490, 280), 0.98f);
        var background = new DetectedFace(new SKRect(40, 40, 80, 90), 0.9f);
        var crowded = MainFaceSelector.Select([helper, pensioner, background], 640, 480, 0.5, 0.05);
        Assert.Equal(pensioner, crowded.Main); // nearest the centre among the comparable faces
        Assert.Equal(helper, crowded.Rival);

        var alone = MainFaceSelector.Select([pensioner, background], 640, 480, 0.5, 0.05);
        Assert.False(alone.IsAmbiguous);
    }
}
