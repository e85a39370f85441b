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
/// the date, moves the watermark and plans the next date (<see cref="CycleScanPlanner.AdvanceAsync"/>). Failures are isolated per pensioner (a
/// <see cref="CycleException"/>, as before); only an outage or cancellation fails the delivery, so the queue retries it
/// and, after <c>maxDequeueCount</c>, the poison trigger marks the item Poisoned (<see cref="RecordPoisonedAsync"/>).
/// Repeated or concurrent deliveries of one item record each effect once (outbox markers).
/// </summary>
public sealed partial class CycleScanItemProcessor(ICycleStore store, ICycleScanLedger ledger, CycleScanPlanner planner, CycleService cycle, ICycleExceptionStore exceptions,
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
            // A delivery that finished the item may have stopped before moving the scan on: do it (idempotent).
            if (item is { State: CycleScanItemState.Done or CycleScanItemState.Skipped }) await planner.AdvanceAsync(cancellationToken);
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
        // The last item of the date completes it, moves the watermark and plans the next date (a catch-up goes on).
        await planner.AdvanceAsync(cancellationToken);
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

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Cycle scan failed on pensioner {PensionerId} due {Date} ({ErrorType}); recorded as cycle exception (attempt {Attempts}), scan continues")]
    private static partial void LogException(ILogger logger, string pensionerId, string date, string errorType, int attempts);
}
