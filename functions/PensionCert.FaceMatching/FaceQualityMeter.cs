using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>Brightness, sharpness and head pose measurements of one face.</summary>
internal static class FaceQualityMeter
{
    /// <summary>The measured window of the aligned face: its central 80x80 pixels (eyes, nose, mouth, cheeks; no background).</summary>
    private const int Margin = 16;

    /// <summary>Frontal ratio (nose − eyes) / (mouth − eyes) of vertical distances in the ArcFace template: (71.74 − 51.60) / (92.28 − 51.60).</summary>
    private const double FrontalNoseRatio = 0.495;

    /// <summary>Nose-tip depth relative to the eye-mouth distance, for an average adult head (pitch model).</summary>
    private const double NoseDepthToEyeMouth = 0.6;

    /// <summary>
    /// Mean BT.601 luma (0..255) and variance of the 4-neighbour Laplacian of the central window of the aligned 112x112
    /// face. The Laplacian variance is the blur metric of Pech-Pacheco et al. 2000, "Diatom autofocusing in brightfield
    /// microscopy: a comparative study" (ICPR); measuring it on the size-normalised face makes one threshold fit all resolutions.
    /// </summary>
    public static (double Brightness, double Sharpness) Measure(SKBitmap aligned)
    {
        var size = aligned.Width;
        Span<byte> grey = stackalloc byte[FaceAligner.OutputSize * FaceAligner.OutputSize];
        grey = grey[..(size * aligned.Height)];
        Resampler.ToGrey(aligned, grey);
        long lumaSum = 0;
        double sum = 0, sumSquares = 0;
        var count = 0;
        for (var y = Margin; y < aligned.Height - Margin; y++)
        {
            for (var x = Margin; x < size - Margin; x++)
            {
                var i = y * size + x;
                lumaSum += grey[i];
                double laplacian = 4 * grey[i] - grey[i - 1] - grey[i + 1] - grey[i - size] - grey[i + size];
                sum += laplacian;
                sumSquares += laplacian * laplacian;
                count++;
            }
        }

        var mean = sum / count;
        return ((double)lumaSum / count, sumSquares / count - mean * mean);
    }

    /// <summary>
    /// Head yaw and pitch in degrees from the 68 landmarks under a weak-perspective head model (a geometric estimate
    /// for gating, not a pose regressor). Points are first de-rotated so the eye line is horizontal (roll removed).
    /// Yaw: the nose tip's (point 30) offset from the midpoint of the face contour ends (points 0 and 16), over half their
    /// distance, r, gives asin(r) (the nose tip on a cylinder through the contour ends; it saturates towards profile
    /// views, where the contour points themselves become unreliable). Pitch: the nose tip's position between the eye line and the mouth, q, against the
    /// frontal template ratio 0.495, gives atan((q − 0.495) / 0.6). Positive yaw: nose towards image right; positive pitch: head down.
    /// </summary>
    public static (double Yaw, double Pitch) EstimatePose(IReadOnlyList<SKPoint> landmarks, ReadOnlySpan<SKPoint> fivePoints)
    {
        SKPoint leftEye = fivePoints[0], rightEye = fivePoints[1];
        var roll = Math.Atan2(rightEye.Y - leftEye.Y, rightEye.X - leftEye.X);
        double cos = Math.Cos(-roll), sin = Math.Sin(-roll);
        double cx = (leftEye.X + rightEye.X) / 2, cy = (leftEye.Y + rightEye.Y) / 2;
        (double X, double Y) Upright(SKPoint p) => (cos * (p.X - cx) - sin * (p.Y - cy), sin * (p.X - cx) + cos * (p.Y - cy));

        var contourLeft = Upright(landmarks[0]);
        var contourRight = Upright(landmarks[16]);
        var nose = Upright(landmarks[30]);
        var mouth = Upright(new SKPoint((fivePoints[3].X + fivePoints[4].X) / 2, (fivePoints[3].Y + fivePoints[4].Y) / 2));

        var halfWidth = Math.Max(1e-3, (contourRight.X - contourLeft.X) / 2);
        var r = (nose.X - (contourLeft.X + contourRight.X) / 2) / halfWidth;
        var yaw = Math.Asin(Math.Clamp(r, -1, 1)) * 180 / Math.PI;

        var eyeToMouth = Math.Max(1e-3, mouth.Y);
        var q = nose.Y / eyeToMouth;
        var pitch = Math.Atan((q - FrontalNoseRatio) / NoseDepthToEyeMouth) * 180 / Math.PI;
        return (yaw, pitch);
    }
}
