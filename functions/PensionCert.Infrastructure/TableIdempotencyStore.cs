using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>IdempotencyKeys table: PartitionKey = SHA-256 of (client, key), RowKey empty. Insert-if-absent claims a key.</summary>
public sealed class TableIdempotencyStore(StorageClients clients) : IIdempotencyStore
{
    /// <inheritdoc />
    public Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.IdempotencyKeys.AddEntityAsync(new TableEntity(scopedKey, "")
                {
                    ["CertificationId"] = candidate.CertificationId,
                    ["RequestHash"] = candidate.RequestHash,
                    ["CreatedAt"] = candidate.CreatedAt,
                }, cancellationToken);
                return candidate;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var e = (await clients.IdempotencyKeys.GetEntityAsync<TableEntity>(scopedKey, "", cancellationToken: cancellationToken)).Value;
                return new IdempotencyEntry(e.GetString("CertificationId"), e.GetString("RequestHash"), e.GetDateTimeOffset("CreatedAt") ?? default);
            }
        });
}
