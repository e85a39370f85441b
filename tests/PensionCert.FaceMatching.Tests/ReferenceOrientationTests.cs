using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Tests.Shared;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// Reference photos stored sideways or upside down without EXIF (tester6 F12), analysed by <see cref="ReferenceOrientation"/>
/// with the real models on real photos of ../shared/faces turned here.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class ReferenceOrientationTests(FaceCorpusFixture corpus)
{
    /// <summary>tester6's F12 photos: enrolled from a misread face (Walken, img26), refused not live (img1) or no-face (115_2) before.</summary>
    [Theory]
    [InlineData("lfw/Christopher_Walken/Christopher_Walken_0001.jpg", "lfw/Christopher_Walken/Christopher_Walken_0004.jpg", 90)]
    [InlineData("lfw/Christopher_Walken/Christopher_Walken_0001.jpg", "lfw/Christopher_Walken/Christopher_Walken_0004.jpg", 180)]
    [InlineData("deepface/img26.jpg", "deepface/img28.jpg", 90)]
    [InlineData("deepface/img1.jpg", "deepface/img2.jpg", 90)]
    [InlineData("deepface/img1.jpg", "deepface/img2.jpg", 270)]
    [InlineData("asian_faces/Ruco_Chan/115_2.jpg", "asian_faces/Ruco_Chan/115_6.jpg", 270)]
    public async Task AnalyzeReferenceAsync_TurnedReferenceWithoutExif_EnrolsTheUprightFaceAndGenuineSelfieIsApproved(string referencePath, string probePath, int turnedBy)
    {
        var turned = ProbeTransforms.Turned(corpus.Read(referencePath), turnedBy);
        var upright = corpus.Analyze(referencePath, FaceAnalysisPurpose.Enrollment);
        var probe = corpus.Analyze(probePath, FaceAnalysisPurpose.Verification);

        // Before: the plain analysis reads the turned face; whatever it embeds is not the pensioner's face.
        var plain = await corpus.Analyzer.AnalyzeAsync(turned, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        if (plain.IsUsable) Assert.True(plain.Embedding!.CosineSimilarity(upright.Embedding!) < 0.5, $"plain analysis of the turned photo: cosine {plain.Embedding!.CosineSimilarity(upright.Embedding!):F3}");

        var reading = await corpus.Analyzer.AnalyzeReferenceAsync(turned, FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        Assert.True(reading.Analysis.IsUsable, string.Join(',', reading.Analysis.Problems.Select(p => p.Code)));
        Assert.Equal((360 - turnedBy) % 360, reading.ClockwiseDegrees);
        Assert.Equal(ReferenceOrientationPath.Compared, reading.Path);
        var similarity = reading.Analysis.Embedding!.CosineSimilarity(upright.Embedding!);
        Assert.True(similarity >= 0.95, $"cosine {similarity:F4} to the untouched photo's template");
        Assert.True(reading.Analysis.LivenessScore >= corpus.Policy.LivenessRejectThreshold, $"liveness {reading.Analysis.LivenessScore:F4}");
        var decision = corpus.Policy.Decide(probe, reading.Analysis.Embedding!);
        Assert.Equal(CertificationStatus.Approved, decision.Status);
    }

    /// <summary>Upright references: the same analysis as before (the cheap check passes, or the comparison keeps the upright view).</summary>
    [Theory]
    [InlineData("lfw/Christopher_Walken/Christopher_Walken_0001.jpg")]
    [InlineData("deepface/img1.jpg")]
    [InlineData("asian_faces/Ruco_Chan/115_13.jpg")]
    [InlineData("fgnet/004A19.jpg")] // a scanned print that fails the cheap check: the turns are compared, the upright view kept
    [InlineData("face_recognition/obama3.jpg")]
    public async Task AnalyzeReferenceAsync_UprightReference_SameAnalysisAsBefore(string referencePath)
    {
        var photo = corpus.Read(referencePath);
        var plain = await corpus.Analyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        var reading = await corpus.Analyzer.AnalyzeReferenceAsync(photo, FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        Assert.True(reading.Analysis.IsUsable, string.Join(',', reading.Analysis.Problems.Select(p => p.Code)));
        Assert.Equal(0, reading.ClockwiseDegrees);
        Assert.True(reading.Analysis.Embedding!.CosineSimilarity(plain.Embedding!) > 0.9999);
        Assert.Equal(plain.LivenessScore, reading.Analysis.LivenessScore);
    }

    [Fact]
    public async Task AnalyzeReferenceAsync_ClearlyUprightReference_NothingElseAnalysed()
    {
        var reading = await corpus.Analyzer.AnalyzeReferenceAsync(corpus.Read("deepface/img1.jpg"), FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        Assert.Equal(ReferenceOrientationPath.Upright, reading.Path);
        Assert.True(ReferenceOrientation.MirrorConsistency(reading.Analysis) >= ReferenceOrientation.UprightMirrorConsistency);
        Assert.True(ReferenceOrientation.DetectorLogit(reading.Analysis) >= ReferenceOrientation.UprightDetectorLogit);
    }

    /// <summary>A photo whose turned views all look like faces but none clearly upright: refused with a retake reason, never enrolled misread.</summary>
    [Fact]
    public async Task AnalyzeReferenceAsync_NoViewClearlyUpright_RefusedOrientationUnclear()
    {
        var turned = ProbeTransforms.Turned(corpus.Read("asian_faces/Michelle_Chen/114_2.jpg"), 90);
        var plain = await corpus.Analyzer.AnalyzeAsync(turned, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        Assert.True(plain.IsUsable); // before: enrolled from the sideways face

        var reading = await corpus.Analyzer.AnalyzeReferenceAsync(turned, FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        Assert.False(reading.Analysis.IsUsable);
        Assert.Null(reading.Analysis.Embedding);
        var reason = Assert.Single(reading.Analysis.Problems);
        Assert.Equal("face-orientation-unclear", reason.Code);
        Assert.Contains("转正", reason.Message);
    }

    /// <summary>A photo with no face keeps its plain answer (no-face), whatever the turns show.</summary>
    [Fact]
    public async Task AnalyzeReferenceAsync_NoFace_SameProblemsAsBefore()
    {
        var reading = await corpus.Analyzer.AnalyzeReferenceAsync(corpus.Read("retinaface/no_face.jpg"), FaceAnalysisPurpose.Enrollment, CancellationToken.None);

        Assert.Equal(Reasons.NoFace, Assert.Single(reading.Analysis.Problems));
        Assert.Equal(ReferenceOrientationPath.Compared, reading.Path);
    }
}
