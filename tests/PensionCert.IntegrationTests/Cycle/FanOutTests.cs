using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// Issue 15: the daily scan fans out. The timer (here: the host's own <see cref="CycleScanService"/>, which its timer
/// trigger calls) splits today's due partition into work items; the local host's queue trigger works them in parallel;
/// the watermark passes the date only when every item is done; a poisoned item blocks no other item, ends visible in
/// the ledger and is retried, then skipped into cycle exceptions, by the next timer runs; a double-fired timer plans
/// once and announces every effect once.
/// </summary>
[Collection(FanOutHostCollection.Name)]
public sealed class FanOutTests(FanOutHostFixture host)
{
    [Fact]
    public async Task Timer_SplitsTheDateIntoItems_QueueTriggerWorksThemInParallel_WatermarkPassesOnceAllAreDone()
    {
        var ct = CancellationToken.None;
        var ids = await host.SeedDueTodayAsync(6 * FanOutHostFixture.ItemSize, "130102");
        var today = host.Today;

        var run = await host.Scan.RunAsync(ct);

        Assert.Equal([today], run.DatesPlanned);
        Assert.Equal(6, run.ItemsEnqueued);
        Assert.Equal(ids.Count, run.PensionersPlanned);
        var (plan, items) = await host.WaitForItemsAsync(items => items.Count == 6 && items.All(i => i.State == CycleScanItemState.Done));
        await host.WaitForWatermarkAsync(today);
        Assert.Equal(CycleScanPlanState.Completed, (await host.Ledger.GetPlanAsync(today, ct))!.State);
        Assert.Equal((6, ids.Count), (plan.ItemCount, plan.Due));
        Assert.Equal(ids.Count, items.Sum(i => i.Processed));
        Assert.All(items, i => Assert.Equal((FanOutHostFixture.ItemSize, 0), (i.Processed, i.Failed)));
        // The slices cover the partition without overlap: each bound is the last key of the slice before.
        Assert.Equal(ids.Order(StringComparer.Ordinal).Where((_, n) => n % FanOutHostFixture.ItemSize == FanOutHostFixture.ItemSize - 1).SkipLast(1),
            items.Take(5).Select(i => i.Through!));
        // In parallel: at least two items were being worked at the same time (the host runs a batch of messages at once).
        var overlapping = items.Any(a => items.Any(b => a.Index != b.Index && a.StartedAt < b.FinishedAt && b.StartedAt < a.FinishedAt));
        Assert.True(overlapping, string.Join("; ", items.Select(i => $"#{i.Index} {i.StartedAt:HH:mm:ss.fff}-{i.FinishedAt:HH:mm:ss.fff}")));
        Assert.Equal(today, (await host.CycleStore.GetWatermarkAsync(ct))!.LastCompletedOn);
        Assert.True(6 <= host.Logs.Lines.Count(l => l.Contains($"Cycle scan item {today:yyyy-MM-dd}#", StringComparison.Ordinal) && l.Contains(" done: 3 ", StringComparison.Ordinal)), "six item logs");

        // Every pensioner got its reminder, once.
        await host.App.Services.GetRequiredService<OutboxDispatcher>().DispatchAsync(ct);
        var reminded = (await DrainEventsAsync(EventTypes.CertificationDueSoon)).Where(ids.Contains);
        Assert.Equal(ids.Order(), reminded.Order());
    }

    [Fact]
    public async Task PoisonedItem_OthersDone_WatermarkWaits_ItemVisible_RetriedByTheNextRun_ThenSkippedIntoCycleExceptions()
    {
        var ct = CancellationToken.None;
        var ids = await host.SeedDueTodayAsync(3 * FanOutHostFixture.ItemSize, "130103");
        var today = host.Today;
        // One pensioner's profile row is corrupt (its region code stored as a number): the scan cannot read it, and
        // cannot even file the cycle exception (that reads the region code too), so every delivery of its item fails.
        var sorted = ids.Order(StringComparer.Ordinal).ToList();
        var broken = sorted[FanOutHostFixture.ItemSize]; // the first pensioner of item #1
        await SetRegionCodeAsync(broken, 130103);

        await host.Scan.RunAsync(ct);

        var (plan, items) = await host.WaitForItemsAsync(items => items.Count == 3 && items.All(i => i.State != CycleScanItemState.Pending));
        Assert.Equal([CycleScanItemState.Done, CycleScanItemState.Poisoned, CycleScanItemState.Done], items.Select(i => i.State));
        Assert.Equal(CycleScanPlanState.Planned, (await host.Ledger.GetPlanAsync(today, ct))!.State);
        Assert.Equal(today.AddDays(-1), (await host.CycleStore.GetWatermarkAsync(ct))!.LastCompletedOn); // waits for the poisoned item
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("poisoned", StringComparison.Ordinal) && l.Contains("#1", StringComparison.Ordinal));

        // The next run retries it once (still failing: Poisoned again), the run after skips it: its pensioners become
        // cycle exceptions the operator lists, the date completes and the watermark passes it.
        var retry = await host.Scan.RunAsync(ct);
        Assert.Equal((1, 1, 0), (retry.ItemsEnqueued, retry.ItemsRetried, retry.ItemsSkipped));
        (_, items) = await host.WaitForItemsAsync(items => items[1].State == CycleScanItemState.Poisoned && items[1].Retries == 1);
        await SetRegionCodeAsync(broken, "130103"); // the row is repaired; the item is given up all the same
        var skip = await host.Scan.RunAsync(ct);
        Assert.Equal((0, 1), (skip.ItemsRetried, skip.ItemsSkipped));
        Assert.Equal([today], skip.DatesCompleted);
        (_, items) = await host.WaitForItemsAsync(_ => true);
        // The item's other pensioners may have been processed by a failing delivery before the broken one stopped it
        // (they run in parallel): those are done; the rest of the item, the broken one always, become cycle exceptions.
        Assert.Equal(CycleScanItemState.Skipped, items[1].State);
        Assert.InRange(items[1].Failed, 1, FanOutHostFixture.ItemSize);
        Assert.Equal(today, (await host.CycleStore.GetWatermarkAsync(ct))!.LastCompletedOn);
        var open = new List<CycleException>();
        await foreach (var x in host.App.Services.GetRequiredService<ICycleExceptionStore>().ListAllAsync(ct)) open.Add(x);
        var itemOne = sorted.Skip(FanOutHostFixture.ItemSize).Take(FanOutHostFixture.ItemSize).ToList();
        Assert.Contains(broken, open.Select(x => x.PensionerId));
        Assert.Equal(items[1].Failed, open.Count);
        Assert.All(open, x => Assert.Contains(x.PensionerId, itemOne));
        Assert.All(open, x => Assert.Equal((today, CycleScanService.SkippedItemErrorType), (x.DueOn, x.ErrorType)));
        foreach (var x in open) await host.App.Services.GetRequiredService<ICycleExceptionStore>().RemoveAsync(x, ct);
    }

    [Fact]
    public async Task DoubleFiredTimer_PlansOnce_EveryReminderAnnouncedOnce()
    {
        var ct = CancellationToken.None;
        var ids = await host.SeedDueTodayAsync(4 * FanOutHostFixture.ItemSize, "130104");

        var runs = await Task.WhenAll(host.Scan.RunAsync(ct), host.Scan.RunAsync(ct));
        await host.Scan.RunAsync(ct); // and once more, as a retried invocation would

        Assert.Equal(1, runs.Count(r => r.DatesPlanned.Count == 1));
        Assert.Equal(4, runs.Sum(r => r.ItemsEnqueued));
        var (_, items) = await host.WaitForItemsAsync(items => items.Count == 4 && items.All(i => i.State == CycleScanItemState.Done));
        Assert.Equal(ids.Count, items.Sum(i => i.Processed));
        await host.WaitForWatermarkAsync(host.Today);
        await host.App.Services.GetRequiredService<OutboxDispatcher>().DispatchAsync(ct);
        var reminded = (await DrainEventsAsync(EventTypes.CertificationDueSoon)).Where(ids.Contains);
        Assert.Equal(ids.Order(), reminded.Order()); // one reminder each, none twice
    }

    private async Task SetRegionCodeAsync(string pensionerId, object value)
    {
        var patch = new Azure.Data.Tables.TableEntity(pensionerId, "profile") { ["RegionCode"] = value };
        await host.Storage.Pensioners.UpdateEntityAsync(patch, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
    }

    /// <summary>Drains the host's local event sink and returns the pensioner ids of the events of <paramref name="type"/>.</summary>
    private async Task<List<string>> DrainEventsAsync(string type)
    {
        var ids = new List<string>();
        while (true)
        {
            var batch = (await host.Storage.EventSinkQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0) return ids;
            foreach (var m in batch)
            {
                var e = CloudEventJson.Deserialize(m.Body.ToString());
                if (e.Type == type) ids.Add(e.Data.PensionerId);
                await host.Storage.EventSinkQueue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }
}
