using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>What one scan run did.</summary>
/// <param name="DatesProcessed">China dates whose due-index partition this run completed, oldest first.</param>
/// <param name="PensionersVisited">Index entries read.</param>
/// <param name="EffectsApplied">Reminders, overdue notices and suspensions recorded by this run (repeats excluded).</param>
/// <param name="Exceptions">Pensioners this run failed on (recorded as cycle exceptions, retried by the next run).</param>
/// <param name="ExceptionsResolved">Cycle exceptions of earlier runs that this run processed successfully (closed).</param>
public sealed record CycleScanReport(IReadOnlyList<DateOnly> DatesProcessed, int PensionersVisited, int EffectsApplied, int Exceptions = 0, int ExceptionsResolved = 0);

/// <summary>
/// The daily scan (timer <see cref="Definitions.Schedules.CycleScan"/>, 01:00 China time). It reads only the due-date
/// index partitions of the dates it handles, so its cost grows with the pensioners due, not with the population.
/// From the stored watermark it handles every date up to today once (a run missed while the app was down is caught
/// up); a run that fires twice or overlaps another records each effect once (outbox markers), and the watermark is
/// advanced with an ETag check.
/// <para>
/// Failures are isolated per pensioner: one that throws (an unreadable profile, say) is recorded as a
/// <see cref="CycleException"/> and the scan moves on, so the date completes and the watermark advances for everyone
/// else. Each run first retries every open exception as of today, closing those that now succeed. Only an outage
/// (<see cref="StorageUnavailableException"/>) or cancellation stops a run, leaving the watermark for the next.
/// </para>
/// </summary>
public sealed partial class CycleScanService(ICycleStore store, CycleService cycle, ICycleExceptionStore exceptions, TimeProvider timeProvider, ILogger<CycleScanService> logger)
{
    /// <summary>Pensioners processed concurrently within one date.</summary>
    public const int Parallelism = 8;

    /// <summary>Longest catch-up: dates older than this many days before today are not replayed (an alert-worthy outage).</summary>
    public const int MaxCatchUpDays = 400;

    /// <summary>Runs the scan up to today's China date.</summary>
    public async Task<CycleScanReport> RunAsync(CancellationToken cancellationToken)
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
        var dates = new List<DateOnly>();
        int visited = 0, applied = 0, failed = stillFailing;
        for (var date = start; date <= today; date = date.AddDays(1))
        {
            // An overlapping run may have completed this date meanwhile: nothing left to do for it.
            if (watermark is not null && date <= watermark.LastCompletedOn) continue;
            var ids = new List<string>();
            await foreach (var id in store.ListDueAsync(date, cancellationToken)) ids.Add(id);
            visited += ids.Count;
            var on = date;
            var failedOnDate = 0;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                if (await TryProcessAsync(id, on, ct) is { } n) Interlocked.Add(ref applied, n);
                else Interlocked.Increment(ref failedOnDate);
            });
            failed += failedOnDate;
            Telemetry.PensionCertTelemetry.RecordCycleScan(date, ids.Count - failedOnDate, failedOnDate);
            if (!await store.TryAdvanceWatermarkAsync(date, watermark, cancellationToken))
                LogWatermarkRace(logger, Date(date));
            watermark = await store.GetWatermarkAsync(cancellationToken);
            dates.Add(date);
            LogDateDone(logger, Date(date), ids.Count);
        }
        return new CycleScanReport(dates, visited, applied, failed, resolved);
    }

    /// <summary>
    /// Processes one pensioner due on <paramref name="asOf"/>; returns the effects applied, or null when it failed and was
    /// recorded as a cycle exception. Outages and cancellation propagate: they are not the pensioner's fault.
    /// </summary>
    private async Task<int?> TryProcessAsync(string pensionerId, DateOnly asOf, CancellationToken cancellationToken)
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

    /// <summary>Retries every open cycle exception as of <paramref name="today"/>; returns how many were closed and how many still fail.</summary>
    private async Task<(int Resolved, int StillFailing)> RetryExceptionsAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var open = new List<CycleException>();
        await foreach (var x in exceptions.ListAllAsync(cancellationToken)) open.Add(x);
        int resolved = 0, stillFailing = 0;
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (x, ct) =>
        {
            if (await TryProcessAsync(x.PensionerId, today, ct) is null)
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

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Cycle scan completed {Date}: {Count} due-index entries")]
    private static partial void LogDateDone(ILogger logger, string date, int count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Cycle scan: another run already advanced the watermark past {Date}")]
    private static partial void LogWatermarkRace(ILogger logger, string date);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Cycle scan watermark {Start} is more than {Days} days old; older dates are not replayed")]
    private static partial void LogCatchUpCapped(ILogger logger, string start, int days);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Cycle scan failed on pensioner {PensionerId} due {Date} ({ErrorType}); recorded as cycle exception (attempt {Attempts}), scan continues")]
    private static partial void LogException(ILogger logger, string pensionerId, string date, string errorType, int attempts);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Cycle exception of pensioner {PensionerId} resolved after {Attempts} failed run(s)")]
    private static partial void LogExceptionResolved(ILogger logger, string pensionerId, int attempts);
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
public sealed partial class OutboxDispatcher(IOutboxStore outbox, ICycleReadModel readModel, IEventPublisher publisher, TimeProvider timeProvider, ILogger<OutboxDispatcher> logger)
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
