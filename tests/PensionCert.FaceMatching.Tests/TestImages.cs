using System.Buffers.Binary;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

/// <summary>Image bytes made at test time: EXIF-tagged JPEGs, crafted headers.</summary>
internal static class TestImages
{
    /// <summary>The upright image stored for EXIF <paramref name="orientation"/> (<see cref="PensionCert.Tests.Shared.JpegExif.StoreWithOrientation"/>).</summary>
    public static byte[] JpegWithOrientation(SKBitmap upright, int orientation) => PensionCert.Tests.Shared.JpegExif.StoreWithOrientation(upright, orientation);

    /// <summary>Inserts an EXIF orientation segment (<see cref="PensionCert.Tests.Shared.JpegExif.InsertOrientation"/>).</summary>
    public static byte[] InsertExifOrientation(byte[] jpeg, int orientation) => PensionCert.Tests.Shared.JpegExif.InsertOrientation(jpeg, orientation);

    /// <summary>A PNG whose IHDR declares <paramref name="width"/>x<paramref name="height"/> (valid CRC), followed by an empty IDAT and IEND.</summary>
    public static byte[] PngHeader(int width, int height)
    {
        var bytes = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        AddChunk(bytes, "IHDR", ihdr);
        AddChunk(bytes, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        AddChunk(bytes, "IEND", []);
        return [.. bytes];
    }

    /// <summary>CRC-32 (ISO 3309 / PNG spec, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }

    private static void AddChunk(List<byte> bytes, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        bytes.AddRange(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        bytes.AddRange(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        bytes.AddRange(crc);
    }
}
