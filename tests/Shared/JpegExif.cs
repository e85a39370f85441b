using System.Buffers.Binary;
using SkiaSharp;

namespace PensionCert.Tests.Shared;

/// <summary>
/// Writes the EXIF orientation tag into a JPEG, for test and benchmark photos (linked into the face tests and the
/// benchmark tool). TIFF 6.0 tag 0x0112; segment layout per EXIF 2.3 (APP1 "Exif\0\0" + TIFF header + IFD0).
/// </summary>
internal static class JpegExif
{
    /// <summary>Inserts APP1 "Exif\0\0" + big-endian TIFF header + IFD0 with one entry (0x0112 SHORT = orientation) after SOI/APP0.</summary>
    /// <exception cref="ArgumentException"><paramref name="jpeg"/> does not start with SOI.</exception>
    public static byte[] InsertOrientation(byte[] jpeg, int orientation)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("Not a JPEG.", nameof(jpeg));
        var insertAt = 2;
        if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) insertAt = 4 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(4));
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // header, IFD0 at offset 8
            0x00, 0x01, // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte)orientation, 0x00, 0x00, // Orientation SHORT x1
            0x00, 0x00, 0x00, 0x00, // no next IFD
        ];
        byte[] header = [(byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0];
        var length = 2 + header.Length + tiff.Length;
        var segment = new byte[2 + length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)length);
        header.CopyTo(segment, 4);
        tiff.CopyTo(segment, 4 + header.Length);
        return [.. jpeg.AsSpan(0, insertAt), .. segment, .. jpeg.AsSpan(insertAt)];
    }

    /// <summary>
    /// Stores <paramref name="upright"/> as the pixels a camera would write for EXIF <paramref name="orientation"/>
    /// (so that applying the orientation shows the upright image again), JPEG-encodes them and inserts an APP1 Exif
    /// segment with the Orientation tag (Skia's encoder writes no EXIF).
    /// </summary>
    public static byte[] StoreWithOrientation(SKBitmap upright, int orientation)
    {
        int uw = upright.Width, uh = upright.Height;
        var swap = orientation >= 5;
        int w = swap ? uh : uw, h = swap ? uw : uh;
        // Display point (x, y) shows stored point M(x, y) (TIFF 6.0 Orientation semantics, continuous coordinates).
        var m = orientation switch
        {
            1 => SKMatrix.Identity,
            2 => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            3 => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            4 => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            5 => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            6 => new SKMatrix(0, 1, 0, -1, 0, h, 0, 0, 1),
            7 => new SKMatrix(0, -1, w, -1, 0, h, 0, 0, 1),
            8 => new SKMatrix(0, -1, w, 1, 0, 0, 0, 0, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
        };
        using var stored = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(stored))
        using (var image = SKImage.FromBitmap(upright))
        {
            canvas.SetMatrix(m);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        }

        using var data = stored.Encode(SKEncodedImageFormat.Jpeg, 95);
        return InsertOrientation(data.ToArray(), orientation);
    }
}
