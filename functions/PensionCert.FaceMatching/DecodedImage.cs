using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// An upright (EXIF orientation applied), opaque RGBA8888 image, possibly decoded downscaled, with the factor back to
/// full-resolution pixels. Owns its native pixels; dispose after the analysis.
/// </summary>
internal sealed class DecodedImage : IDisposable
{
    public DecodedImage(SKBitmap bitmap, double scaleToOriginal)
    {
        Bitmap = bitmap;
        ScaleToOriginal = scaleToOriginal;
        using var pixmap = bitmap.PeekPixels();
        Image = SKImage.FromPixels(pixmap) ?? throw new InvalidOperationException("Could not wrap decoded pixels.");
    }

    /// <summary>The pixels: RGBA8888, opaque, upright.</summary>
    public SKBitmap Bitmap { get; }

    /// <summary>A no-copy image view of <see cref="Bitmap"/> for resampling with a canvas.</summary>
    public SKImage Image { get; }

    public int Width => Bitmap.Width;

    public int Height => Bitmap.Height;

    /// <summary>Multiply decoded-pixel lengths by this to get full-resolution pixels (≥ 1).</summary>
    public double ScaleToOriginal { get; }

    public void Dispose()
    {
        Image.Dispose();
        Bitmap.Dispose();
    }
}
