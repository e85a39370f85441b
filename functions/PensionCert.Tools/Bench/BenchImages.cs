using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Test photos made at run time from a real corpus photo (never committed): a 640x480 webcam-style JPEG and a 4032x3024
/// (12 MP) phone JPEG stored landscape with EXIF orientation 6 (display rotated 90° clockwise, i.e. a portrait selfie),
/// with mild sensor-like noise so its size and entropy resemble a real phone photo.
/// </summary>
internal static class BenchImages
{
    /// <summary>The 640x480 JPEG (quality 90): the photo scaled to fit 480 px high, centred on grey.</summary>
    public static byte[] Vga(SKBitmap photo)
    {
        using var canvasBitmap = new SKBitmap(new SKImageInfo(640, 480, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(canvasBitmap))
        using (var image = SKImage.FromBitmap(photo))
        {
            canvas.Clear(new SKColor(128, 128, 128));
            var scale = 480f / photo.Height;
            var width = photo.Width * scale;
            canvas.DrawImage(image, SKRect.Create((640 - width) / 2, 0, width, 480), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        using var data = canvasBitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>
    /// The 12 MP phone JPEG (quality 90): the photo scaled to cover a 3024x4032 portrait, plus ±6 levels of uniform noise
    /// (fixed seed), stored rotated as 4032x3024 pixels with an EXIF APP1 Orientation = 6 segment.
    /// </summary>
    public static byte[] Phone12Mp(SKBitmap photo)
    {
        const int uw = 3024, uh = 4032;
        using var upright = new SKBitmap(new SKImageInfo(uw, uh, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(upright))
        using (var image = SKImage.FromBitmap(photo))
        {
            var scale = Math.Max((float)uw / photo.Width, (float)uh / photo.Height);
            float w = photo.Width * scale, h = photo.Height * scale;
            canvas.DrawImage(image, SKRect.Create((uw - w) / 2, (uh - h) / 2, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        }

        var random = new Random(20260101);
        var pixels = upright.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i++)
        {
            if ((i & 3) == 3) continue;
            pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-6, 7), 0, 255);
        }

        // Orientation 6: the display shows the stored image rotated 90° clockwise, so the stored image is the upright one
        // rotated 90° counter-clockwise: upright (x, y) goes to stored (y, uw − x) (same matrix as the tests' TestImages).
        using var stored = new SKBitmap(new SKImageInfo(uh, uw, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(stored))
        using (var image = SKImage.FromBitmap(upright))
        {
            canvas.SetMatrix(new SKMatrix(0, 1, 0, -1, 0, uw, 0, 0, 1));
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        }

        using var data = stored.Encode(SKEncodedImageFormat.Jpeg, 90);
        return InsertExifOrientation(data.ToArray(), 6);
    }

    /// <summary>Inserts an EXIF orientation segment (<see cref="PensionCert.Tests.Shared.JpegExif.InsertOrientation"/>).</summary>
    public static byte[] InsertExifOrientation(byte[] jpeg, int orientation) => PensionCert.Tests.Shared.JpegExif.InsertOrientation(jpeg, orientation);

    /// <summary>A JPEG of roughly <paramref name="targetBytes"/>: the photo scaled and noised until the encoded size fits (for the ingest benchmark).</summary>
    public static byte[] OfSize(SKBitmap photo, int targetBytes)
    {
        var side = 600;
        byte[] best = [];
        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var scaled = new SKBitmap(new SKImageInfo(side, side * photo.Height / photo.Width, SKColorType.Rgba8888, SKAlphaType.Opaque));
            using (var source = photo.PeekPixels())
            using (var destination = scaled.PeekPixels())
                source.ScalePixels(destination, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            var random = new Random(7);
            var pixels = scaled.GetPixelSpan();
            for (var i = 0; i < pixels.Length; i++)
                if ((i & 3) != 3) pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-6, 7), 0, 255);
            using var data = scaled.Encode(SKEncodedImageFormat.Jpeg, 90);
            best = data.ToArray();
            if (Math.Abs(best.Length - targetBytes) < targetBytes / 20) break;
            side = (int)(side * Math.Sqrt((double)targetBytes / best.Length));
        }

        return best;
    }
}
