using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// IdempotencyKeys table: PartitionKey = SHA-256 of (client, key), RowKey empty. Insert-if-absent claims a key; an
/// expired binding is replaced with an ETag-conditional update.
/// </summary>
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
            try
            {
                await clients.IdempotencyKeys.AddEntityAsync(ToEntity(scopedKey, candidate), cancellationToken);
                return candidate;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return ToEntry((await clients.IdempotencyKeys.GetEntityAsync<TableEntity>(scopedKey, "", cancellationToken: cancellationToken)).Value);
            }
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
    };

    private static IdempotencyEntry ToEntry(TableEntity e) =>
        new(e.GetString("CertificationId"), e.GetString("RequestHash"), e.GetDateTimeOffset("CreatedAt") ?? default);
}
