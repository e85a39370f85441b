using System.Security.Cryptography;
using PensionCert.Core.Errors;

namespace PensionCert.Core.Photos;

/// <summary>
/// A forward-only read stream over an uploaded photo that (1) replays the header bytes already read for sniffing,
/// (2) fails with <c>photo-too-large</c> as soon as more than the allowed bytes arrive, and (3) computes the SHA-256
/// of everything read, so a photo can be streamed to Blob storage without buffering it.
/// </summary>
public sealed class PhotoUploadStream : Stream
{
    private readonly Stream _source;
    private readonly byte[] _header;
    private readonly long _maxBytes;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _headerPosition;
    private long _read;

    private PhotoUploadStream(Stream source, byte[] header, long maxBytes, PhotoFormat format)
    {
        _source = source;
        _header = header;
        _maxBytes = maxBytes;
        Format = format;
    }

    /// <summary>The sniffed format (JPEG, PNG or WebP).</summary>
    public PhotoFormat Format { get; }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _read;

    /// <summary>
    /// Reads the first bytes of <paramref name="source"/>, checks the format by magic bytes, and returns the stream.
    /// </summary>
    /// <exception cref="ProblemException">photo-missing, photo-heic-unsupported or photo-unsupported-format.</exception>
    public static async Task<PhotoUploadStream> OpenAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var header = new byte[PhotoFormatSniffer.HeaderLength];
        var filled = await source.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        Array.Resize(ref header, filled);
        var format = PhotoFormatSniffer.RequireSupported(header);
        return new PhotoUploadStream(source, header, maxBytes, format);
    }

    /// <summary>The SHA-256 of all bytes read; call after the stream has been read to its end.</summary>
    public byte[] GetHashAndReset() => _hash.GetHashAndReset();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = ReadHeader(buffer);
        if (n == 0) n = _source.Read(buffer);
        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = ReadHeader(buffer.Span);
        if (n == 0) n = await _source.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..n]);
    }

    private int ReadHeader(Span<byte> buffer)
    {
        if (_headerPosition >= _header.Length) return 0;
        var n = Math.Min(buffer.Length, _header.Length - _headerPosition);
        _header.AsSpan(_headerPosition, n).CopyTo(buffer);
        _headerPosition += n;
        return n;
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        _read += data.Length;
        if (_read > _maxBytes) throw new ProblemException(ProblemTypes.PhotoTooLarge);
        _hash.AppendData(data);
        return data.Length;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
