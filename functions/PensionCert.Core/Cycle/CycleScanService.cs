using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>What one scan, with its work items worked to the end, did (the sum of the timer run and the items: <c>run-cycle</c>, tests).</summary>
/// <param name="DatesProcessed">China dates the watermark passed, oldest first.</param>
/// <param name="PensionersVisited">Index entries worked by the items.</param>
/// <param name="EffectsApplied">Reminders, overdue notices and suspensions recorded (repeats excluded).</param>
/// <param name="Exceptions">Pensioners that failed (recorded as cycle exceptions, retried by the next run).</param>
/// <param name="ExceptionsResolved">Cycle exceptions of earlier runs that this run processed successfully (closed).</param>
public sealed record CycleScanReport(IReadOnlyList<DateOnly> DatesProcessed, int PensionersVisited, int EffectsApplied, int Exceptions = 0, int ExceptionsResolved = 0);

/// <summary>What one timer run of the scan did.</summary>
/// <param name="DatesPlanned">Dates this run planned (wrote and enqueued their work items), oldest first.</param>
/// <param name="ItemsEnqueued">Work items enqueued (new, re-enqueued after a lost message, or retried after poisoning).</param>
/// <param name="PensionersPlanned">Due-index entries of the dates this run planned.</param>
/// <param name="ItemsRetried">Poisoned items enqueued again.</param>
/// <param name="ItemsSkipped">Poisoned items given up: their pensioners recorded as cycle exceptions.</param>
/// <param name="DatesCompleted">Dates the watermark passed during this run.</param>
/// <param name="ExceptionsStillFailing">Open cycle exceptions that failed again.</param>
/// <param name="ExceptionsResolved">Open cycle exceptions closed by this run.</param>
public sealed record CycleScanRunReport(IReadOnlyList<DateOnly> DatesPlanned, int ItemsEnqueued, int PensionersPlanned, int ItemsRetried, int ItemsSkipped,
    IReadOnlyList<DateOnly> DatesCompleted, int ExceptionsStillFailing, int ExceptionsResolved);

/// <summary>
/// The daily scan's timer (<see cref="Definitions.Schedules.CycleScan"/>, 01:00 China time). It fans the work out: the
/// date after the stored watermark is split into work items of <see cref="CycleScanOptions.ItemSize"/> pensioners (a
/// ledger row each, then a message each on <see cref="Definitions.QueueNames.CycleScanItems"/>), and the queue trigger
/// (<see cref="CycleScanItemProcessor"/>) works them on as many instances as the platform runs. The watermark passes a
/// date only once every item of it is done; the delivery that finishes a date plans the next one, up to today
/// (<see cref="CycleScanPlanner"/>), so a missed run is caught up date by date. Its cost grows with the pensioners
/// due, not with the population.
/// <para>
/// Idempotent: a date is planned by one run only (the plan row is inserted, or taken over with an ETag check after the
/// planning run's hold lapsed); a double-fired or overlapping run leaves it alone. Every run also repairs the planned
/// date after the watermark when it is not complete: an item still Pending <see cref="CycleScanOptions.RequeueAfterMinutes"/> after its last enqueue is
/// enqueued again (a lost message), a Poisoned item is retried (<see cref="CycleScanOptions.PoisonedItemRetries"/>)
/// and then skipped: its pensioners become cycle exceptions, so the date completes and nobody is left behind unseen.
/// </para>
/// <para>
/// Each run first retries every open cycle exception as of today, closing those that now succeed. Only an outage
/// (<see cref="StorageUnavailableException"/>) or cancellation stops a run; the next run carries on from the ledger.
/// </para>
/// </summary>
public sealed partial class CycleScanService(ICycleStore store, ICycleScanLedger ledger, ICycleScanItemQueue queue, CycleScanPlanner planner, CycleScanItemProcessor items,
    ICycleExceptionStore exceptions, IOptions<CycleScanOptions> options, TimeProvider timeProvider, ILogger<CycleScanService> logger)
{
    /// <summary>Longest catch-up: dates older than this many days before today are not replayed (an alert-worthy outage).</summary>
    public const int MaxCatchUpDays = 400;

    /// <summary>The error type recorded on the cycle exceptions of a skipped (poisoned) work item.</summary>
    public const string SkippedItemErrorType = "CycleScanItemPoisoned";

    /// <summary>Runs the timer's part up to today's China date; see the class summary.</summary>
    public async Task<CycleScanRunReport> RunAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(timeProvider);
        var (resolved, stillFailing) = await RetryExceptionsAsync(today, cancellationToken);
        var watermark = await store.GetWatermarkAsync(cancellationToken);
        // The first run (no watermark) starts at the earliest scheduled date, not today: pensioners placed in the index
        // before any run (enrolled, then the app's first scan days later, or a clock moved ahead locally) are caught up.
        var earliest = watermark is null ? await store.GetEarliestDueDateAsync(cancellationToken) : null;
        var start = watermark is not null ? watermark.LastCompletedOn.AddDays(1) : earliest is { } e && e < today ? e : today;
        if (start.DayNumber < today.DayNumber - MaxCatchUpDays)
        {
            LogCatchUpCapped(logger, Date(start), MaxCatchUpDays);
            start = today.AddDays(-MaxCatchUpDays);
        }
        // The watermark stands just before the first date to plan, so completions can move it date by date.
        if (watermark is null || watermark.LastCompletedOn < start.AddDays(-1))
            await store.TryAdvanceWatermarkAsync(start.AddDays(-1), watermark, cancellationToken);

        // The date after the watermark may be Planned and stuck: lost messages, poisoned items. Repair it, then go on.
        int enqueued = 0, retried = 0, skipped = 0;
        if (await store.GetWatermarkAsync(cancellationToken) is { } current
            && await ledger.GetPlanAsync(current.LastCompletedOn.AddDays(1), cancellationToken) is { State: CycleScanPlanState.Planned } open)
            (enqueued, retried, skipped) = await RepairAsync(open, cancellationToken);
        var advanced = await planner.AdvanceAsync(cancellationToken);
        return new CycleScanRunReport(advanced.DatesPlanned, enqueued + advanced.ItemsEnqueued, advanced.PensionersPlanned, retried, skipped,
            advanced.DatesCompleted, stillFailing, resolved);
    }

    /// <summary>A planned date not yet complete: re-enqueues lost items, retries or skips poisoned ones (the planner then completes it).</summary>
    private async Task<(int Enqueued, int Retried, int Skipped)> RepairAsync(CycleScanPlan plan, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = timeProvider.GetUtcNow();
        int enqueued = 0, retried = 0, skipped = 0;
        foreach (var item in (await ledger.ListItemsAsync(plan.On, plan.Owner, cancellationToken)).Where(i => i.Index < plan.ItemCount))
        {
            if (item.State == CycleScanItemState.Pending && item.EnqueuedAt.AddMinutes(o.RequeueAfterMinutes) <= now)
            {
                if (!await ledger.TryUpdateItemAsync(item with { EnqueuedAt = now }, cancellationToken)) continue;
                await queue.EnqueueAsync(new CycleScanItemMessage(Date(plan.On), plan.Owner, item.Index, Telemetry.PensionCertTelemetry.CurrentTraceParent), cancellationToken);
                enqueued++;
                LogItemRequeued(logger, Date(plan.On), item.Index);
            }
            else if (item.State == CycleScanItemState.Poisoned && item.Retries < o.PoisonedItemRetries)
            {
                if (!await ledger.TryUpdateItemAsync(item with { State = CycleScanItemState.Pending, Retries = item.Retries + 1, EnqueuedAt = now }, cancellationToken)) continue;
                await queue.EnqueueAsync(new CycleScanItemMessage(Date(plan.On), plan.Owner, item.Index, Telemetry.PensionCertTelemetry.CurrentTraceParent), cancellationToken);
                enqueued++;
                retried++;
                LogItemRetried(logger, Date(plan.On), item.Index, item.Retries + 1);
            }
            else if (item.State == CycleScanItemState.Poisoned)
            {
                // Given up as a whole: each of its pensioners becomes a cycle exception (listed for operators, retried by every run).
                var failed = 0;
                await foreach (var id in store.ListDueRangeAsync(plan.On, item.After, item.Through, cancellationToken))
                {
                    await exceptions.RecordAsync(id, plan.On, SkippedItemErrorType, now, cancellationToken);
                    failed++;
                }
                if (!await ledger.TryUpdateItemAsync(item with { State = CycleScanItemState.Skipped, Failed = failed, FinishedAt = now }, cancellationToken)) continue;
                Telemetry.PensionCertTelemetry.RecordCycleScan(plan.On, 0, failed);
                skipped++;
                LogItemSkipped(logger, Date(plan.On), item.Index, item.Retries, failed);
            }
        }
        return (enqueued, retried, skipped);
    }

    /// <summary>Retries every open cycle exception as of <paramref name="today"/>; returns how many were closed and how many still fail.</summary>
    private async Task<(int Resolved, int StillFailing)> RetryExceptionsAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var open = new List<CycleException>();
        await foreach (var x in exceptions.ListAllAsync(cancellationToken)) open.Add(x);
        int resolved = 0, stillFailing = 0;
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken }, async (x, ct) =>
        {
            if (await items.TryProcessAsync(x.PensionerId, today, ct) is null)
            {
                Interlocked.Increment(ref stillFailing);
                return;
            }
            await exceptions.RemoveAsync(x, ct);
            Interlocked.Increment(ref resolved);
            LogExceptionResolved(logger, x.PensionerId, x.Attempts);
        });
        // Retries count under today's date: an exception that keeps failing shows every day until someone acts.
        Telemetry.PensionCertTelemetry.RecordCycleScan(today, resolved, stillFailing);
        return (resolved, stillFailing);
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Cycle scan watermark {Start} is more than {Days} days old; older dates are not replayed")]
    private static partial void LogCatchUpCapped(ILogger logger, string start, int days);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Cycle exception of pensioner {PensionerId} resolved after {Attempts} failed run(s)")]
    private static partial void LogExceptionResolved(ILogger logger, string pensionerId, int attempts);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Cycle scan item {Date}#{Item} still pending after its last enqueue; enqueued again")]
    private static partial void LogItemRequeued(ILogger logger, string date, int item);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Cycle scan item {Date}#{Item} was poisoned; enqueued again (retry {Retry})")]
    private static partial void LogItemRetried(ILogger logger, string date, int item, int retry);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Error, Message = "Cycle scan item {Date}#{Item} poisoned again after {Retries} retry(ies); skipped: {Count} pensioner(s) recorded as cycle exceptions")]
    private static partial void LogItemSkipped(ILogger logger, string date, int item, int retries, int count);
}

/// <summary>What one dispatcher run did.</summary>
/// <param name="Published">Events published and marked sent.</param>
/// <param name="AlreadySent">Pointers whose row was already sent (cleaned up).</param>
/// <param name="Orphaned">Pointers whose transaction never happened (cleaned up after <see cref="OutboxDispatcher.OrphanAfter"/>).</param>
/// <param name="PartitionsBusy">Pointer partitions skipped because another dispatcher holds them.</param>
public sealed record DispatchReport(int Published, int AlreadySent, int Orphaned, int PartitionsBusy = 0);

/// <summary>
/// The notification dispatcher (timer <see cref="Definitions.Schedules.DispatchEvents"/>): for each pending outbox
/// pointer, reads the outbox row from the pensioner's partition, projects it into the read models, publishes it
/// (event id = message id), marks it sent and drops the pointer. A crash anywhere leaves the pointer, so the next run
/// finishes the work: nothing is lost; a crash between publish and marking sent republishes with the same message
/// id, which Service Bus duplicate detection (and the local sink's) drops.
/// <para>
/// One dispatcher at a time per pointer partition: a run first claims each partition
/// (<see cref="IOutboxStore.TryClaimAsync"/>, an ETag-checked lease of <see cref="LeaseDuration"/>) and works only the
/// partitions it holds, so the timer and <c>run-cycle</c> (or two instances) running together never publish the same
/// event twice; a crashed dispatcher's claims lapse after <see cref="LeaseDuration"/>.
/// </para>
/// </summary>
public sealed partial class OutboxDispatcher(IOutboxStore outbox, ICycleReadModel readModel, IEventPublisher publisher, TimeProvider timeProvider, ILogger<OutboxDispatcher> logger,
    Audit.IAuditLog? audit = null)
{
    /// <summary>A pointer without its outbox row after this long belongs to a transaction that never happened (10 minutes).</summary>
    public static readonly TimeSpan OrphanAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long a dispatcher's claim on a pointer partition lasts unless released: the function timeout (5 minutes).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);

    /// <summary>Most events handled per run, so a run stays well inside the function timeout; the rest wait a minute.</summary>
    public const int MaxPerRun = 5000;

    /// <summary>Publishes every pending event (up to <see cref="MaxPerRun"/>) of the partitions this run can claim, oldest first.</summary>
    public async Task<DispatchReport> DispatchAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.PensionCertTelemetry.ActivitySource.StartActivity(Definitions.TelemetryNames.Spans.Dispatch);
        var owner = Guid.NewGuid().ToString("N");
        var leases = new List<OutboxLease>();
        try
        {
            for (var partition = 0; partition < outbox.PartitionCount; partition++)
                if (await outbox.TryClaimAsync(partition, owner, timeProvider.GetUtcNow(), LeaseDuration, cancellationToken) is { } lease)
                    leases.Add(lease);
            var busy = outbox.PartitionCount - leases.Count;
            if (busy > 0) LogPartitionsBusy(logger, busy);
            if (leases.Count == 0) return new DispatchReport(0, 0, 0, busy);
            var (published, alreadySent, orphaned) = await DispatchClaimedAsync(leases.Select(l => l.Partition).ToArray(), cancellationToken);
            return new DispatchReport(published, alreadySent, orphaned, busy);
        }
        finally
        {
            foreach (var lease in leases)
            {
                try
                {
                    await outbox.ReleaseAsync(lease, CancellationToken.None);
                }
                catch (Exception ex) when (ex is StorageUnavailableException)
                {
                    // The claim lapses by itself after LeaseDuration.
                }
            }
        }
    }

    private async Task<(int Published, int AlreadySent, int Orphaned)> DispatchClaimedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        var pointers = new List<OutboxPointer>();
        await foreach (var p in outbox.ListPendingAsync(partitions, cancellationToken))
        {
            pointers.Add(p);
            if (pointers.Count >= MaxPerRun) break;
        }
        var now = timeProvider.GetUtcNow();
        Telemetry.PensionCertTelemetry.RecordOutboxLag(pointers.Count == 0 ? TimeSpan.Zero : now - pointers.Min(p => p.CreatedAt));
        int published = 0, alreadySent = 0, orphaned = 0;
        foreach (var pointer in pointers.OrderBy(p => p.CreatedAt).ThenBy(p => p.Sequence).ThenBy(p => p.EventId, StringComparer.Ordinal))
        {
            var entry = await outbox.GetAsync(pointer, cancellationToken);
            if (entry is null)
            {
                if (timeProvider.GetUtcNow() - pointer.CreatedAt > OrphanAfter)
                {
                    await outbox.RemovePointerAsync(pointer, cancellationToken);
                    orphaned++;
                }
                continue;
            }
            if (entry.SentAt is null)
            {
                // Continues the trace that wrote the event (a decision, an operator's action); the run's span is linked.
                using var activity = Telemetry.PensionCertTelemetry.StartContinued(Definitions.TelemetryNames.Spans.Publish, System.Diagnostics.ActivityKind.Producer, pointer.TraceParent);
                activity?.SetTag(Definitions.TelemetryNames.SpanAttributes.EventType, entry.Event.Type);
                activity?.SetTag(Definitions.TelemetryNames.SpanAttributes.EventId, entry.Event.Id);
                // An audit entry stored with the event (a kept live reference) is appended first, once per event.
                if (entry.Audit is { } audited && audit is not null) await audit.AppendOnceAsync(audited, entry.Event.Id, cancellationToken);
                await readModel.ProjectAsync(entry.Event, cancellationToken);
                await publisher.PublishAsync(entry.Event, cancellationToken);
                if (await outbox.MarkSentAsync(entry, timeProvider.GetUtcNow(), cancellationToken))
                {
                    published++;
                    LogPublished(logger, entry.Event.Id, entry.Event.Type, entry.Event.Data.PensionerId);
                }
                else
                {
                    // The outbox row went while this event was projected: the pensioner was erased meanwhile, and
                    // the erasure may have cleared the read models before this projection; clear them again.
                    await readModel.RemovePensionerAsync(entry.Event.Data.RegionCode, entry.Event.Data.PensionerId, cancellationToken);
                    LogErasedMeanwhile(logger, entry.Event.Id, entry.Event.Data.PensionerId);
                }
            }
            else
            {
                alreadySent++;
            }
            await outbox.RemovePointerAsync(pointer, cancellationToken);
        }
        return (published, alreadySent, orphaned);
    }

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Outbox dispatch: {Count} pointer partition(s) held by another dispatcher; skipped this run")]
    private static partial void LogPartitionsBusy(ILogger logger, int count);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Event {EventId}: pensioner {PensionerId} was erased while it was dispatched; read-model rows removed")]
    private static partial void LogErasedMeanwhile(ILogger logger, string eventId, string pensionerId);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Published event {EventId} {EventType} for pensioner {PensionerId}")]
    private static partial void LogPublished(ILogger logger, string eventId, string eventType, string pensionerId);
}
