using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

[Collection(FaceCorpusCollection.Name)]
public sealed class BadImageTests(FaceCorpusFixture corpus)
{
    private async Task<FaceAnalysis> Analyze(byte[] bytes, FaceAnalysisPurpose purpose = FaceAnalysisPurpose.Verification) =>
        await corpus.Analyzer.AnalyzeAsync(bytes, purpose, CancellationToken.None);

    private static void AssertProblem(FaceAnalysis analysis, Reason expected)
    {
        Assert.False(analysis.IsUsable);
        Assert.Null(analysis.Embedding);
        Assert.Equal(expected, Assert.Single(analysis.Problems));
    }

    [Fact]
    public async Task AnalyzeAsync_Empty_ImageUnreadable() => AssertProblem(await Analyze([]), Reasons.ImageUnreadable);

    [Fact]
    public async Task AnalyzeAsync_RandomBytes_ImageUnreadable()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        AssertProblem(await Analyze(bytes), Reasons.ImageUnreadable);
    }

    [Fact]
    public async Task AnalyzeAsync_TruncatedJpeg_ImageUnreadable()
    {
        var jpeg = corpus.Read("deepface/img10.jpg");
        AssertProblem(await Analyze(jpeg[..(jpeg.Length / 2)]), Reasons.ImageUnreadable);
    }

    [Fact]
    public async Task AnalyzeAsync_OnePixelPng_ImageTooSmall()
    {
        using var bitmap = new SKBitmap(1, 1);
        bitmap.SetPixel(0, 0, SKColors.White);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AssertProblem(await Analyze(data.ToArray()), Reasons.ImageTooSmall);
    }

    [Fact]
    public async Task AnalyzeAsync_PngDeclaring30000Squared_ImageTooLargeBeforeDecoding()
    {
        var png = TestImages.PngHeader(30000, 30000);
        Assert.True(png.Length < 100);
        AssertProblem(await Analyze(png), Reasons.ImageTooLarge);
    }

    [Fact]
    public async Task AnalyzeAsync_HeicBytes_ImageUnreadable()
    {
        byte[] heic = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c',
            0x00, 0x00, 0x00, 0x00, (byte)'m', (byte)'i', (byte)'f', (byte)'1', (byte)'h', (byte)'e', (byte)'i', (byte)'c', .. new byte[512]];
        AssertProblem(await Analyze(heic), Reasons.ImageUnreadable);
    }

    [Fact]
    public async Task AnalyzeAsync_UniformGreyImage_NoFace()
    {
        using var bitmap = new SKBitmap(640, 480);
        bitmap.Erase(new SKColor(128, 128, 128));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        AssertProblem(await Analyze(data.ToArray()), Reasons.NoFace);
    }

    [Fact]
    public async Task AnalyzeAsync_NoFacePhotos_NoFace()
    {
        var photos = corpus.Photos.Where(p => p.Kind == "noface").ToList();
        Assert.NotEmpty(photos);
        foreach (var photo in photos)
        {
            var analysis = await Analyze(corpus.Read(photo.Path));
            Assert.True(analysis.Problems.SequenceEqual([Reasons.NoFace]), $"{photo.Path}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");
        }
    }

    [Fact]
    public async Task AnalyzeAsync_MultiFacePhotos_MultipleFaces()
    {
        var photos = corpus.Photos.Where(p => p.Kind == "multiface").ToList();
        Assert.NotEmpty(photos);
        foreach (var photo in photos)
        {
            var analysis = await Analyze(corpus.Read(photo.Path));
            Assert.True(analysis.Problems.SequenceEqual([Reasons.MultipleFaces]), $"{photo.Path}: {string.Join(',', analysis.Problems.Select(p => p.Code))}");
            Assert.True(analysis.FaceCount >= 2, photo.Path);
        }
    }

    [Fact]
    public void Decode_CmykJpegFixture_ColoursCorrect()
    {
        // Synthetic (not a face): 64x64 CMYK JPEG, top half red (#E02020), bottom half blue (#2040E0), made with ImageMagick.
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cmyk-red-over-blue.jpg"));
        using var image = ImageDecoder.Decode(bytes, new FaceQualityOptions { MinFaceWidthPixels = 8 }, 480, out var problem);
        Assert.Null(problem);
        Assert.NotNull(image);
        var pixels = image.Bitmap.GetPixelSpan();
        AssertColour(pixels, image.Width, 32, 16, 0xE0, 0x20, 0x20);
        AssertColour(pixels, image.Width, 32, 48, 0x20, 0x40, 0xE0);
    }

    [Fact]
    public async Task AnalyzeAsync_WebPWithJpgExtension_Usable()
    {
        var analysis = await Analyze(corpus.Read("deepface/img47.jpg"), FaceAnalysisPurpose.Enrollment);
        Assert.True(analysis.IsUsable, string.Join(',', analysis.Problems.Select(p => p.Code)));
    }

    [Fact]
    public async Task AnalyzeAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => corpus.Analyzer.AnalyzeAsync(corpus.Read("deepface/img10.jpg"), FaceAnalysisPurpose.Verification, cts.Token));
    }

    private static void AssertColour(ReadOnlySpan<byte> rgba, int width, int x, int y, int r, int g, int b)
    {
        var i = (y * width + x) * 4;
        Assert.InRange(rgba[i], r - 24, r + 24);
        Assert.InRange(rgba[i + 1], g - 24, g + 24);
        Assert.InRange(rgba[i + 2], b - 24, b + 24);
        Assert.Equal(255, rgba[i + 3]);
    }
}
