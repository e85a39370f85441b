using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PensionCert.Core.Cycle;

/// <summary>What <see cref="CycleScanPlanner.AdvanceAsync"/> did.</summary>
/// <param name="DatesPlanned">Dates it planned (their items written and enqueued).</param>
/// <param name="ItemsEnqueued">Work items it enqueued.</param>
/// <param name="PensionersPlanned">Due-index entries of the dates it planned.</param>
/// <param name="DatesCompleted">Dates the watermark passed.</param>
public sealed record CyclePlanReport(IReadOnlyList<DateOnly> DatesPlanned, int ItemsEnqueued, int PensionersPlanned, IReadOnlyList<DateOnly> DatesCompleted);

/// <summary>
/// Moves the daily scan forward from the watermark, one date at a time, called by the timer and by the delivery that
/// finishes a date's last work item: the date after the watermark is planned (its due partition cut into work items
/// of <see cref="CycleScanOptions.ItemSize"/>, each written to the ledger and enqueued) unless a run already did; a
/// date whose items are all Done or Skipped is marked Completed and the watermark passes it; then the next date.
/// Dates go one after another because processing a pensioner on one date moves them to their next date (a three-day
/// catch-up must see the second day's partition after the first day's work); within a date the items run in parallel.
/// </summary>
public sealed partial class CycleScanPlanner(ICycleStore store, ICycleScanLedger ledger, ICycleScanItemQueue queue, IOptions<CycleScanOptions> options,
    TimeProvider timeProvider, ILogger<CycleScanPlanner> logger)
{
    /// <summary>See the class summary. Stops at today's China date, at a date still being worked, or after a race it lost.</summary>
    public async Task<CyclePlanReport> AdvanceAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(timeProvider);
        var planned = new List<DateOnly>();
        var completed = new List<DateOnly>();
        int enqueued = 0, pensioners = 0;
        for (var step = 0; step < 4 * (CycleScanService.MaxCatchUpDays + 2); step++)
        {
            var watermark = await store.GetWatermarkAsync(cancellationToken);
            if (watermark is null) break;
            var date = watermark.LastCompletedOn.AddDays(1);
            if (date > today) break;
            var plan = await ledger.GetPlanAsync(date, cancellationToken);
            if (plan is null || (plan.State == CycleScanPlanState.Planning && plan.LeaseUntil <= timeProvider.GetUtcNow()))
            {
                var ids = new List<string>();
                await foreach (var id in store.ListDueAsync(date, cancellationToken)) ids.Add(id);
                if (ids.Count == 0 && plan is null)
                {
                    // Nobody due: nothing to split or to do twice, so no plan row; the watermark passes the date (ETag-checked).
                    if (await store.TryAdvanceWatermarkAsync(date, watermark, cancellationToken)) completed.Add(date);
                    continue;
                }
                if (await PlanAsync(date, ids, plan, cancellationToken) is not { } done) break; // another run holds the date
                planned.Add(date);
                enqueued += done.Items;
                pensioners += done.Pensioners;
                continue;
            }
            if (plan.State == CycleScanPlanState.Planned)
            {
                var items = await ledger.ListItemsAsync(date, plan.Owner, cancellationToken);
                var finished = items.Count(i => i.Index < plan.ItemCount && i.State is CycleScanItemState.Done or CycleScanItemState.Skipped);
                if (finished < plan.ItemCount) break; // still being worked
                if (await ledger.TryUpdatePlanAsync(plan with { State = CycleScanPlanState.Completed }, cancellationToken) is not null)
                    LogDateCompleted(logger, Date(date), plan.ItemCount, plan.Due);
                continue;
            }
            if (plan.State != CycleScanPlanState.Completed) break; // Planning: another run is writing the items
            if (await store.TryAdvanceWatermarkAsync(date, watermark, cancellationToken)) completed.Add(date);
        }
        return new CyclePlanReport(planned, enqueued, pensioners, completed);
    }

    /// <summary>Holds <paramref name="on"/>, writes its items, marks it Planned (Completed when none) and enqueues them; null when another run holds the date.</summary>
    private async Task<(int Items, int Pensioners)?> PlanAsync(DateOnly on, List<string> ids, CycleScanPlan? lapsed, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var owner = Guid.NewGuid().ToString("N")[..12];
        var now = timeProvider.GetUtcNow();
        var held = await ledger.TryHoldAsync(on, owner, now.AddMinutes(o.PlanLeaseMinutes), lapsed, cancellationToken);
        if (held is null) return null;
        ids.Sort(StringComparer.Ordinal);
        var count = (ids.Count + o.ItemSize - 1) / o.ItemSize;
        var work = Enumerable.Range(0, count).Select(i => new CycleScanItem(on, owner, i,
            i == 0 ? "" : ids[i * o.ItemSize - 1],
            i == count - 1 ? null : ids[(i + 1) * o.ItemSize - 1]) { EnqueuedAt = now }).ToArray();
        await ledger.WriteItemsAsync(on, work, cancellationToken);
        var state = count == 0 ? CycleScanPlanState.Completed : CycleScanPlanState.Planned;
        if (await ledger.TryUpdatePlanAsync(held with { State = state, ItemCount = count, Due = ids.Count }, cancellationToken) is null)
        {
            // This run was so slow that its hold lapsed and another run took the date over: that run enqueues its own items.
            LogPlanTakenOver(logger, Date(on));
            return null;
        }
        var traceParent = Telemetry.PensionCertTelemetry.CurrentTraceParent;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (item, ct) => await queue.EnqueueAsync(new CycleScanItemMessage(Date(on), owner, item.Index, traceParent), ct));
        LogDatePlanned(logger, Date(on), count, ids.Count);
        return (count, ids.Count);
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Cycle scan planned {Date}: {Items} work item(s) for {Count} due-index entries")]
    private static partial void LogDatePlanned(ILogger logger, string date, int items, int count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Cycle scan: another run took over planning {Date} after this run's hold lapsed")]
    private static partial void LogPlanTakenOver(ILogger logger, string date);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Information, Message = "Cycle scan completed {Date}: {Items} item(s), {Count} due-index entries")]
    private static partial void LogDateCompleted(ILogger logger, string date, int items, int count);
}
