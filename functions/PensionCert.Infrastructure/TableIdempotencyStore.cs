using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// IdempotencyKeys table: PartitionKey = SHA-256 of (client, key), RowKey empty. Insert-if-absent claims a key; an
/// expired binding is replaced with an ETag-conditional update; <see cref="PurgeExpiredAsync"/> deletes expired rows.
/// </summary>
/// <remarks>
/// The purge is a filtered scan of the whole table on <c>CreatedAt</c>: lookups need the hash as PartitionKey, so
/// there is no time-ordered key to range over, and every row is its own partition, so deletes cannot be batched. That
/// is acceptable because the daily purge keeps the table at about two days of submissions (the last 24 h plus a day
/// waiting for the next run), the filter is evaluated by the service (only expired rows travel, three properties
/// each), and deletes run a few at a time. A time-bucketed index table would make the read a partition range at the
/// cost of a second write per submission; not worth it at this size.
/// </remarks>
public sealed class TableIdempotencyStore(StorageClients clients) : IIdempotencyStore
{
    /// <inheritdoc />
    public Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var bound = await ClaimAsync(scopedKey, candidate, cancellationToken);
                if (bound.CertificationId == candidate.CertificationId || bound.CreatedAt >= expiredBefore) return bound;
                var existing = (await clients.IdempotencyKeys.GetEntityAsync<TableEntity>(scopedKey, "", cancellationToken: cancellationToken)).Value;
                if ((existing.GetDateTimeOffset("CreatedAt") ?? default) >= expiredBefore) return ToEntry(existing);
                try
                {
                    await clients.IdempotencyKeys.UpdateEntityAsync(ToEntity(scopedKey, candidate), existing.ETag, TableUpdateMode.Replace, cancellationToken);
                    return candidate;
                }
                catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
                {
                    if (attempt >= 3) throw;
                }
            }
        });

    /// <inheritdoc />
    public Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await clients.IdempotencyKeys.AddEntityAsync(ToEntity(scopedKey, candidate), cancellationToken);
                    return candidate;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    var existing = await clients.IdempotencyKeys.GetEntityIfExistsAsync<TableEntity>(scopedKey, "", cancellationToken: cancellationToken);
                    // Purged between the insert and the read (it had expired): claim again.
                    if (existing.HasValue) return ToEntry(existing.Value!);
                    if (attempt >= 3) throw;
                }
            }
        });

    /// <inheritdoc />
    public Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"CreatedAt lt {expiredBefore}");
            var deleted = 0;
            var pages = clients.IdempotencyKeys.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", "CreatedAt"], cancellationToken: cancellationToken).AsPages();
            await foreach (var page in pages)
            {
                await Parallel.ForEachAsync(page.Values, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
                {
                    try
                    {
                        // Conditional on the ETag read: a binding renewed by a claim since then is kept.
                        await clients.IdempotencyKeys.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);
                        Interlocked.Increment(ref deleted);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        // Deleted by another run, or renewed: nothing to do.
                    }
                });
            }
            return deleted;
        });

    /// <inheritdoc />
    public Task ReleaseAsync(string scopedKey, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var existing = await clients.IdempotencyKeys.GetEntityIfExistsAsync<TableEntity>(scopedKey, "", cancellationToken: cancellationToken);
            if (!existing.HasValue || existing.Value!.GetString("CertificationId") != certificationId) return;
            try
            {
                await clients.IdempotencyKeys.DeleteEntityAsync(scopedKey, "", existing.Value.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                // Rebound or removed meanwhile: no longer ours to release.
            }
        });

    private static TableEntity ToEntity(string scopedKey, IdempotencyEntry entry) => new(scopedKey, "")
    {
        ["CertificationId"] = entry.CertificationId,
        ["RequestHash"] = entry.RequestHash,
        ["CreatedAt"] = entry.CreatedAt,
        ["SelfieBlobName"] = entry.SelfieBlobName,
    };

    private static IdempotencyEntry ToEntry(TableEntity e) =>
        new(e.GetString("CertificationId"), e.GetString("RequestHash"), e.GetDateTimeOffset("CreatedAt") ?? default) { SelfieBlobName = e.GetString("SelfieBlobName") };
}
