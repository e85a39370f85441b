using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Events;

namespace PensionCert.Infrastructure;

/// <summary>
/// Read models projected by the dispatcher. RegionPensioners: PartitionKey = region code, RowKey = pensioner id, the
/// state after the latest event (an older event never overwrites a newer one). PaymentChanges: PartitionKey =
/// <c>{regionCode}-{yyyyMM}</c> (month of the change's business date), RowKey = <c>{pensionerId}-{eventId}</c>, so a
/// payroll month is one partition read. All writes are idempotent upserts keyed by ids.
/// </summary>
public sealed class TableCycleReadModel(StorageClients clients) : ICycleReadModel
{
    /// <inheritdoc />
    public Task ProjectAsync(CycleEvent e, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            await ProjectRegionRowAsync(e, cancellationToken);
            if (e.IsPaymentChange)
            {
                var d = e.Data;
                await clients.PaymentChanges.UpsertEntityAsync(new TableEntity(PaymentPartition(d.RegionCode, d.EffectiveOn), $"{d.PensionerId}-{e.Id}")
                {
                    ["PensionerId"] = d.PensionerId,
                    ["Kind"] = PaymentKind(e.Type),
                    ["EffectiveOn"] = Date(d.EffectiveOn),
                    ["StopFromMonth"] = d.StopFromMonth,
                    ["ResumeFromMonth"] = d.ResumeFromMonth,
                    ["BackPayMonths"] = d.BackPayMonths is null ? null : string.Join(',', d.BackPayMonths),
                    ["DateOfDeath"] = d.DateOfDeath is { } dod ? Date(dod) : null,
                    ["EventId"] = e.Id,
                }, TableUpdateMode.Replace, cancellationToken);
            }
        });

    private async Task ProjectRegionRowAsync(CycleEvent e, CancellationToken cancellationToken)
    {
        var d = e.Data;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var existing = await clients.RegionPensioners.GetEntityIfExistsAsync<TableEntity>(d.RegionCode, d.PensionerId, cancellationToken: cancellationToken);
            if (existing.HasValue)
            {
                var row = existing.Value!;
                var at = row.GetDateTimeOffset("LastEventAt") ?? default;
                var seq = row.GetInt32("LastEventSequence") ?? 0;
                if (at > e.OccurredAt || (at == e.OccurredAt && seq >= e.Sequence)) return;
            }
            var entity = new TableEntity(d.RegionCode, d.PensionerId)
            {
                ["State"] = d.State,
                ["ValidUntil"] = d.ValidUntil is { } v ? Date(v) : null,
                ["Since"] = Date(d.EffectiveOn),
                ["PreferredChannel"] = d.PreferredChannel,
                ["LastEventAt"] = e.OccurredAt,
                ["LastEventSequence"] = e.Sequence,
            };
            try
            {
                if (existing.HasValue)
                    await clients.RegionPensioners.UpdateEntityAsync(entity, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                else
                    await clients.RegionPensioners.AddEntityAsync(entity, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
            }
        }
    }

    /// <inheritdoc />
    public Task<ResultPage<RegionPensioner>> ListByStateAsync(string regionPrefix, EligibilityState state, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            // One partition per county code: a county reads its own, a prefecture or province the range of its prefix.
            var stateName = state.ToString();
            var filter = regionPrefix.Length == 6
                ? TableClient.CreateQueryFilter($"PartitionKey eq {regionPrefix} and State eq {stateName}")
                : TableClient.CreateQueryFilter($"PartitionKey ge {regionPrefix} and PartitionKey lt {PrefixEnd(regionPrefix)} and State eq {stateName}");
            var tableToken = continuationToken is null ? null : RegionContinuationTokens.Read(continuationToken, regionPrefix);
            try
            {
                await foreach (var page in clients.RegionPensioners.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken)
                                   .AsPages(tableToken, pageSize))
                {
                    var items = page.Values.Select(e => new RegionPensioner(
                        e.RowKey, state, ParseDate(e.GetString("ValidUntil")), ParseDate(e.GetString("Since")) ?? default, e.GetString("PreferredChannel"))).ToArray();
                    return new ResultPage<RegionPensioner>(items, RegionContinuationTokens.Issue(regionPrefix, page.ContinuationToken));
                }
                return new ResultPage<RegionPensioner>([], null);
            }
            catch (RequestFailedException ex) when (ex.Status == 400 && continuationToken is not null)
            {
                throw new ProblemException(ProblemTypes.InvalidContinuationToken);
            }
            catch (ArgumentException) when (continuationToken is not null)
            {
                throw new ProblemException(ProblemTypes.InvalidContinuationToken);
            }
        });

    /// <summary>The first string after every string that starts with <paramref name="prefix"/> (digits: "11" → "12").</summary>
    private static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <inheritdoc />
    public Task<IReadOnlyList<PaymentChange>> ListPaymentChangesAsync(string regionCode, DateOnly month, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PaymentPartition(regionCode, month)}");
            var changes = new List<PaymentChange>();
            await foreach (var e in clients.PaymentChanges.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                changes.Add(new PaymentChange(
                    e.GetString("PensionerId"), e.GetString("Kind"), ParseDate(e.GetString("EffectiveOn")) ?? default,
                    e.GetString("StopFromMonth"), e.GetString("ResumeFromMonth"),
                    (e.GetString("BackPayMonths") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                    ParseDate(e.GetString("DateOfDeath")), e.GetString("EventId")));
            }
            return (IReadOnlyList<PaymentChange>)changes.OrderBy(c => c.EffectiveOn).ThenBy(c => c.PensionerId, StringComparer.Ordinal).ToArray();
        });

    /// <inheritdoc />
    public Task<int> RemovePensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var removed = 0;
            var row = await clients.RegionPensioners.GetEntityIfExistsAsync<TableEntity>(regionCode, pensionerId, select: ["RowKey"], cancellationToken: cancellationToken);
            if (row.HasValue && await DeleteIfExistsAsync(clients.RegionPensioners, regionCode, pensionerId, cancellationToken)) removed++;
            // The region's monthly partitions, and in each only the pensioner's RowKey range.
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey ge {regionCode + "-"} and PartitionKey lt {regionCode + "-~"} and RowKey ge {pensionerId + "-"} and RowKey lt {pensionerId + "-~"} and PensionerId eq {pensionerId}");
            await foreach (var e in clients.PaymentChanges.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
                if (await DeleteIfExistsAsync(clients.PaymentChanges, e.PartitionKey, e.RowKey, cancellationToken)) removed++;
            return removed;
        });

    /// <inheritdoc />
    public Task<int> RemoveFromRegionListAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () => await DeleteIfExistsAsync(clients.RegionPensioners, regionCode, pensionerId, cancellationToken) ? 1 : 0);

    private static async Task<bool> DeleteIfExistsAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private static string PaymentKind(string type) => type switch
    {
        EventTypes.PaymentSuspended => "suspended",
        EventTypes.PaymentResumed => "resumed",
        EventTypes.PaymentHeld => "held",
        EventTypes.PaymentReleased => "released",
        _ => "stopped",
    };

    private static string PaymentPartition(string regionCode, DateOnly date) => $"{regionCode}-{date.ToString("yyyyMM", CultureInfo.InvariantCulture)}";

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text) => text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
