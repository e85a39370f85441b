using System.Text.Json;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>
/// The manifest of one day's export, <c>{yyyy-MM-dd}/manifest.json</c>, written after every table blob: an export
/// without one is partial (a crash or a timeout cut it short) and is never imported.
/// </summary>
/// <param name="Date">The China date of the export, <c>yyyy-MM-dd</c>.</param>
/// <param name="Format">The line format version (<see cref="TableExportFormat"/>): 1.</param>
/// <param name="StartedAt">When the export began reading the tables (UTC).</param>
/// <param name="CompletedAt">When the last table blob was written (UTC).</param>
/// <param name="Tables">Every exported table, in the order exported.</param>
public sealed record TableExportManifest(string Date, int Format, DateTimeOffset StartedAt, DateTimeOffset CompletedAt, IReadOnlyList<TableExportManifestTable> Tables)
{
    /// <summary>The current line format.</summary>
    public const int CurrentFormat = 1;

    /// <summary>How manifests are written and read (indented, property names as declared).</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The blob folder of a date's export: <c>yyyy-MM-dd</c>.</summary>
    public static string Folder(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The manifest's blob name for <paramref name="date"/>.</summary>
    public static string BlobName(DateOnly date) => $"{Folder(date)}/manifest.json";
}

/// <summary>One table of an export.</summary>
/// <param name="Name">The table name.</param>
/// <param name="Entities">Entities exported.</param>
/// <param name="Blobs">Its blobs <c>{date}/{table}/{n}.jsonl</c>, n from 0.</param>
public sealed record TableExportManifestTable(string Name, long Entities, IReadOnlyList<TableExportManifestBlob> Blobs);

/// <summary>One export blob.</summary>
/// <param name="Name">The blob name in the container.</param>
/// <param name="Entities">Lines (entities) in it.</param>
/// <param name="Bytes">Its length.</param>
/// <param name="Sha256">SHA-256 of its content, lower-case hex.</param>
public sealed record TableExportManifestBlob(string Name, long Entities, long Bytes, string Sha256);

/// <summary>
/// A table's progress within one date's export, <c>{date}/{table}/{n}.part.json</c>: the blob <c>{n}.jsonl</c> it
/// committed (none when the table's last page was empty) and the query continuation after it (none: table done).
/// </summary>
public sealed record TableExportPart(TableExportManifestBlob? Blob, string? Continuation);
