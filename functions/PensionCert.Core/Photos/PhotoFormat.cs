using PensionCert.Core.Errors;

namespace PensionCert.Core.Photos;

/// <summary>Image formats recognised by their magic bytes.</summary>
public enum PhotoFormat
{
    Unknown,
    Jpeg,
    Png,
    WebP,
    Heic,
}

/// <summary>
/// Identifies a photo by its leading bytes (magic numbers), never by Content-Type or file name.
/// JPEG: FF D8 FF (ISO/IEC 10918-1); PNG: 89 50 4E 47 0D 0A 1A 0A (ISO/IEC 15948); WebP: "RIFF" size "WEBP";
/// HEIC/HEIF: an ISO BMFF "ftyp" box with brand heic/heix/hevc/hevx/heim/heis/mif1/msf1 (ISO/IEC 23008-12).
/// </summary>
public static class PhotoFormatSniffer
{
    /// <summary>Bytes needed to recognise every supported format.</summary>
    public const int HeaderLength = 16;

    private static readonly string[] HeifBrands = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif"];

    /// <summary>Recognises the format from the first bytes of a file (at least <see cref="HeaderLength"/> when available).</summary>
    public static PhotoFormat Sniff(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF) return PhotoFormat.Jpeg;
        if (header.Length >= 8 && header[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return PhotoFormat.Png;
        if (header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8)) return PhotoFormat.WebP;
        if (header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(header[8..12]);
            if (HeifBrands.Contains(brand, StringComparer.Ordinal)) return PhotoFormat.Heic;
        }
        return PhotoFormat.Unknown;
    }

    /// <summary>Sniffs and throws the matching problem for anything but JPEG, PNG or WebP.</summary>
    /// <exception cref="ProblemException">photo-missing (empty), photo-heic-unsupported, photo-unsupported-format.</exception>
    public static PhotoFormat RequireSupported(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty) throw new ProblemException(ProblemTypes.PhotoMissing);
        return Sniff(header) switch
        {
            PhotoFormat.Heic => throw new ProblemException(ProblemTypes.PhotoHeicUnsupported),
            PhotoFormat.Unknown => throw new ProblemException(ProblemTypes.PhotoUnsupportedFormat),
            var format => format,
        };
    }

    /// <summary>The MIME type stored with the blob.</summary>
    public static string ContentType(PhotoFormat format) => format switch
    {
        PhotoFormat.Jpeg => "image/jpeg",
        PhotoFormat.Png => "image/png",
        PhotoFormat.WebP => "image/webp",
        _ => "application/octet-stream",
    };
}
