using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>What to restore: a date's export, optionally one table and/or one partition key, or only check it.</summary>
public sealed record TableImportRequest(DateOnly Date, string? Table = null, string? Partition = null, bool DryRun = false);

/// <summary>How an import ended.</summary>
public enum TableImportOutcome
{
    /// <summary>Hashes verified and the entities upserted (or counted, in a dry run).</summary>
    Restored,

    /// <summary>The date has no manifest: no export, or a partial one. Nothing was written.</summary>
    NoCompleteExport,

    /// <summary>A blob's SHA-256 or line count differs from the manifest (altered or truncated). Nothing was written.</summary>
    HashMismatch,

    /// <summary>The requested table is not in the export.</summary>
    UnknownTable,
}

/// <summary>Per table: entities in the export, those selected (the partition filter), and those upserted.</summary>
public sealed record TableImportCount(string Table, long InExport, long Selected, long Upserted);

/// <summary>The result of <see cref="TableImporter.ImportAsync"/>.</summary>
public sealed record TableImportResult(TableImportOutcome Outcome, IReadOnlyList<TableImportCount> Tables);

/// <summary>
/// Restores tables from a nightly export (<see cref="TableExporter"/>): reads the date's manifest, verifies the SHA-256
/// and line count of every blob of the chosen tables before writing anything, then upserts (insert or replace) the
/// entities, all of a table or those of one partition key, in entity-group transactions per partition. Each blob is
/// read again only if unchanged since it was verified (its ETag). Entities created after the export are left as they
/// are; entities it holds are written back with the exported properties and types.
/// </summary>
public sealed class TableImporter(BlobContainerClient exports, TableServiceClient tables, TextWriter output)
{
    private const int MaxBatchEntities = 100;
    private const int MaxBatchBytes = 2 * 1024 * 1024;

    /// <summary>Verifies, then restores what <paramref name="request"/> asks for, printing counts to the output.</summary>
    public async Task<TableImportResult> ImportAsync(TableImportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manifestBlob = exports.GetBlobClient(TableExportManifest.BlobName(request.Date));
        TableExportManifest manifest;
        try
        {
            var content = await manifestBlob.DownloadContentAsync(cancellationToken);
            manifest = content.Value.Content.ToObjectFromJson<TableExportManifest>(TableExportManifest.Json)
                ?? throw new JsonException("empty manifest");
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            output.WriteLine($"No complete export for {TableExportManifest.Folder(request.Date)}: {manifestBlob.Name} is missing (no export ran, or it was cut short).");
            return new TableImportResult(TableImportOutcome.NoCompleteExport, []);
        }

        var chosen = manifest.Tables.Where(t => request.Table is null || string.Equals(t.Name, request.Table, StringComparison.Ordinal)).ToList();
        if (chosen.Count == 0)
        {
            output.WriteLine($"The export of {manifest.Date} has no table '{request.Table}'. Tables: {string.Join(", ", manifest.Tables.Select(t => t.Name))}.");
            return new TableImportResult(TableImportOutcome.UnknownTable, []);
        }

        // 1. Every chosen blob against the manifest, before anything is written.
        var etags = new Dictionary<string, ETag>(StringComparer.Ordinal);
        foreach (var blob in chosen.SelectMany(t => t.Blobs))
        {
            string sha;
            long lines;
            ETag etag;
            try
            {
                (sha, lines, etag) = await HashAsync(exports.GetBlobClient(blob.Name), cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                output.WriteLine($"Refused: {blob.Name}, listed in the manifest, is missing. Nothing was restored.");
                return new TableImportResult(TableImportOutcome.HashMismatch, []);
            }
            if (!string.Equals(sha, blob.Sha256, StringComparison.OrdinalIgnoreCase) || lines != blob.Entities)
            {
                output.WriteLine($"Refused: {blob.Name} does not match the manifest (SHA-256 {sha}, {lines} lines; manifest {blob.Sha256}, {blob.Entities}). Nothing was restored.");
                return new TableImportResult(TableImportOutcome.HashMismatch, []);
            }
            etags[blob.Name] = etag;
        }
        output.WriteLine($"Export {manifest.Date} (completed {manifest.CompletedAt:u}): {chosen.Sum(t => t.Blobs.Count)} blob(s) verified against the manifest.");

        // 2. Restore (or count, in a dry run).
        var counts = new List<TableImportCount>();
        foreach (var table in chosen)
        {
            var client = tables.GetTableClient(table.Name);
            if (!request.DryRun && table.Entities > 0) await client.CreateIfNotExistsAsync(cancellationToken);
            long selected = 0, upserted = 0;
            var batch = new List<TableTransactionAction>();
            var batchBytes = 0;
            async Task FlushAsync()
            {
                if (batch.Count == 0) return;
                await client.SubmitTransactionAsync(batch, cancellationToken);
                upserted += batch.Count;
                batch.Clear();
                batchBytes = 0;
            }

            foreach (var blob in table.Blobs)
            {
                var download = await exports.GetBlobClient(blob.Name).DownloadStreamingAsync(
                    new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = etags[blob.Name] } }, cancellationToken);
                using var reader = new StreamReader(download.Value.Content, Encoding.UTF8);
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    var bytes = Encoding.UTF8.GetBytes(line);
                    var entity = TableExportFormat.ReadLine(bytes);
                    if (request.Partition is not null && !string.Equals(entity.PartitionKey, request.Partition, StringComparison.Ordinal)) continue;
                    selected++;
                    if (request.DryRun) continue;
                    if (batch.Count > 0 && (batch.Count == MaxBatchEntities || batchBytes + bytes.Length > MaxBatchBytes || batch[0].Entity.PartitionKey != entity.PartitionKey))
                        await FlushAsync();
                    batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
                    batchBytes += bytes.Length;
                }
            }
            await FlushAsync();
            counts.Add(new TableImportCount(table.Name, table.Entities, selected, upserted));
            output.WriteLine(request.DryRun
                ? $"{table.Name}: {table.Entities} in export, {selected} selected, dry run: nothing written"
                : $"{table.Name}: {table.Entities} in export, {selected} selected, {upserted} upserted");
        }
        return new TableImportResult(TableImportOutcome.Restored, counts);
    }

    /// <summary>SHA-256 (lower-case hex) and line count of a blob's content, streamed, with the ETag it was read at.</summary>
    private static async Task<(string Sha256, long Lines, ETag ETag)> HashAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var content = download.Value.Content;
        var buffer = new byte[81920];
        long lines = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), lines, download.Value.Details.ETag);
    }
}
