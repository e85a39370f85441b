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

    /// <summary>The RowKey prefix of a China day's session rows.</summary>
    private static string Prefix(DateOnly day) => "session-" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-";
}
