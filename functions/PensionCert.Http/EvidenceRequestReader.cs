using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Errors;
using PensionCert.Core.Evidence;

namespace PensionCert.Http;

/// <summary>
/// Streams an evidence batch from the request body, record by record (never the whole body in memory):
/// JSON lines (<c>application/x-ndjson</c>, <c>application/jsonl</c>): one object per line with
/// <c>idNumber</c>, <c>type</c>, <c>date</c> (yyyy-MM-dd), <c>source</c>; or CSV (<c>text/csv</c>, RFC 4180, UTF-8)
/// with the header <c>idNumber,type,date,source</c> (any order, case-insensitive), read with CsvHelper.
/// An unreadable line becomes an <see cref="EvidenceRecord"/> with <c>Unreadable</c> set (result invalid-record).
/// </summary>
public static class EvidenceRequestReader
{
    /// <summary>The CSV header fields.</summary>
    public static readonly IReadOnlyList<string> CsvFields = ["idNumber", "type", "date", "source"];

    /// <summary>Longest accepted JSON line, in characters.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Picks the reader for the request's content type.</summary>
    /// <exception cref="ProblemException">evidence-format-unsupported; evidence-malformed (CSV header).</exception>
    public static IAsyncEnumerable<EvidenceRecord> Read(HttpRequest request, CancellationToken cancellationToken)
    {
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/x-ndjson" or "application/jsonl" or "application/json-lines" or "application/jsonlines" => ReadJsonLinesAsync(request.Body, cancellationToken),
            "text/csv" => ReadCsvAsync(request.Body, cancellationToken),
            _ => throw new ProblemException(ProblemTypes.EvidenceFormatUnsupported),
        };
    }

    /// <summary>Reads JSON lines; blank lines are skipped.</summary>
    public static async IAsyncEnumerable<EvidenceRecord> ReadJsonLinesAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var line = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            line++;
            yield return ParseJsonLine(line, text);
        }
    }

    private static EvidenceRecord ParseJsonLine(int line, string text)
    {
        if (text.Length > MaxLineLength) return new EvidenceRecord(line, null, null, null, null, Unreadable: true);
        try
        {
            var row = JsonSerializer.Deserialize<JsonRow>(text, ApiJson.StrictRequestOptions);
            return row is null
                ? new EvidenceRecord(line, null, null, null, null, Unreadable: true)
                : new EvidenceRecord(line, row.IdNumber, row.Type, row.Date, row.Source);
        }
        catch (JsonException)
        {
            return new EvidenceRecord(line, null, null, null, null, Unreadable: true);
        }
    }

    /// <summary>Reads CSV with a header row.</summary>
    /// <exception cref="ProblemException">evidence-malformed when the header lacks a field.</exception>
    public static async IAsyncEnumerable<EvidenceRecord> ReadCsvAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            BadDataFound = null,
            TrimOptions = TrimOptions.Trim,
            DetectColumnCountChanges = false,
        };
        using var csv = new CsvReader(reader, config);
        if (!await csv.ReadAsync() || !csv.ReadHeader() || csv.HeaderRecord is not { } header
            || CsvFields.Any(f => !header.Any(h => string.Equals(h.Trim(), f, StringComparison.OrdinalIgnoreCase))))
            throw new ProblemException(ProblemTypes.EvidenceMalformed);
        var line = 0;
        while (await csv.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            var parser = csv.Parser;
            if (parser.Count != header.Length)
            {
                yield return new EvidenceRecord(line, null, null, null, null, Unreadable: true);
                continue;
            }
            yield return new EvidenceRecord(line, csv.GetField("idnumber"), csv.GetField("type"), csv.GetField("date"), csv.GetField("source"));
        }
    }

    private sealed record JsonRow(string? IdNumber, string? Type, string? Date, string? Source);
}
