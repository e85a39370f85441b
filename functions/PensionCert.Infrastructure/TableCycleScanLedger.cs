using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;

namespace PensionCert.Infrastructure;

/// <summary>
/// The daily scan's work-item ledger on Tables (<see cref="Core.Definitions.StorageNames.CycleScanItemsTable"/>):
/// PartitionKey = China date <c>yyyyMMdd</c>; RowKey <c>plan</c> (state, owner, hold, item count, due count) and
/// <c>item-{owner}-{nnnnn}</c> per work item (key range, state, retries, counts). Items carry their plan's owner in the
/// key, so the rows of a plan that lost its hold are never mistaken for the current plan's.
/// </summary>
public sealed class TableCycleScanLedger(StorageClients clients) : ICycleScanLedger
{
    private const string PlanRow = "plan";

    /// <inheritdoc />
    public Task<CycleScanPlan?> GetPlanAsync(DateOnly on, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.CycleScanItems.GetEntityIfExistsAsync<TableEntity>(Partition(on), PlanRow, cancellationToken: cancellationToken);
            return response.HasValue ? ToPlan(on, response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<CycleScanPlan?> TryHoldAsync(DateOnly on, string owner, DateTimeOffset leaseUntil, CycleScanPlan? expected, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var plan = new CycleScanPlan(on, CycleScanPlanState.Planning, 0, 0, owner, leaseUntil, "");
            try
            {
                var response = expected is null
                    ? await clients.CycleScanItems.AddEntityAsync(ToEntity(plan), cancellationToken)
                    : await clients.CycleScanItems.UpdateEntityAsync(ToEntity(plan), new ETag(expected.ETag), TableUpdateMode.Replace, cancellationToken);
                return plan with { ETag = response.Headers.ETag?.ToString() ?? "" };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                return null;
            }
        });

    /// <inheritdoc />
    public Task WriteItemsAsync(DateOnly on, IReadOnlyList<CycleScanItem> items, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => Parallel.ForEachAsync(items.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (chunk, ct) => await clients.CycleScanItems.SubmitTransactionAsync(
                chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(i))), ct)));

    /// <inheritdoc />
    public Task<CycleScanPlan?> TryUpdatePlanAsync(CycleScanPlan plan, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                var response = await clients.CycleScanItems.UpdateEntityAsync(ToEntity(plan), new ETag(plan.ETag), TableUpdateMode.Replace, cancellationToken);
                return plan with { ETag = response.Headers.ETag?.ToString() ?? "" };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                return (CycleScanPlan?)null;
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<CycleScanItem>> ListItemsAsync(DateOnly on, string owner, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var prefix = "item-" + owner + "-";
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(on)} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
            var items = new List<CycleScanItem>();
            await foreach (var e in clients.CycleScanItems.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
                items.Add(ToItem(on, e));
            return (IReadOnlyList<CycleScanItem>)items.OrderBy(i => i.Index).ToList();
        });

    /// <inheritdoc />
    public Task<CycleScanItem?> GetItemAsync(DateOnly on, string owner, int index, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.CycleScanItems.GetEntityIfExistsAsync<TableEntity>(Partition(on), ItemRow(owner, index), cancellationToken: cancellationToken);
            return response.HasValue ? ToItem(on, response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<bool> TryUpdateItemAsync(CycleScanItem item, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.CycleScanItems.UpdateEntityAsync(ToEntity(item), new ETag(item.ETag), TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                return false;
            }
        });

    /// <summary>The ledger PartitionKey of a China date: <c>yyyyMMdd</c>.</summary>
    public static string Partition(DateOnly on) => on.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The RowKey of a work item.</summary>
    public static string ItemRow(string owner, int index) => "item-" + owner + "-" + index.ToString("D5", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(CycleScanPlan plan) => new(Partition(plan.On), PlanRow)
    {
        ["State"] = plan.State.ToString(),
        ["ItemCount"] = plan.ItemCount,
        ["Due"] = plan.Due,
        ["Owner"] = plan.Owner,
        ["LeaseUntil"] = plan.LeaseUntil,
    };

    private static CycleScanPlan ToPlan(DateOnly on, TableEntity e) => new(on,
        Enum.Parse<CycleScanPlanState>(e.GetString("State")), e.GetInt32("ItemCount") ?? 0, e.GetInt32("Due") ?? 0,
        e.GetString("Owner") ?? "", e.GetDateTimeOffset("LeaseUntil") ?? DateTimeOffset.UnixEpoch, e.ETag.ToString());

    private static TableEntity ToEntity(CycleScanItem item) => new(Partition(item.On), ItemRow(item.Owner, item.Index))
    {
        ["Owner"] = item.Owner,
        ["Index"] = item.Index,
        ["After"] = item.After,
        ["Through"] = item.Through,
        ["State"] = item.State.ToString(),
        ["Retries"] = item.Retries,
        ["Processed"] = item.Processed,
        ["Failed"] = item.Failed,
        ["EnqueuedAt"] = item.EnqueuedAt,
        ["StartedAt"] = item.StartedAt,
        ["FinishedAt"] = item.FinishedAt,
    };

    private static CycleScanItem ToItem(DateOnly on, TableEntity e) =>
        new(on, e.GetString("Owner") ?? "", e.GetInt32("Index") ?? 0, e.GetString("After") ?? "", e.GetString("Through"))
        {
            State = Enum.Parse<CycleScanItemState>(e.GetString("State")),
            Retries = e.GetInt32("Retries") ?? 0,
            Processed = e.GetInt32("Processed") ?? 0,
            Failed = e.GetInt32("Failed") ?? 0,
            EnqueuedAt = e.GetDateTimeOffset("EnqueuedAt") ?? DateTimeOffset.UnixEpoch,
            StartedAt = e.GetDateTimeOffset("StartedAt"),
            FinishedAt = e.GetDateTimeOffset("FinishedAt"),
            ETag = e.ETag.ToString(),
        };
}
