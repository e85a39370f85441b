namespace PensionCert.Core.Faces;

/// <summary>
/// A pixel-level fingerprint of one aligned face: the 112x112 aligned crop that the embedding model sees (ArcFace
/// template, <c>FaceAligner</c>), as grey levels averaged over 4x4 blocks (a <see cref="Side"/>x<see cref="Side"/>
/// thumbnail, <see cref="Length"/> bytes). Two fingerprints of the <b>same photo</b> (recompressed, noised, resized,
/// cropped a little, turned a little, brighter or darker, blurred by a screen) stay nearly identical, because the
/// alignment undoes the geometry and the thumbnail averages the noise away; two different photos of the same person
/// differ in pose, expression, light and background (README, "Replays of the reference": the measurement that chose it).
/// <para>
/// It is a low-resolution face image, so it is biometric personal data like the template: stored only encrypted with
/// it (<see cref="Storage.PensionerProfile.ReferenceFingerprint"/>), never logged.
/// </para>
/// </summary>
public sealed class FaceFingerprint
{
    /// <summary>Format version written first by <see cref="ToBytes"/>; a fingerprint of another version is ignored (computed again).</summary>
    public const byte Version = 1;

    /// <summary>Thumbnail side in pixels: the 112-pixel aligned face in 4x4 blocks.</summary>
    public const int Side = 28;

    /// <summary>Thumbnail pixels.</summary>
    public const int Length = Side * Side;

    private readonly byte[] _grey;

    private FaceFingerprint(byte[] grey) => _grey = grey;

    /// <summary>The thumbnail's grey levels, row by row (<see cref="Length"/> values).</summary>
    public ReadOnlySpan<byte> Grey => _grey;

    /// <summary>A fingerprint from <see cref="Length"/> grey levels of the aligned face, row by row.</summary>
    /// <exception cref="ArgumentException">Not <see cref="Length"/> values.</exception>
    public static FaceFingerprint FromGrey(ReadOnlySpan<byte> grey)
    {
        if (grey.Length != Length) throw new ArgumentException($"A fingerprint has {Length} grey levels.", nameof(grey));
        return new FaceFingerprint(grey.ToArray());
    }

    /// <summary>Grey level of a block outside the photo (filled by the alignment); blocks inside read 1-255.</summary>
    public const byte Outside = 0;

    /// <summary>Fewest blocks inside the photo in both thumbnails for a comparison (half the thumbnail); fewer compare as 0.</summary>
    public const int MinOverlap = Length / 2;

    /// <summary>
    /// How alike two fingerprints are, in [-1, 1]: the Pearson correlation of their grey levels over the blocks inside
    /// both photos (a brightness or contrast change of the whole face does not matter), the higher of the plain and the
    /// mirrored comparison (a mirrored copy of the photo aligns to the mirror image of the original's crop), each the
    /// best over shifts of up to <see cref="ShiftTolerance"/> blocks (landmarks found a little differently on a
    /// degraded copy shift its crop).
    /// </summary>
    public double Similarity(FaceFingerprint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Math.Max(BestCorrelation(_grey, other._grey, mirrored: false, ShiftTolerance), BestCorrelation(_grey, other._grey, mirrored: true, ShiftTolerance));
    }

    /// <summary>Largest shift, in blocks (4 aligned pixels), tried by <see cref="Similarity"/> in each direction.</summary>
    public static int ShiftTolerance { get; } = 0;

    /// <summary>The best <see cref="Correlation"/> over shifts of up to <paramref name="radius"/> blocks in x and y.</summary>
    public static double BestCorrelation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool mirrored, int radius)
    {
        var best = double.MinValue;
        for (var dy = -radius; dy <= radius; dy++)
            for (var dx = -radius; dx <= radius; dx++)
                best = Math.Max(best, Correlation(a, b, mirrored, dx, dy));
        return best;
    }

    /// <summary>
    /// Pearson correlation of two thumbnails over the blocks inside both photos, <paramref name="b"/> read shifted by
    /// (<paramref name="dx"/>, <paramref name="dy"/>) blocks and, when <paramref name="mirrored"/>, with each row
    /// reversed. 0 when fewer than <see cref="MinOverlap"/> blocks overlap or a thumbnail is flat there.
    /// </summary>
    public static double Correlation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool mirrored, int dx = 0, int dy = 0)
    {
        if (a.Length != Length || b.Length != Length) throw new ArgumentException($"Thumbnails have {Length} grey levels.");
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        var n = 0;
        for (var y = Math.Max(0, -dy); y < Math.Min(Side, Side - dy); y++)
        {
            for (var x = Math.Max(0, -dx); x < Math.Min(Side, Side - dx); x++)
            {
                var bx = x + dx;
                int va = a[y * Side + x], vb = b[(y + dy) * Side + (mirrored ? Side - 1 - bx : bx)];
                if (va == Outside || vb == Outside) continue;
                n++;
                sa += va;
                sb += vb;
                saa += va * va;
                sbb += vb * vb;
                sab += va * vb;
            }
        }
        if (n < MinOverlap) return 0;
        var cov = sab - sa * sb / n;
        var varA = saa - sa * sa / n;
        var varB = sbb - sb * sb / n;
        return varA <= 1e-9 || varB <= 1e-9 ? 0 : cov / Math.Sqrt(varA * varB);
    }

    /// <summary>Serialises as the version byte followed by the grey levels (<see cref="Length"/> + 1 bytes), for encrypted storage.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length + 1];
        bytes[0] = Version;
        _grey.CopyTo(bytes, 1);
        return bytes;
    }

    /// <summary>Reads bytes written by <see cref="ToBytes"/>; null when they are of another version or length (to be computed again).</summary>
    public static FaceFingerprint? FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length + 1 && bytes[0] == Version ? new FaceFingerprint(bytes[1..].ToArray()) : null;
}
