using SkiaSharp;

namespace PensionCert.Tests.Shared;

/// <summary>
/// What phones, apps and helpers do to a genuine selfie (tester6's transforms, SkiaSharp): pixels turned without EXIF,
/// the top of the face cut away, a helper's larger face in front. Results are JPEG q90 without any EXIF block.
/// </summary>
internal static class ProbeTransforms
{
    /// <summary>The photo's pixels turned clockwise by <paramref name="clockwiseDegrees"/> and saved without EXIF orientation.</summary>
    public static byte[] Turned(byte[] photo, int clockwiseDegrees)
    {
        using var source = SKBitmap.Decode(photo);
        var swap = clockwiseDegrees % 180 != 0;
        using var result = new SKBitmap(swap ? source.Height : source.Width, swap ? source.Width : source.Height);
        using (var canvas = new SKCanvas(result))
        using (var image = SKImage.FromBitmap(source))
        {
            canvas.Translate(result.Width / 2f, result.Height / 2f);
            canvas.RotateDegrees(clockwiseDegrees);
            canvas.Translate(-source.Width / 2f, -source.Height / 2f);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        }
        return Jpeg(result);
    }

    /// <summary>The top <paramref name="share"/> of the photo cut away (the eyes at the very top edge for 0.30 on a portrait).</summary>
    public static byte[] TopCut(byte[] photo, double share)
    {
        using var source = SKBitmap.Decode(photo);
        var top = (int)(source.Height * share);
        using var result = new SKBitmap(source.Width, source.Height - top);
        using (var canvas = new SKCanvas(result))
        using (var image = SKImage.FromBitmap(source))
            canvas.DrawImage(image, 0, -top, new SKSamplingOptions(SKFilterMode.Nearest));
        return Jpeg(result);
    }

    /// <summary>
    /// The tester's helper-in-front composite: the helper's photo 600 px high, the pensioner's at 55 % of that height
    /// beside it, both wholly inside a grey frame (the pensioner's face about a quarter of the helper's area).
    /// </summary>
    public static byte[] HelperInFront(byte[] helperPhoto, byte[] pensionerPhoto)
    {
        using var helper = SKBitmap.Decode(helperPhoto);
        using var pensioner = SKBitmap.Decode(pensionerPhoto);
        const int height = 600;
        var helperWidth = helper.Width * height / helper.Height;
        var pensionerHeight = (int)(height * 0.55);
        var pensionerWidth = pensioner.Width * pensionerHeight / pensioner.Height;
        using var result = new SKBitmap(helperWidth + pensionerWidth + 80, height + 40);
        using (var canvas = new SKCanvas(result))
        using (var helperImage = SKImage.FromBitmap(helper))
        using (var pensionerImage = SKImage.FromBitmap(pensioner))
        {
            canvas.Clear(new SKColor(110, 110, 110));
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
            canvas.DrawImage(helperImage, SKRect.Create(0, 20, helperWidth, height), sampling);
            canvas.DrawImage(pensionerImage, SKRect.Create(helperWidth + 40, 60, pensionerWidth, pensionerHeight), sampling);
        }
        return Jpeg(result);
    }

    /// <summary>JPEG q90; SkiaSharp's encoder writes no EXIF block.</summary>
    private static byte[] Jpeg(SKBitmap bitmap) => PhotoTransforms.Jpeg(bitmap, 90);
}
