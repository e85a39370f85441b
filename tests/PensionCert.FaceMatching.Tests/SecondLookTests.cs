using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using SkiaSharp;

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
        var sideways = Transform(probePath, bitmap => Turn(bitmap, turnedBy));

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
        var composite = HelperFront(helperPath: "deepface/img12.jpg", pensionerPath: "deepface/img10.jpg");
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
        var topCut = Transform("asian_faces/Ruco_Chan/115_6.jpg", bitmap => Crop(bitmap, SKRectI.Create(0, (int)(bitmap.Height * 0.30), bitmap.Width, bitmap.Height - (int)(bitmap.Height * 0.30))));
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

    private byte[] Transform(string path, Func<SKBitmap, SKBitmap> transform)
    {
        using var original = SKBitmap.Decode(corpus.Read(path));
        using var changed = transform(original);
        return Jpeg(changed);
    }

    /// <summary>JPEG q90 without any EXIF block (SkiaSharp's encoder writes none).</summary>
    private static byte[] Jpeg(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static SKBitmap Turn(SKBitmap source, int clockwiseDegrees)
    {
        var swap = clockwiseDegrees % 180 != 0;
        var result = new SKBitmap(swap ? source.Height : source.Width, swap ? source.Width : source.Height);
        using var canvas = new SKCanvas(result);
        canvas.Translate(result.Width / 2f, result.Height / 2f);
        canvas.RotateDegrees(clockwiseDegrees);
        canvas.Translate(-source.Width / 2f, -source.Height / 2f);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return result;
    }

    private static SKBitmap Crop(SKBitmap source, SKRectI area)
    {
        var result = new SKBitmap(area.Width, area.Height);
        Assert.True(source.ExtractSubset(result, area));
        return result.Copy();
    }

    /// <summary>The tester's composite: the helper's photo 600 px high, the pensioner's at 55 % of that beside it, grey background.</summary>
    private byte[] HelperFront(string helperPath, string pensionerPath)
    {
        using var helper = SKBitmap.Decode(corpus.Read(helperPath));
        using var pensioner = SKBitmap.Decode(corpus.Read(pensionerPath));
        const int height = 600;
        var helperWidth = helper.Width * height / helper.Height;
        var pensionerHeight = (int)(height * 0.55);
        var pensionerWidth = pensioner.Width * pensionerHeight / pensioner.Height;
        using var canvasBitmap = new SKBitmap(helperWidth + pensionerWidth + 80, height + 40);
        using (var canvas = new SKCanvas(canvasBitmap))
        {
            canvas.Clear(new SKColor(110, 110, 110));
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
            using var helperImage = SKImage.FromBitmap(helper);
            using var pensionerImage = SKImage.FromBitmap(pensioner);
            canvas.DrawImage(helperImage, SKRect.Create(0, 20, helperWidth, height), sampling);
            canvas.DrawImage(pensionerImage, SKRect.Create(helperWidth + 40, 60, pensionerWidth, pensionerHeight), sampling);
        }
        return Jpeg(canvasBitmap);
    }
}
