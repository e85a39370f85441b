using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// SelfieRetention table: PartitionKey = China date the selfie is due for deletion (<c>yyyy-MM-dd</c>, so dates sort
/// as strings), RowKey = certification id. Purged entries are deleted, so "PartitionKey le today" reads only the
/// few partitions that are due.
/// </summary>
public sealed class TableSelfieRetentionIndex(StorageClients clients) : ISelfieRetentionIndex
{
    /// <inheritdoc />
    public Task ScheduleAsync(DateOnly deleteOn, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.SelfieRetention.UpsertEntityAsync(new TableEntity(Partition(deleteOn), certificationId), TableUpdateMode.Replace, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<SelfieRetentionEntry>> ListDueAsync(DateOnly onOrBefore, int max, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entries = new List<SelfieRetentionEntry>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey le {Partition(onOrBefore)}");
            await foreach (var e in clients.SelfieRetention.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                entries.Add(new SelfieRetentionEntry(DateOnly.ParseExact(e.PartitionKey, "yyyy-MM-dd", CultureInfo.InvariantCulture), e.RowKey));
                if (entries.Count >= max) break;
            }
            return (IReadOnlyList<SelfieRetentionEntry>)entries;
        });

    /// <inheritdoc />
    public Task RemoveAsync(IReadOnlyCollection<SelfieRetentionEntry> entries, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            foreach (var partition in entries.GroupBy(e => Partition(e.DeleteOn)))
            {
                foreach (var chunk in partition.Select(e => e.CertificationId).Distinct(StringComparer.Ordinal).Chunk(100))
                {
                    try
                    {
                        await clients.SelfieRetention.SubmitTransactionAsync(
                            chunk.Select(id => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition.Key, id), ETag.All)), cancellationToken);
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == 404)
                    {
                        // One entry was already gone (a retried run): delete the rest one by one (404s are ignored).
                        foreach (var id in chunk)
                            await clients.SelfieRetention.DeleteEntityAsync(partition.Key, id, ETag.All, cancellationToken);
                    }
                }
            }
        });

    private static string Partition(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
