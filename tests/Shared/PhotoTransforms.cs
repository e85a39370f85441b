using SkiaSharp;

namespace PensionCert.Tests.Shared;

/// <summary>
/// Presentation-attack transforms of a photo, made at run time from the corpus (never stored): Gaussian noise, JPEG
/// recompression, mirroring, a small rotation, resizing, cropping, brightness and contrast, blur. Linked into the face tests, the integration tests and the evaluate tool
/// (<c>evaluate --attacks</c>), so the tests and the README's figures use the same transforms as the tester's
/// reproductions (PIL: <c>ImageOps.exif_transpose</c>, numpy <c>img + N(0, σ)</c> per channel, clipped, JPEG).
/// </summary>
internal static class PhotoTransforms
{
    /// <summary>Decodes a photo upright (its EXIF orientation applied) as opaque RGBA8888.</summary>
    public static SKBitmap DecodeUpright(byte[] photo)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(photo)) ?? throw new ArgumentException("Not a decodable image.", nameof(photo));
        // Decoded unpremultiplied into an opaque bitmap (alpha, if any, ignored), as the analyzer's decoder does.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var stored = new SKBitmap(info with { AlphaType = SKAlphaType.Opaque });
        var result = codec.GetPixels(info, stored.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput)) throw new ArgumentException($"Decode failed: {result}.", nameof(photo));
        var origin = codec.EncodedOrigin;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int w = stored.Width, h = stored.Height, dw = swap ? h : w, dh = swap ? w : h;
        // The stored pixel shown at display position (x, y) (TIFF 6.0 Orientation semantics).
        var (ax, bx, cx, ay, by, cy) = origin switch
        {
            SKEncodedOrigin.TopRight => (-1, 0, w - 1, 0, 1, 0),
            SKEncodedOrigin.BottomRight => (-1, 0, w - 1, 0, -1, h - 1),
            SKEncodedOrigin.BottomLeft => (1, 0, 0, 0, -1, h - 1),
            SKEncodedOrigin.LeftTop => (0, 1, 0, 1, 0, 0),
            SKEncodedOrigin.RightTop => (0, 1, 0, -1, 0, h - 1),
            SKEncodedOrigin.RightBottom => (0, -1, w - 1, -1, 0, h - 1),
            SKEncodedOrigin.LeftBottom => (0, -1, w - 1, 1, 0, 0),
            _ => (1, 0, 0, 0, 1, 0),
        };
        var upright = new SKBitmap(new SKImageInfo(dw, dh, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(stored.GetPixelSpan());
        var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(upright.GetPixelSpan());
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
                dst[y * dw + x] = src[(ax * x + bx * y + cx) + (ay * x + by * y + cy) * w] | 0xFF000000u;
        return upright;
    }

    /// <summary>JPEG at <paramref name="quality"/> (no EXIF: the pixels are upright).</summary>
    public static byte[] Jpeg(SKBitmap bitmap, int quality)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    /// <summary>The photo upright with N(0, <paramref name="sigma"/>) added to every channel of every pixel, clipped, as JPEG.</summary>
    public static byte[] AddNoise(byte[] photo, double sigma, int seed, int quality)
    {
        using var bitmap = DecodeUpright(photo);
        var random = new Random(seed);
        var pixels = bitmap.GetPixelSpan();
        for (var p = 0; p < pixels.Length; p += 4)
        {
            for (var c = 0; c < 3; c++)
                pixels[p + c] = (byte)Math.Clamp(Math.Round(pixels[p + c] + sigma * Gaussian(random)), 0, 255);
        }

        bitmap.NotifyPixelsChanged();
        return Jpeg(bitmap, quality);
    }

    /// <summary>The photo upright, mirrored left to right (a front camera, a "flip" button), as JPEG.</summary>
    public static byte[] Mirror(byte[] photo, int quality = 92) => Redraw(photo, quality, (canvas, w, _) => canvas.Scale(-1, 1, w / 2f, 0));

    /// <summary>The photo upright, rotated by <paramref name="degrees"/> about its centre (corners filled black), as JPEG.</summary>
    public static byte[] Rotate(byte[] photo, float degrees, int quality = 92) =>
        Redraw(photo, quality, (canvas, w, h) => canvas.RotateDegrees(degrees, w / 2f, h / 2f));

    /// <summary>The photo upright, re-encoded as JPEG at <paramref name="quality"/>.</summary>
    public static byte[] Recompress(byte[] photo, int quality)
    {
        using var bitmap = DecodeUpright(photo);
        return Jpeg(bitmap, quality);
    }

    /// <summary>The photo upright, scaled by <paramref name="factor"/> (smooth resampling), as JPEG.</summary>
    public static byte[] Resize(byte[] photo, double factor, int quality = 92)
    {
        using var bitmap = DecodeUpright(photo);
        var info = new SKImageInfo(Math.Max(1, (int)Math.Round(bitmap.Width * factor)), Math.Max(1, (int)Math.Round(bitmap.Height * factor)), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var output = new SKBitmap(info);
        using var source = SKImage.FromBitmap(bitmap);
        using (var canvas = new SKCanvas(output))
            canvas.DrawImage(source, new SKRect(0, 0, info.Width, info.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        return Jpeg(output, quality);
    }

    /// <summary>
    /// The photo upright with the given shares of its width and height cut off each side (left, top, right, bottom;
    /// unequal shares shift the face in the frame), as JPEG.
    /// </summary>
    public static byte[] Crop(byte[] photo, double left, double top, double right, double bottom, int quality = 92)
    {
        using var bitmap = DecodeUpright(photo);
        var rect = SKRectI.Create((int)Math.Round(bitmap.Width * left), (int)Math.Round(bitmap.Height * top),
            (int)Math.Round(bitmap.Width * (1 - left - right)), (int)Math.Round(bitmap.Height * (1 - top - bottom)));
        using var output = new SKBitmap(new SKImageInfo(rect.Width, rect.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        if (!bitmap.ExtractSubset(output, rect)) throw new ArgumentException("Crop outside the photo.", nameof(photo));
        return Jpeg(output, quality);
    }

    /// <summary>The photo upright with every channel mapped to <c>gain · p + offset</c>, clipped (contrast and brightness), as JPEG.</summary>
    public static byte[] Levels(byte[] photo, double gain, double offset, int quality = 92)
    {
        using var bitmap = DecodeUpright(photo);
        var pixels = bitmap.GetPixelSpan();
        for (var p = 0; p < pixels.Length; p += 4)
        {
            for (var c = 0; c < 3; c++)
                pixels[p + c] = (byte)Math.Clamp(Math.Round(gain * pixels[p + c] + offset), 0, 255);
        }

        bitmap.NotifyPixelsChanged();
        return Jpeg(bitmap, quality);
    }

    /// <summary>
    /// The photo upright with a Gaussian blur of <paramref name="sigma"/> pixels (a photo of a screen or a print is
    /// softer than the original), as JPEG.
    /// </summary>
    public static byte[] Blur(byte[] photo, float sigma, int quality = 92)
    {
        using var bitmap = DecodeUpright(photo);
        using var output = new SKBitmap(bitmap.Info);
        using (var canvas = new SKCanvas(output))
        using (var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp) })
        {
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        }

        return Jpeg(output, quality);
    }

    private static byte[] Redraw(byte[] photo, int quality, Action<SKCanvas, int, int> transform)
    {
        using var bitmap = DecodeUpright(photo);
        using var output = new SKBitmap(bitmap.Info);
        using (var canvas = new SKCanvas(output))
        {
            canvas.Clear(SKColors.Black);
            transform(canvas, bitmap.Width, bitmap.Height);
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        }

        return Jpeg(output, quality);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
