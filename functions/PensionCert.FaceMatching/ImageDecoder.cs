using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// Decodes JPEG, PNG and WebP bytes with SkiaSharp into an upright RGBA image: checks the header's pixel count before
/// decoding (decompression bomb guard), decodes large JPEG/WebP photos downscaled by the codec itself (DCT scaling),
/// and applies all eight EXIF orientations.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>
    /// Decodes <paramref name="photo"/>; returns the image or the reason it cannot be used. Never throws for bad bytes.
    /// A photo at least twice <paramref name="targetLongSide"/> is decoded downscaled (JPEG/WebP by the codec, PNG by
    /// resampling), keeping its long side ≥ <paramref name="targetLongSide"/>.
    /// </summary>
    public static DecodedImage? Decode(ReadOnlySpan<byte> photo, FaceQualityOptions options, int targetLongSide, out Reason? problem)
    {
        problem = null;
        if (photo.Length < 8)
        {
            problem = Reasons.ImageUnreadable;
            return null;
        }

        // The codec reads the caller's bytes in place (pinned for the duration of this call): no copy of a multi-MB upload.
        unsafe
        {
            fixed (byte* bytes = photo)
            {
                using var data = SKData.Create((IntPtr)bytes, photo.Length);
                return Decode(data, options, targetLongSide, out problem);
            }
        }
    }

    private static DecodedImage? Decode(SKData data, FaceQualityOptions options, int targetLongSide, out Reason? problem)
    {
        problem = null;
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            problem = Reasons.ImageUnreadable;
            return null;
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            problem = Reasons.ImageUnreadable;
            return null;
        }

        if ((long)info.Width * info.Height > options.MaxMegapixels * 1_000_000d)
        {
            problem = Reasons.ImageTooLarge;
            return null;
        }

        if (Math.Min(info.Width, info.Height) < options.MinFaceWidthPixels)
        {
            problem = Reasons.ImageTooSmall;
            return null;
        }

        var longSide = Math.Max(info.Width, info.Height);
        var size = new SKSizeI(info.Width, info.Height);
        if (longSide >= 2 * targetLongSide)
        {
            // Skia rounds the requested scale up to the next supported one (n/8 for JPEG), so the result stays ≥ the target.
            var scaled = codec.GetScaledDimensions((float)targetLongSide / longSide);
            if (scaled.Width > 0 && scaled.Height > 0) size = scaled;
        }

        // Decode straight into an opaque bitmap's memory (same layout), then force alpha to 255: no copy.
        var decodeInfo = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        try
        {
            var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
            {
                // IncompleteInput (a truncated upload) is refused too: Skia fills the missing rows, and half a face
                // must never be compared. The pensioner is asked to take the photo again.
                problem = Reasons.ImageUnreadable;
                bitmap.Dispose();
                return null;
            }

            if (info.AlphaType != SKAlphaType.Opaque) DropAlpha(bitmap);
            bitmap = Shrink(bitmap, targetLongSide);
            var upright = Orient(bitmap, codec.EncodedOrigin);
            if (!ReferenceEquals(upright, bitmap)) bitmap.Dispose();
            bitmap = upright;
            var scaleToOriginal = (double)longSide / Math.Max(bitmap.Width, bitmap.Height);
            return new DecodedImage(bitmap, scaleToOriginal);
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Treats the image as opaque (like OpenCV's imread, which drops alpha): alpha bytes set to 255.</summary>
    private static void DropAlpha(SKBitmap bitmap)
    {
        var pixels = bitmap.GetPixelSpan();
        for (var i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
    }

    /// <summary>
    /// Codecs without DCT scaling (PNG) decode at full size; those are downscaled here (mipmapped linear filtering)
    /// when their longer side exceeds twice the target, to bound the work of the later stages.
    /// </summary>
    private static SKBitmap Shrink(SKBitmap bitmap, int targetLongSide)
    {
        var longSide = Math.Max(bitmap.Width, bitmap.Height);
        if (longSide <= 2 * targetLongSide) return bitmap;
        var factor = (double)targetLongSide / longSide;
        var target = new SKImageInfo(Math.Max(1, (int)Math.Round(bitmap.Width * factor)), Math.Max(1, (int)Math.Round(bitmap.Height * factor)), SKColorType.Rgba8888, SKAlphaType.Opaque);
        var small = new SKBitmap(target);
        using (var source = bitmap.PeekPixels())
        using (var destination = small.PeekPixels())
        {
            source.ScalePixels(destination, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        bitmap.Dispose();
        return small;
    }

    /// <summary>
    /// Applies an EXIF orientation (TIFF 6.0 tag 0x0112) by index mapping on 32-bit pixels: exact, no resampling.
    /// Returns <paramref name="bitmap"/> itself for <see cref="SKEncodedOrigin.TopLeft"/>.
    /// </summary>
    internal static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return bitmap;
        int w = bitmap.Width, h = bitmap.Height;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int dw = swap ? h : w, dh = swap ? w : h;
        var result = new SKBitmap(new SKImageInfo(dw, dh, SKColorType.Rgba8888, SKAlphaType.Opaque));
        // The stored pixel shown at display position (x, y) is (sx, sy) = (ax*x + bx*y + cx, ay*x + by*y + cy).
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
        int stepX = ax + ay * w, stepY = bx + by * w, offset = cx + cy * w;
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(result.GetPixelSpan());
        for (var y = 0; y < dh; y++)
        {
            var row = dst.Slice(y * dw, dw);
            var index = offset + stepY * y;
            for (var x = 0; x < dw; x++, index += stepX) row[x] = src[index];
        }

        return result;
    }
}
