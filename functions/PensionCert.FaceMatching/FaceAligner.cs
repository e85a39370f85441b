using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// Aligns a face to the 112x112 ArcFace template with a least-squares similarity transform (rotation, uniform scale,
/// translation) of the five landmarks onto the reference points.
/// </summary>
/// <remarks>
/// Reference points: insightface <c>arcface_dst</c> (python-package/insightface/utils/face_align.py), in OpenCV pixel-index
/// coordinates; +0.5 converts them to Skia's continuous coordinates (pixel centres at +0.5), the convention of the
/// landmarks here. Estimation: Umeyama 1991, "Least-squares estimation of transformation parameters between two point
/// patterns" (IEEE TPAMI 13(4)), restricted to 2-D proper similarities, where it has the closed form used below.
/// </remarks>
internal static class FaceAligner
{
    public const int OutputSize = 112;

    private static readonly SKPoint[] Reference =
    [
        new(38.2946f + 0.5f, 51.6963f + 0.5f),
        new(73.5318f + 0.5f, 51.5014f + 0.5f),
        new(56.0252f + 0.5f, 71.7366f + 0.5f),
        new(41.5493f + 0.5f, 92.3655f + 0.5f),
        new(70.7299f + 0.5f, 92.2041f + 0.5f),
    ];

    /// <summary>
    /// The similarity transform x' = a·x − b·y + tx, y' = b·x + a·y + ty minimising Σ|T(src) − ref|² (Umeyama 1991 for
    /// 2-D without reflection): with centred points, a = Σ(sx·dx + sy·dy) / Σ|s|², b = Σ(sx·dy − sy·dx) / Σ|s|².
    /// </summary>
    public static SKMatrix Estimate(ReadOnlySpan<SKPoint> source)
    {
        if (source.Length != Reference.Length) throw new ArgumentException("Five points are needed.", nameof(source));
        double msx = 0, msy = 0, mdx = 0, mdy = 0;
        for (var i = 0; i < source.Length; i++)
        {
            msx += source[i].X;
            msy += source[i].Y;
            mdx += Reference[i].X;
            mdy += Reference[i].Y;
        }

        var n = source.Length;
        msx /= n;
        msy /= n;
        mdx /= n;
        mdy /= n;
        double dot = 0, cross = 0, norm = 0;
        for (var i = 0; i < n; i++)
        {
            double sx = source[i].X - msx, sy = source[i].Y - msy;
            double dx = Reference[i].X - mdx, dy = Reference[i].Y - mdy;
            dot += sx * dx + sy * dy;
            cross += sx * dy - sy * dx;
            norm += sx * sx + sy * sy;
        }

        if (norm <= 1e-9) throw new ArgumentException("Degenerate landmarks.", nameof(source));
        var a = dot / norm;
        var b = cross / norm;
        var tx = mdx - (a * msx - b * msy);
        var ty = mdy - (b * msx + a * msy);
        return new SKMatrix((float)a, (float)-b, (float)tx, (float)b, (float)a, (float)ty, 0, 0, 1);
    }

    /// <summary>Warps the face to a 112x112 RGBA bitmap (mipmapped bilinear sampling; outside the photo is black).</summary>
    public static SKBitmap Warp(DecodedImage image, ReadOnlySpan<SKPoint> fivePoints) =>
        Resampler.Draw(image, Estimate(fivePoints), OutputSize, OutputSize);

    /// <summary><see cref="Warp(DecodedImage, ReadOnlySpan{SKPoint})"/> with the transform it used (image → aligned pixels).</summary>
    public static SKBitmap Warp(DecodedImage image, ReadOnlySpan<SKPoint> fivePoints, out SKMatrix imageToAligned)
    {
        imageToAligned = Estimate(fivePoints);
        return Resampler.Draw(image, imageToAligned, OutputSize, OutputSize);
    }
}
