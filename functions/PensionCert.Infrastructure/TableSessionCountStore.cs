using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Sessions;

namespace PensionCert.Infrastructure;

/// <summary>
/// The daily session count in the pensioner's partition of the Pensioners table: one empty row
/// <c>session-{yyyy-MM-dd}-{sessionId}</c> per session, beside the day's failed-attempt rows; counted with one
/// partition range query. Erasure deletes them with the rest of the partition.
/// </summary>
public sealed class TableSessionCountStore(StorageClients clients) : ISessionCountStore
{
    private const string ProfileRowKey = TablePensionerRepository.ProfileRow;

    /// <inheritdoc />
    public Task<int> CountAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var prefix = Prefix(day);
            var count = 0;
            await foreach (var _ in clients.Pensioners.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"), select: ["RowKey"], cancellationToken: cancellationToken))
                count++;
            return count;
        });

    /// <inheritdoc />
    public Task<bool> RecordAsync(string pensionerId, DateOnly day, string sessionId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                // The empty merge on the profile (If-Match *) makes the transaction fail when the profile is gone.
                await clients.Pensioners.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pensionerId, ProfileRowKey), ETag.All),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pensionerId, Prefix(day) + sessionId)),
                ], cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        });

    /// <inheritdoc />
    /// <remarks>
    /// A filtered scan of the Pensioners table on the RowKey range <c>session-</c> … <c>session-{firstKeptDay}</c>: the
    /// rows live in each pensioner's partition (so the count is one partition query and erasure takes them), so there
    /// is no day-ordered key to range over. The service evaluates the filter (only the old session rows travel, keys
    /// only); the failed-attempt rows and every other row of the partition are outside the range and never read.
    /// </remarks>
    public Task<int> PurgeBeforeAsync(DateOnly firstKeptDay, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var end = Prefix(firstKeptDay);
            var filter = TableClient.CreateQueryFilter($"RowKey ge {SessionPrefix} and RowKey lt {end}");
            var deleted = 0;
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                // Belt and braces: only this store's rows (session-yyyy-MM-dd-…) are ever deleted.
                if (!e.RowKey.StartsWith(SessionPrefix, StringComparison.Ordinal) || string.CompareOrdinal(e.RowKey, end) >= 0) continue;
                try
                {
                    await clients.Pensioners.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                    deleted++;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                }
            }
            return deleted;
        });

    private const string SessionPrefix = "session-";

    /// <summary>The RowKey prefix of a China day's session rows.</summary>
    private static string Prefix(DateOnly day) => "session-" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-";
}
