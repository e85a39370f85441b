using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

[Collection(FaceCorpusCollection.Name)]
public sealed class OrientationTests(FaceCorpusFixture corpus)
{
    private const string UprightPhoto = "deepface/img10.jpg";

    [Fact]
    public async Task AnalyzeAsync_AllEightExifOrientations_SameEmbeddingAsUpright()
    {
        using var upright = SKBitmap.Decode(corpus.Read(UprightPhoto));
        var reference = await corpus.Analyzer.AnalyzeAsync(TestImages.JpegWithOrientation(upright, 1), FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        Assert.True(reference.IsUsable);
        for (var orientation = 1; orientation <= 8; orientation++)
        {
            var jpeg = TestImages.JpegWithOrientation(upright, orientation);
            using (var codec = SKCodec.Create(new MemoryStream(jpeg)))
                Assert.Equal((SKEncodedOrigin)orientation, codec.EncodedOrigin);
            var analysis = await corpus.Analyzer.AnalyzeAsync(jpeg, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
            Assert.True(analysis.IsUsable, $"orientation {orientation}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");
            var similarity = analysis.Embedding!.CosineSimilarity(reference.Embedding!);
            Assert.True(similarity >= 0.98, $"orientation {orientation}: cosine {similarity:F4} to upright");
        }
    }

    [Fact]
    public async Task AnalyzeAsync_SidewaysStoredPixelsWithoutExif_NotTheSameAsWithExif()
    {
        // Guard that orientation is really applied: the same stored pixels without the tag are analysed sideways.
        using var upright = SKBitmap.Decode(corpus.Read(UprightPhoto));
        var tagged = TestImages.JpegWithOrientation(upright, 6);
        var untagged = TestImages.InsertExifOrientation(Untag(tagged), 1);
        var withExif = await corpus.Analyzer.AnalyzeAsync(tagged, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        var without = await corpus.Analyzer.AnalyzeAsync(untagged, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        Assert.True(withExif.IsUsable);
        Assert.True(!without.IsUsable || without.Embedding!.CosineSimilarity(withExif.Embedding!) < 0.9);
    }

    [Fact]
    public async Task AnalyzeAsync_RotatedCorpusPhotos_UsableWithOneFace()
    {
        var rotated = corpus.Photos.Where(p => p.Kind == "rotated").ToList();
        Assert.NotEmpty(rotated);
        foreach (var photo in rotated)
        {
            Assert.Contains(photo.ExifOrientation, new int?[] { 6, 8 });
            var analysis = corpus.Analyze(photo.Path, FaceAnalysisPurpose.Verification);
            Assert.True(analysis.IsUsable, $"{photo.Path}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");
            Assert.Equal(1, analysis.FaceCount);
        }

        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(SKEncodedOrigin.TopLeft)]
    [InlineData(SKEncodedOrigin.TopRight)]
    [InlineData(SKEncodedOrigin.BottomRight)]
    [InlineData(SKEncodedOrigin.BottomLeft)]
    [InlineData(SKEncodedOrigin.LeftTop)]
    [InlineData(SKEncodedOrigin.RightTop)]
    [InlineData(SKEncodedOrigin.RightBottom)]
    [InlineData(SKEncodedOrigin.LeftBottom)]
    public void Orient_MarkedCorner_EndsTopLeft(SKEncodedOrigin origin)
    {
        // A 3x2 stored image whose marked pixel is where the orientation's "visual top-left" is stored.
        int w = 3, h = 2;
        var (mx, my) = origin switch
        {
            SKEncodedOrigin.TopLeft => (0, 0),
            SKEncodedOrigin.TopRight => (w - 1, 0),
            SKEncodedOrigin.BottomRight => (w - 1, h - 1),
            SKEncodedOrigin.BottomLeft => (0, h - 1),
            SKEncodedOrigin.LeftTop => (0, 0),
            SKEncodedOrigin.RightTop => (0, h - 1),
            SKEncodedOrigin.RightBottom => (w - 1, h - 1),
            _ => (w - 1, 0),
        };
        var stored = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        stored.Erase(SKColors.Black);
        stored.SetPixel(mx, my, SKColors.White);
        using var upright = ImageDecoder.Orient(stored, origin);
        var swapped = (int)origin >= 5;
        Assert.Equal(swapped ? h : w, upright.Width);
        Assert.Equal(swapped ? w : h, upright.Height);
        Assert.Equal(SKColors.White, upright.GetPixel(0, 0));
        if (!ReferenceEquals(upright, stored)) stored.Dispose();
    }

    private static byte[] Untag(byte[] jpeg)
    {
        // Remove the APP1 segment added by InsertExifOrientation.
        for (var i = 2; i < jpeg.Length - 4; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xE1)
            {
                var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
                return [.. jpeg.AsSpan(0, i), .. jpeg.AsSpan(i + 2 + length)];
            }
        }

        return jpeg;
    }
}
