using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>What working one item did.</summary>
/// <param name="Worked">False when the item was already Done/Skipped, not found, or of a lapsed plan (nothing done).</param>
/// <param name="Processed">Pensioners processed.</param>
/// <param name="Failed">Pensioners recorded as cycle exceptions.</param>
/// <param name="Effects">Reminders, overdue notices and suspensions recorded (repeats excluded).</param>
public sealed record CycleScanItemResult(bool Worked, int Processed, int Failed, int Effects)
{
    public static readonly CycleScanItemResult Nothing = new(false, 0, 0, 0);
}

/// <summary>
/// The queue trigger's side of the fanned-out daily scan (<see cref="Definitions.QueueNames.CycleScanItems"/>): works one
/// item (a slice of a date's due index), marks it Done in the ledger, and when it was the date's last item completes
/// the date and moves the watermark over every completed date in a row. Failures are isolated per pensioner (a
/// <see cref="CycleException"/>, as before); only an outage or cancellation fails the delivery, so the queue retries it
/// and, after <c>maxDequeueCount</c>, the poison trigger marks the item Poisoned (<see cref="RecordPoisonedAsync"/>).
/// Repeated or concurrent deliveries of one item record each effect once (outbox markers).
/// </summary>
public sealed partial class CycleScanItemProcessor(ICycleStore store, ICycleScanLedger ledger, CycleService cycle, ICycleExceptionStore exceptions,
    IOptions<CycleScanOptions> options, TimeProvider timeProvider, ILogger<CycleScanItemProcessor> logger)
{
    /// <summary>Works one item; see the class summary.</summary>
    public async Task<CycleScanItemResult> ProcessAsync(CycleScanItemMessage message, CancellationToken cancellationToken)
    {
        var on = ParseDate(message.Date);
        var item = await ledger.GetItemAsync(on, message.Plan, message.Item, cancellationToken);
        if (item is null || item.State != CycleScanItemState.Pending)
        {
            LogNothingToDo(logger, message.Date, message.Item, item?.State.ToString() ?? "missing");
            return CycleScanItemResult.Nothing;
        }
        var startedAt = timeProvider.GetUtcNow();
        var ids = new List<string>();
        await foreach (var id in store.ListDueRangeAsync(on, item.After, item.Through, cancellationToken)) ids.Add(id);
        int applied = 0, failed = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            if (await TryProcessAsync(id, on, ct) is { } n) Interlocked.Add(ref applied, n);
            else Interlocked.Increment(ref failed);
        });
        Telemetry.PensionCertTelemetry.RecordCycleScan(on, ids.Count - failed, failed);
        await FinishItemAsync(item, i => i with { State = CycleScanItemState.Done, Processed = ids.Count - failed, Failed = failed, StartedAt = startedAt, FinishedAt = timeProvider.GetUtcNow() }, cancellationToken);
        LogItemDone(logger, message.Date, message.Item, ids.Count, failed);
        await CompleteAsync(on, cancellationToken);
        return new CycleScanItemResult(true, ids.Count - failed, failed, applied);
    }

    /// <summary>
    /// Every delivery of the item failed: it is marked Poisoned (visible in the ledger, logged as an error) and the next
    /// timer run enqueues it again or, after <see cref="CycleScanOptions.PoisonedItemRetries"/>, skips it into cycle exceptions.
    /// </summary>
    public async Task RecordPoisonedAsync(CycleScanItemMessage message, CancellationToken cancellationToken)
    {
        var on = ParseDate(message.Date);
        var item = await ledger.GetItemAsync(on, message.Plan, message.Item, cancellationToken);
        if (item is null || item.State != CycleScanItemState.Pending) return;
        await FinishItemAsync(item, i => i with { State = CycleScanItemState.Poisoned, FinishedAt = timeProvider.GetUtcNow() }, cancellationToken);
        LogItemPoisoned(logger, message.Date, message.Item, item.Retries);
    }

    /// <summary>
    /// Completes <paramref name="on"/> when every item of its plan is Done or Skipped, then moves the watermark over every
    /// completed date after it; returns the dates the watermark passed (empty when it did not move).
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> CompleteAsync(DateOnly on, CancellationToken cancellationToken)
    {
        var plan = await ledger.GetPlanAsync(on, cancellationToken);
        if (plan is { State: CycleScanPlanState.Planned })
        {
            var items = await ledger.ListItemsAsync(on, plan.Owner, cancellationToken);
            var finished = items.Count(i => i.Index < plan.ItemCount && i.State is CycleScanItemState.Done or CycleScanItemState.Skipped);
            if (finished == plan.ItemCount && await ledger.TryUpdatePlanAsync(plan with { State = CycleScanPlanState.Completed }, cancellationToken) is not null)
                LogDateCompleted(logger, Date(on), plan.ItemCount, plan.Due);
        }
        return await AdvanceWatermarkAsync(cancellationToken);
    }

    /// <summary>Moves the watermark over every Completed date right after it (ETag-checked; a race is read again).</summary>
    public async Task<IReadOnlyList<DateOnly>> AdvanceWatermarkAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var watermark = await store.GetWatermarkAsync(cancellationToken);
            if (watermark is null) return [];
            var passed = new List<DateOnly>();
            for (var next = watermark.LastCompletedOn.AddDays(1); passed.Count <= CycleScanService.MaxCatchUpDays; next = next.AddDays(1))
            {
                if (await ledger.GetPlanAsync(next, cancellationToken) is not { State: CycleScanPlanState.Completed }) break;
                passed.Add(next);
            }
            if (passed.Count == 0) return [];
            if (await store.TryAdvanceWatermarkAsync(passed[^1], watermark, cancellationToken)) return passed;
        }
        return [];
    }

    /// <summary>
    /// Processes one pensioner due on <paramref name="asOf"/>; returns the effects applied, or null when it failed and was
    /// recorded as a cycle exception. Outages and cancellation propagate: they are not the pensioner's fault.
    /// </summary>
    public async Task<int?> TryProcessAsync(string pensionerId, DateOnly asOf, CancellationToken cancellationToken)
    {
        try
        {
            return await cycle.ProcessDueAsync(pensionerId, asOf, cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StorageUnavailableException))
        {
            var recorded = await exceptions.RecordAsync(pensionerId, asOf, ex.GetType().Name, timeProvider.GetUtcNow(), cancellationToken);
            LogException(logger, pensionerId, Date(asOf), ex.GetType().Name, recorded.Attempts);
            return null;
        }
    }

    /// <summary>Applies <paramref name="change"/> to a Pending item (ETag-checked; read again after a race, given up once another delivery finished it).</summary>
    private async Task FinishItemAsync(CycleScanItem item, Func<CycleScanItem, CycleScanItem> change, CancellationToken cancellationToken)
    {
        for (var current = item; current is { State: CycleScanItemState.Pending };
             current = await ledger.GetItemAsync(item.On, item.Owner, item.Index, cancellationToken))
        {
            if (await ledger.TryUpdateItemAsync(change(current), cancellationToken)) return;
        }
    }

    /// <summary>Parses the message's date.</summary>
    /// <exception cref="FormatException">Not a <c>yyyy-MM-dd</c> date.</exception>
    public static DateOnly ParseDate(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The message date format <c>yyyy-MM-dd</c>.</summary>
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Cycle scan item {Date}#{Item} done: {Count} due-index entries, {Failed} cycle exception(s)")]
    private static partial void LogItemDone(ILogger logger, string date, int item, int count, int failed);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Information, Message = "Cycle scan item {Date}#{Item}: nothing to do ({State})")]
    private static partial void LogNothingToDo(ILogger logger, string date, int item, string state);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Error, Message = "Cycle scan item {Date}#{Item} poisoned (every delivery failed; retried {Retries} time(s) before); the next scan run retries or skips it")]
    private static partial void LogItemPoisoned(ILogger logger, string date, int item, int retries);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Information, Message = "Cycle scan completed {Date}: {Items} item(s), {Count} due-index entries")]
    private static partial void LogDateCompleted(ILogger logger, string date, int items, int count);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Cycle scan failed on pensioner {PensionerId} due {Date} ({ErrorType}); recorded as cycle exception (attempt {Attempts}), scan continues")]
    private static partial void LogException(ILogger logger, string pensionerId, string date, string errorType, int attempts);
}
