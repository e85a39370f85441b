using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using PensionCert.Core.Errors;

namespace PensionCert.Http;

/// <summary>
/// Reads a request that carries text fields and one photo, in either encoding mini-programs use:
/// <c>multipart/form-data</c> (text parts plus a file part named <c>photo</c>, streamed) or
/// <c>application/json</c> (string properties plus a base64 <c>photo</c>, optionally a <c>data:</c> URL).
/// Unknown, duplicate or non-text fields, a missing photo and oversized bodies are <see cref="ProblemException"/>s.
/// </summary>
public static class PhotoRequestReader
{
    /// <summary>The field that carries the photo in both encodings.</summary>
    public const string PhotoField = "photo";

    private const int MaxTextFieldBytes = 4 * 1024;
    private const int MaxSections = 16;

    /// <summary>Receives the photo as a stream, with the text fields read before it.</summary>
    public delegate Task PhotoHandler(IReadOnlyDictionary<string, string> fieldsSoFar, Stream photo, CancellationToken cancellationToken);

    /// <summary>
    /// The largest request body that can carry a photo of <paramref name="maxPhotoBytes"/>: base64 is 4/3 of the photo,
    /// plus up to 2 line-break bytes per 76 characters (MIME style), plus 64 KiB for the other fields and multipart
    /// headers. Hosts cap request bodies at this size (413 beyond it).
    /// </summary>
    public static long MaxBodyBytes(long maxPhotoBytes) => maxPhotoBytes / 3 * 4 * 78 / 76 + 64 * 1024;

    /// <summary>Reads the request, calling <paramref name="onPhoto"/> once for the photo; returns all text fields.</summary>
    /// <param name="request">The HTTP request.</param>
    /// <param name="textFields">The text fields the endpoint accepts (besides <c>photo</c>).</param>
    /// <param name="maxPhotoBytes">Largest photo accepted, in bytes (decoded, for base64).</param>
    /// <param name="onPhoto">Consumes the photo stream (e.g. streams it to Blob storage).</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <exception cref="ProblemException">For every malformed, oversized or incomplete request.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(
        HttpRequest request, IReadOnlySet<string> textFields, long maxPhotoBytes, PhotoHandler onPhoto, CancellationToken cancellationToken)
    {
        var maxBody = MaxBodyBytes(maxPhotoBytes);
        if (request.ContentLength > maxBody) throw new ProblemException(ProblemTypes.PhotoTooLarge);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            throw new ProblemException(ProblemTypes.UnsupportedContentType);

        try
        {
            if (contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
                return await ReadMultipartAsync(request, contentType, textFields, maxPhotoBytes, onPhoto, cancellationToken);
            if (contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                return await ReadJsonAsync(request, textFields, maxPhotoBytes, maxBody, onPhoto, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            if (ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
                throw new ProblemException(ProblemTypes.PhotoTooLarge);
            // Kestrel's minimum body data rate: the body trickled too slowly (408, as documented), not a malformed one.
            if (ex is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout })
                throw new ProblemException(ProblemTypes.RequestTimeout);
            throw new ProblemException(ProblemTypes.MalformedRequest);
        }
        throw new ProblemException(ProblemTypes.UnsupportedContentType);
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue contentType,
        IReadOnlySet<string> textFields, long maxPhotoBytes, PhotoHandler onPhoto, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) throw new ProblemException(ProblemTypes.MalformedRequest);

        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersCountLimit = 8,
            HeadersLengthLimit = 4 * 1024,
            BodyLengthLimit = maxPhotoBytes + 64 * 1024,
        };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var photoSeen = false;
        for (var sections = 0; ; sections++)
        {
            var section = await reader.ReadNextSectionAsync(cancellationToken);
            if (section is null) break;
            if (sections >= MaxSections) throw new ProblemException(ProblemTypes.MalformedRequest);
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                throw new ProblemException(ProblemTypes.MalformedRequest);
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (name == PhotoField)
            {
                if (photoSeen) throw new ProblemException(ProblemTypes.DuplicateField);
                photoSeen = true;
                await onPhoto(fields, section.Body, cancellationToken);
                continue;
            }
            if (!textFields.Contains(name)) throw new ProblemException(ProblemTypes.UnknownField, $"无法识别的字段：{Sanitize(name)}");
            if (disposition.IsFileDisposition()) throw new ProblemException(ProblemTypes.InvalidFieldType);
            if (fields.ContainsKey(name)) throw new ProblemException(ProblemTypes.DuplicateField);
            fields[name] = await ReadTextAsync(section.Body, cancellationToken);
        }
        if (!photoSeen) throw new ProblemException(ProblemTypes.PhotoMissing);
        return fields;
    }

    private static async Task<string> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxTextFieldBytes + 1];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read > MaxTextFieldBytes) throw new ProblemException(ProblemTypes.InvalidFieldType, "字段内容过长。");
        await body.CopyToAsync(Stream.Null, cancellationToken);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, read);
        }
        catch (DecoderFallbackException)
        {
            throw new ProblemException(ProblemTypes.InvalidFieldType);
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadJsonAsync(HttpRequest request, IReadOnlySet<string> textFields,
        long maxPhotoBytes, long maxBody, PhotoHandler onPhoto, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + n > maxBody) throw new ProblemException(ProblemTypes.PhotoTooLarge);
            body.Write(buffer, 0, n);
        }

        JsonDocument document;
        var json = body.GetBuffer().AsMemory(0, (int)body.Length);
        if (json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) json = json[3..];
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a lone surrogate escape in a property name (duplicate-name checking unescapes names).
            throw new ProblemException(ProblemTypes.MalformedRequest, "请求不是有效的 JSON。");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ProblemException(ProblemTypes.MalformedRequest);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            string? photo = null;
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name != PhotoField && !textFields.Contains(property.Name))
                        throw new ProblemException(ProblemTypes.UnknownField, $"无法识别的字段：{Sanitize(property.Name)}");
                    if (property.Value.ValueKind == JsonValueKind.Null) continue;
                    if (property.Value.ValueKind != JsonValueKind.String) throw new ProblemException(ProblemTypes.InvalidFieldType);
                    if (property.Name == PhotoField) photo = property.Value.GetString();
                    else fields[property.Name] = property.Value.GetString()!;
                }
            }
            catch (InvalidOperationException)
            {
                // Invalid UTF-8 or a lone surrogate escape (\ud800) in a name or value: not text.
                throw new ProblemException(ProblemTypes.InvalidFieldType, "请求包含无效的字符。");
            }
            if (string.IsNullOrEmpty(photo)) throw new ProblemException(ProblemTypes.PhotoMissing);
            var bytes = DecodeBase64(photo, maxPhotoBytes);
            await using var stream = new MemoryStream(bytes, writable: false);
            await onPhoto(fields, stream, cancellationToken);
            return fields;
        }
    }

    /// <summary>Decodes base64 (standard or URL-safe alphabet, whitespace allowed, optional <c>data:image/…;base64,</c> prefix).</summary>
    /// <exception cref="ProblemException">photo-invalid-base64 or photo-too-large.</exception>
    internal static byte[] DecodeBase64(string value, long maxBytes)
    {
        var span = value.AsSpan().Trim();
        if (span.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = span.IndexOf(',');
            if (comma < 0 || !span[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                throw new ProblemException(ProblemTypes.PhotoInvalidBase64);
            span = span[(comma + 1)..];
        }
        var text = span.ToString().Replace('-', '+').Replace('_', '/');
        text = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        if (text.Length % 4 != 0) text = text.PadRight(text.Length + (4 - text.Length % 4), '=');
        if ((long)text.Length / 4 * 3 > maxBytes + 3) throw new ProblemException(ProblemTypes.PhotoTooLarge);
        try
        {
            var bytes = Convert.FromBase64String(text);
            if (bytes.Length > maxBytes) throw new ProblemException(ProblemTypes.PhotoTooLarge);
            return bytes;
        }
        catch (FormatException)
        {
            throw new ProblemException(ProblemTypes.PhotoInvalidBase64);
        }
    }

    private static string Sanitize(string name) =>
        new(name.Take(40).Where(c => !char.IsControl(c)).ToArray());
}
