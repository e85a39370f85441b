using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// Large photos are decoded at 1/8 for detection; a face too small at that scale is decoded again finer
/// (<see cref="FaceQualityOptions.MinFaceDetailPixels"/>). Either way the embedding must match a full-size decode.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class LargePhotoDecodeTests(FaceCorpusFixture corpus)
{
    private const string Source = "face_recognition/obama.jpg";

    [Fact]
    public void Analyze_12MpPhotoWithSmallFace_DecodedAgainForTheFace_SameEmbeddingAsFullDecode()
    {
        // The 910x1137 photo drawn 1200 px wide into a 4032x3024 frame: big enough for the detector, but at 1/8 its face is
        // well under MinFaceDetailPixels (80 px).
        var jpeg = Compose(targetWidth: 1200);

        var fast = corpus.Analyzer.Analyze(jpeg, FaceAnalysisPurpose.Verification, out _);
        var full = FullDecodeAnalyzer().Analyze(jpeg, FaceAnalysisPurpose.Verification, out _);
        var coarse = Analyzer(new FaceQualityOptions { MinFaceDetailPixels = 16 }).Analyze(jpeg, FaceAnalysisPurpose.Verification, out _);

        Assert.Empty(fast.Problems);
        Assert.Empty(full.Problems);
        Assert.True(fast.Embedding!.CosineSimilarity(full.Embedding!) > 0.95, $"cosine {fast.Embedding.CosineSimilarity(full.Embedding!):F3}");
        Assert.InRange(fast.Quality!.FaceWidthPixels, full.Quality!.FaceWidthPixels * 0.9, full.Quality.FaceWidthPixels * 1.1);
        // Without the second decode the small face is unusable or clearly further from the full decode.
        Assert.True(coarse.Embedding is null || coarse.Embedding.CosineSimilarity(full.Embedding!) < fast.Embedding.CosineSimilarity(full.Embedding!) - 0.02,
            coarse.Embedding is null ? "" : $"coarse cosine {coarse.Embedding.CosineSimilarity(full.Embedding!):F3}");
        var reference = corpus.Analyze("face_recognition/obama1.jpg", FaceAnalysisPurpose.Enrollment).Embedding!;
        Assert.True(fast.Embedding.CosineSimilarity(reference) >= corpus.Policy.AcceptThreshold, $"similarity {fast.Embedding.CosineSimilarity(reference):F3}");
    }

    [Fact]
    public void Analyze_12MpPhotoWithLargeFace_OneEighthDecodeMatchesFullDecode()
    {
        var jpeg = Compose(targetWidth: 3000);

        var fast = corpus.Analyzer.Analyze(jpeg, FaceAnalysisPurpose.Verification, out _);
        var full = FullDecodeAnalyzer().Analyze(jpeg, FaceAnalysisPurpose.Verification, out _);

        Assert.Empty(fast.Problems);
        Assert.True(fast.Embedding!.CosineSimilarity(full.Embedding!) > 0.9, $"cosine {fast.Embedding.CosineSimilarity(full.Embedding!):F3}");
        Assert.InRange(fast.LivenessScore!.Value, full.LivenessScore!.Value - 0.1, full.LivenessScore.Value + 0.1);
    }

    private FaceAnalyzer FullDecodeAnalyzer() => Analyzer(new FaceQualityOptions { DecodeLongSidePixels = 8192 });

    private FaceAnalyzer Analyzer(FaceQualityOptions quality) =>
        new(corpus.Services.GetRequiredService<FaceModels>(), Options.Create(quality), NullLogger<FaceAnalyzer>.Instance);

    /// <summary>The source photo scaled to <paramref name="targetWidth"/> and centred in a grey 4032x3024 frame, JPEG q90.</summary>
    private byte[] Compose(int targetWidth)
    {
        using var source = SKBitmap.Decode(corpus.Read(Source));
        var height = (int)Math.Round(source.Height * (double)targetWidth / source.Width);
        using var frame = new SKBitmap(new SKImageInfo(4032, 3024, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(frame))
        {
            canvas.Clear(new SKColor(128, 128, 128));
            using var image = SKImage.FromBitmap(source);
            var left = (4032 - targetWidth) / 2f;
            var top = Math.Max(0, (3024 - height) / 2f);
            canvas.DrawImage(image, new SKRect(left, top, left + targetWidth, top + height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        using var data = frame.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
