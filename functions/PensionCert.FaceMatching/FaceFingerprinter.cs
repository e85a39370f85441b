using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// Computes the <see cref="FaceFingerprint"/> of an aligned face: BT.601 luma of the 112x112 aligned crop, averaged
/// over 4x4 blocks into a 28x28 thumbnail (a few microseconds; no model run). A block that reaches outside the photo
/// (the alignment fills it black) is marked <see cref="FaceFingerprint.Outside"/>, so a crop or a turn of the copy, which
/// moves the photo's edges across the aligned face, only shrinks the area compared.
/// </summary>
internal static class FaceFingerprinter
{
    private const int Block = FaceAligner.OutputSize / FaceFingerprint.Side;

    /// <summary>
    /// The fingerprint of <paramref name="aligned"/> (the 112x112 RGBA crop of <see cref="FaceAligner.Warp(DecodedImage, ReadOnlySpan{SKPoint}, out SKMatrix)"/>, drawn from
    /// <paramref name="image"/> through <paramref name="imageToAligned"/>).
    /// </summary>
    public static FaceFingerprint Compute(SKBitmap aligned, SKMatrix imageToAligned, DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(aligned);
        ArgumentNullException.ThrowIfNull(image);
        if (aligned.Width != FaceAligner.OutputSize || aligned.Height != FaceAligner.OutputSize || aligned.BytesPerPixel != 4)
            throw new ArgumentException("Expected the 112x112 RGBA aligned face.", nameof(aligned));
        if (!imageToAligned.TryInvert(out var alignedToImage)) throw new ArgumentException("The alignment is not invertible.", nameof(imageToAligned));
        const int size = FaceAligner.OutputSize;
        Span<byte> luma = stackalloc byte[size * size];
        Resampler.ToGrey(aligned, luma);
        Span<byte> grey = stackalloc byte[FaceFingerprint.Length];
        for (var by = 0; by < FaceFingerprint.Side; by++)
        {
            for (var bx = 0; bx < FaceFingerprint.Side; bx++)
            {
                if (!Inside(alignedToImage, bx * Block, by * Block, image.Width, image.Height))
                {
                    grey[by * FaceFingerprint.Side + bx] = FaceFingerprint.Outside;
                    continue;
                }
                var sum = 0;
                for (var y = by * Block; y < (by + 1) * Block; y++)
                    for (var x = bx * Block; x < (bx + 1) * Block; x++)
                        sum += luma[y * size + x];
                // 0 marks "outside the photo": a black block inside it reads 1.
                grey[by * FaceFingerprint.Side + bx] = (byte)Math.Max(1, (sum + Block * Block / 2) / (Block * Block));
            }
        }
        return FaceFingerprint.FromGrey(grey);
    }

    /// <summary>True when the four corners of the aligned block at (<paramref name="x"/>, <paramref name="y"/>) lie inside the photo.</summary>
    private static bool Inside(SKMatrix alignedToImage, int x, int y, int width, int height)
    {
        foreach (var (cx, cy) in new[] { (x, y), (x + Block, y), (x, y + Block), (x + Block, y + Block) })
        {
            var p = alignedToImage.MapPoint(cx, cy);
            if (p.X < 0 || p.Y < 0 || p.X > width || p.Y > height) return false;
        }
        return true;
    }
}
