using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>Resamples regions of a decoded image into small model-input bitmaps, and converts them to float tensors.</summary>
internal static class Resampler
{
    /// <summary>
    /// Bilinear filtering between mipmap levels: when a large face is shrunk to a model's input size, each output pixel
    /// averages its footprint instead of aliasing (like an area resize).
    /// </summary>
    public static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>
    /// Plain bilinear sampling without mipmaps, like OpenCV's <c>cv2.resize</c> with INTER_LINEAR: used where a model was
    /// trained on such crops (the liveness model).
    /// </summary>
    public static readonly SKSamplingOptions Bilinear = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>
    /// Bilinear sampling of the nearest mipmap level: for the whole-photo shrink to the detector's 320x240 input. Each
    /// output pixel still averages its footprint (the mip level is a 2x2 box pyramid), at about a tenth of the cost of
    /// <see cref="Smooth"/>, whose blend between two levels takes Skia's slow raster path (measured: 640x480 → 320x240 in
    /// 0.3 ms instead of 3-8 ms; bench pipeline). The detector only needs the face's position, so the other stages,
    /// whose crops feed landmarks and embeddings, keep <see cref="Smooth"/>.
    /// </summary>
    public static readonly SKSamplingOptions Shrink = new(SKFilterMode.Linear, SKMipmapMode.Nearest);

    /// <summary>
    /// Draws <paramref name="image"/> through <paramref name="imageToOutput"/> (continuous pixel coordinates, pixel centres
    /// at +0.5) into a new <paramref name="width"/>x<paramref name="height"/> opaque RGBA bitmap; uncovered areas are black.
    /// </summary>
    public static SKBitmap Draw(DecodedImage image, SKMatrix imageToOutput, int width, int height, SKSamplingOptions? sampling = null)
    {
        var output = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(output);
        canvas.Clear(SKColors.Black);
        canvas.SetMatrix(imageToOutput);
        canvas.DrawImage(image.Image, 0, 0, sampling ?? Smooth);
        canvas.Flush();
        return output;
    }

    /// <summary>Maps the rectangle <paramref name="source"/> of the image onto the whole <paramref name="width"/>x<paramref name="height"/> output.</summary>
    public static SKMatrix RectToOutput(SKRect source, int width, int height) =>
        SKMatrix.CreateScaleTranslation(width / source.Width, height / source.Height, -source.Left * width / source.Width, -source.Top * height / source.Height);

    /// <summary>
    /// Writes an RGBA bitmap into <paramref name="tensor"/> as planar NCHW float32 (batch 1, 3 channels):
    /// value = (p − <paramref name="mean"/>) / <paramref name="scale"/>, planes in <paramref name="order"/> (from
    /// <see cref="ModelInputs"/>).
    /// </summary>
    public static void ToPlanar(SKBitmap bitmap, Span<float> tensor, float mean, float scale, ChannelOrder order)
    {
        var bgr = order == ChannelOrder.Bgr;
        var pixels = bitmap.GetPixelSpan();
        var plane = bitmap.Width * bitmap.Height;
        var r = tensor.Slice(bgr ? 2 * plane : 0, plane);
        var g = tensor.Slice(plane, plane);
        var b = tensor.Slice(bgr ? 0 : 2 * plane, plane);
        var inv = 1f / scale;
        for (int i = 0, p = 0; i < plane; i++, p += 4)
        {
            r[i] = (pixels[p] - mean) * inv;
            g[i] = (pixels[p + 1] - mean) * inv;
            b[i] = (pixels[p + 2] - mean) * inv;
        }
    }

    /// <summary>BT.601 luma (0.299 R + 0.587 G + 0.114 B, as OpenCV's RGB2GRAY) rounded to 0..255, one byte per pixel.</summary>
    public static void ToGrey(SKBitmap bitmap, Span<byte> grey)
    {
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, p = 0; i < grey.Length; i++, p += 4)
            grey[i] = (byte)((pixels[p] * 4899 + pixels[p + 1] * 9617 + pixels[p + 2] * 1868 + 8192) >> 14);
    }
}
