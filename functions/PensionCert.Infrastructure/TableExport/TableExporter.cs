using System.Buffers;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>What one export run did.</summary>
public enum TableExportOutcome
{
    /// <summary>This run wrote the export and its manifest.</summary>
    Exported,

    /// <summary>The date already had a complete export (a manifest): nothing was written.</summary>
    AlreadyExported,

    /// <summary>Another run holds the date's export lease (a double fire): nothing was written by this one.</summary>
    AlreadyRunning,
}

/// <summary>The result of <see cref="TableExporter.ExportAsync"/>.</summary>
public sealed record TableExportResult(DateOnly Date, TableExportOutcome Outcome, TableExportManifest? Manifest);

/// <summary>
/// The nightly export of every table of the data account (<see cref="StorageClients.Tables"/>) to the audit archive,
/// because Table storage has no point-in-time restore and Azure Backup does not cover it. Per date:
/// <c>{date}/{table}/{n}.jsonl</c> (<see cref="TableExportFormat"/>, at most
/// <see cref="TableExportOptions.MaxEntitiesPerBlob"/> lines each) and, last, <c>{date}/manifest.json</c> with the
/// entity counts and SHA-256 of every blob. Tables are read page by page and streamed into block blobs, so memory
/// does not grow with the table. Idempotent: a date with a manifest is skipped; a run takes a 60-second lease
/// (renewed while it works) on <c>{date}/export.lock</c>, so a double fire leaves one writer; a run cut short (the
/// function timeout) leaves no manifest, and the next run of that date resumes after the last blob it recorded
/// (<see cref="TableExportPart"/>), writing the same names (the archive keeps any earlier version).
/// Logs name tables and counts only, never entity values.
/// </summary>
public sealed class TableExporter(TableExportArchive archive, StorageClients storage, IOptions<TableExportOptions> options, TimeProvider time, ILogger<TableExporter> logger)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(20);

    /// <summary>Exports today's tables (China date of <see cref="TimeProvider"/>): the timer's entry point.</summary>
    public Task<TableExportResult> ExportTodayAsync(CancellationToken cancellationToken) =>
        ExportAsync(ChinaTime.Today(time), cancellationToken);

    /// <summary>Exports every table under <paramref name="date"/>'s folder, unless that date is complete or being exported.</summary>
    public async Task<TableExportResult> ExportAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var container = archive.Container;
        if (archive.CreateContainer) await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
        var manifestBlob = container.GetBlobClient(TableExportManifest.BlobName(date));
        if (await manifestBlob.ExistsAsync(cancellationToken))
            return Skipped(date, TableExportOutcome.AlreadyExported);

        var lockBlob = container.GetBlobClient($"{TableExportManifest.Folder(date)}/export.lock");
        try
        {
            await lockBlob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lock blob exists already (an earlier or a concurrent run): the lease below decides.
        }
        var lease = lockBlob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return Skipped(date, TableExportOutcome.AlreadyRunning);
        }

        using var stopRenewing = new CancellationTokenSource();
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewAsync(lease, work, stopRenewing.Token);
        try
        {
            // A run that finished while this one waited for the lease.
            if (await manifestBlob.ExistsAsync(work.Token)) return Skipped(date, TableExportOutcome.AlreadyExported);
            var startedAt = time.GetUtcNow();
            var tables = new List<TableExportManifestTable>();
            foreach (var table in storage.Tables)
                tables.Add(await ExportTableAsync(container, date, table, work.Token));
            var manifest = new TableExportManifest(TableExportManifest.Folder(date), TableExportManifest.CurrentFormat, startedAt, time.GetUtcNow(), tables);
            await manifestBlob.UploadAsync(BinaryData.FromObjectAsJson(manifest, TableExportManifest.Json),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, work.Token);
            logger.LogInformation("Table export {Date} complete: {Tables} tables, {Entities} entities", manifest.Date, tables.Count, tables.Sum(t => t.Entities));
            return new TableExportResult(date, TableExportOutcome.Exported, manifest);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException e)
            {
                // The lease ends by itself within LeaseDuration.
                logger.LogWarning("Table export {Date}: releasing the export lease failed ({Status})", TableExportManifest.Folder(date), e.Status);
            }
        }
    }

    private TableExportResult Skipped(DateOnly date, TableExportOutcome outcome)
    {
        logger.LogInformation("Table export {Date} skipped: {Outcome}", TableExportManifest.Folder(date), outcome);
        return new TableExportResult(date, outcome, null);
    }

    /// <summary>Renews the lease until stopped; when a renewal fails, cancels the export (another run may take over).</summary>
    private async Task RenewAsync(BlobLeaseClient lease, CancellationTokenSource work, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseRenewal, time, stop);
                await lease.RenewAsync(cancellationToken: stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
        {
            logger.LogWarning("Table export: the export lease could not be renewed ({Error}); the run stops without a manifest", e.GetType().Name);
            await work.CancelAsync();
        }
    }

    /// <summary>
    /// Exports one table, resuming after the last part an earlier run of the date recorded: each committed blob
    /// <c>{n}.jsonl</c> is followed by <c>{n}.part.json</c> (its manifest entry and the query's continuation; none on
    /// the table's last part), so a run cut short by the function timeout continues at the next fire instead of
    /// starting over. Blobs end at page boundaries, where the continuation token says where to go on.
    /// </summary>
    private async Task<TableExportManifestTable> ExportTableAsync(BlobContainerClient container, DateOnly date, TableClient table, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var folder = $"{TableExportManifest.Folder(date)}/{table.Name}";
        var (parts, done, continuation) = await ReadPartsAsync(container, folder, cancellationToken);
        var blobs = parts.Where(p => p.Blob is not null).Select(p => p.Blob!).ToList();
        if (done) return Done(table, date, blobs, resumed: true);
        var n = parts.Count;
        BlobWriter? writer = null;
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: o.PageSize, cancellationToken: cancellationToken).AsPages(continuation))
            {
                foreach (var entity in page.Values)
                {
                    writer ??= await BlobWriter.OpenAsync(container.GetBlobClient($"{folder}/{n}.jsonl"), cancellationToken);
                    await writer.WriteAsync(entity, cancellationToken);
                }
                var last = page.ContinuationToken is null;
                if (!last && (writer is null || writer.Entities < o.MaxEntitiesPerBlob)) continue;
                TableExportManifestBlob? blob = null;
                if (writer is not null)
                {
                    blob = await writer.CompleteAsync();
                    writer = null;
                    blobs.Add(blob);
                }
                await WritePartAsync(container, $"{folder}/{n++}.part.json", new TableExportPart(blob, page.ContinuationToken), cancellationToken);
                if (last) break;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            logger.LogWarning("Table export {Date}: table {Table} does not exist; exported as empty", TableExportManifest.Folder(date), table.Name);
            await WritePartAsync(container, $"{folder}/{n}.part.json", new TableExportPart(null, null), cancellationToken);
        }
        finally
        {
            if (writer is not null) await writer.DisposeAsync();
        }
        return Done(table, date, blobs, resumed: false);
    }

    private TableExportManifestTable Done(TableClient table, DateOnly date, List<TableExportManifestBlob> blobs, bool resumed)
    {
        var result = new TableExportManifestTable(table.Name, blobs.Sum(b => b.Entities), blobs);
        logger.LogInformation("Table export {Date}: {Table} {Entities} entities in {Blobs} blob(s){Resumed}", TableExportManifest.Folder(date), table.Name,
            result.Entities, blobs.Count, resumed ? " (written by an earlier run)" : "");
        return result;
    }

    /// <summary>The parts 0, 1, … an earlier run recorded for a table, whether the last one ended the table, and where to go on.</summary>
    private static async Task<(List<TableExportPart> Parts, bool Done, string? Continuation)> ReadPartsAsync(BlobContainerClient container, string folder, CancellationToken cancellationToken)
    {
        var parts = new List<TableExportPart>();
        while (true)
        {
            try
            {
                var content = await container.GetBlobClient($"{folder}/{parts.Count}.part.json").DownloadContentAsync(cancellationToken);
                parts.Add(content.Value.Content.ToObjectFromJson<TableExportPart>(TableExportManifest.Json)!);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return (parts, false, parts.Count > 0 ? parts[^1].Continuation : null);
            }
            if (parts[^1].Continuation is null) return (parts, true, null);
        }
    }

    private static Task WritePartAsync(BlobContainerClient container, string name, TableExportPart part, CancellationToken cancellationToken) =>
        container.GetBlobClient(name).UploadAsync(BinaryData.FromObjectAsJson(part, TableExportManifest.Json), overwrite: true, cancellationToken);

    /// <summary>One export blob being written: lines streamed into a block blob, hashed on the way.</summary>
    private sealed class BlobWriter : IAsyncDisposable
    {
        private readonly BlobClient _blob;
        private readonly Stream _stream;
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly ArrayBufferWriter<byte> _line = new(4096);

        private BlobWriter(BlobClient blob, Stream stream)
        {
            _blob = blob;
            _stream = stream;
        }

        public long Entities { get; private set; }

        private long _bytes;

        public static async Task<BlobWriter> OpenAsync(BlobClient blob, CancellationToken cancellationToken)
        {
            var stream = await blob.OpenWriteAsync(overwrite: true, new BlobOpenWriteOptions
            {
                BufferSize = 4 * 1024 * 1024,
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
            }, cancellationToken);
            return new BlobWriter(blob, stream);
        }

        public async Task WriteAsync(TableEntity entity, CancellationToken cancellationToken)
        {
            _line.ResetWrittenCount();
            TableExportFormat.WriteLine(entity, _line);
            _sha.AppendData(_line.WrittenSpan);
            await _stream.WriteAsync(_line.WrittenMemory, cancellationToken);
            _bytes += _line.WrittenCount;
            Entities++;
        }

        /// <summary>Commits the blob (disposing the write stream commits its block list) and describes it.</summary>
        public async Task<TableExportManifestBlob> CompleteAsync()
        {
            await _stream.DisposeAsync();
            var hash = Convert.ToHexStringLower(_sha.GetHashAndReset());
            _sha.Dispose();
            return new TableExportManifestBlob(_blob.Name, Entities, _bytes, hash);
        }

        /// <summary>Gives up a blob cut short by an error (whatever it committed is not in any manifest).</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                await _stream.DisposeAsync();
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException or IOException)
            {
                // The run fails with its own error; this blob stays out of the manifest.
            }
            _sha.Dispose();
        }
    }
}
