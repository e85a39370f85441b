using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Events;

namespace PensionCert.Core.Cycle;

/// <summary>What one scan run did.</summary>
/// <param name="DatesProcessed">China dates whose due-index partition this run completed, oldest first.</param>
/// <param name="PensionersVisited">Index entries read.</param>
/// <param name="EffectsApplied">Reminders, overdue notices and suspensions recorded by this run (repeats excluded).</param>
public sealed record CycleScanReport(IReadOnlyList<DateOnly> DatesProcessed, int PensionersVisited, int EffectsApplied);

/// <summary>
/// The daily scan (timer <see cref="Definitions.Schedules.CycleScan"/>, 01:00 China time). It reads only the due-date
/// index partitions of the dates it handles, so its cost grows with the pensioners due, not with the population.
/// From the stored watermark it handles every date up to today once (a run missed while the app was down is caught
/// up); a run that fires twice or overlaps another records each effect once (outbox markers), and the watermark is
/// advanced with an ETag check.
/// </summary>
public sealed partial class CycleScanService(ICycleStore store, CycleService cycle, TimeProvider timeProvider, ILogger<CycleScanService> logger)
{
    /// <summary>Pensioners processed concurrently within one date.</summary>
    public const int Parallelism = 8;

    /// <summary>Longest catch-up: dates older than this many days before today are not replayed (an alert-worthy outage).</summary>
    public const int MaxCatchUpDays = 400;

    /// <summary>Runs the scan up to today's China date.</summary>
    public async Task<CycleScanReport> RunAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(timeProvider);
        var watermark = await store.GetWatermarkAsync(cancellationToken);
        var start = watermark is null ? today : watermark.LastCompletedOn.AddDays(1);
        if (start.DayNumber < today.DayNumber - MaxCatchUpDays)
        {
            LogCatchUpCapped(logger, Date(start), MaxCatchUpDays);
            start = today.AddDays(-MaxCatchUpDays);
        }
        var dates = new List<DateOnly>();
        int visited = 0, applied = 0;
        for (var date = start; date <= today; date = date.AddDays(1))
        {
            // An overlapping run may have completed this date meanwhile: nothing left to do for it.
            if (watermark is not null && date <= watermark.LastCompletedOn) continue;
            var ids = new List<string>();
            await foreach (var id in store.ListDueAsync(date, cancellationToken)) ids.Add(id);
            visited += ids.Count;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                var n = await cycle.ProcessDueAsync(id, date, ct);
                Interlocked.Add(ref applied, n);
            });
            if (!await store.TryAdvanceWatermarkAsync(date, watermark, cancellationToken))
                LogWatermarkRace(logger, Date(date));
            watermark = await store.GetWatermarkAsync(cancellationToken);
            dates.Add(date);
            LogDateDone(logger, Date(date), ids.Count);
        }
        return new CycleScanReport(dates, visited, applied);
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Cycle scan completed {Date}: {Count} due-index entries")]
    private static partial void LogDateDone(ILogger logger, string date, int count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Cycle scan: another run already advanced the watermark past {Date}")]
    private static partial void LogWatermarkRace(ILogger logger, string date);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Cycle scan watermark {Start} is more than {Days} days old; older dates are not replayed")]
    private static partial void LogCatchUpCapped(ILogger logger, string start, int days);
}

/// <summary>What one dispatcher run did.</summary>
/// <param name="Published">Events published and marked sent.</param>
/// <param name="AlreadySent">Pointers whose row was already sent (cleaned up).</param>
/// <param name="Orphaned">Pointers whose transaction never happened (cleaned up after <see cref="OutboxDispatcher.OrphanAfter"/>).</param>
public sealed record DispatchReport(int Published, int AlreadySent, int Orphaned);

/// <summary>
/// The notification dispatcher (timer <see cref="Definitions.Schedules.DispatchEvents"/>): for each pending outbox
/// pointer, reads the outbox row from the pensioner's partition, projects it into the read models, publishes it
/// (event id = message id), marks it sent and drops the pointer. A crash anywhere leaves the pointer, so the next run
/// finishes the work: nothing is lost; a crash between publish and marking sent republishes with the same message
/// id, which Service Bus duplicate detection drops.
/// </summary>
public sealed partial class OutboxDispatcher(IOutboxStore outbox, ICycleReadModel readModel, IEventPublisher publisher, TimeProvider timeProvider, ILogger<OutboxDispatcher> logger)
{
    /// <summary>A pointer without its outbox row after this long belongs to a transaction that never happened (10 minutes).</summary>
    public static readonly TimeSpan OrphanAfter = TimeSpan.FromMinutes(10);

    /// <summary>Most events handled per run, so a run stays well inside the function timeout; the rest wait a minute.</summary>
    public const int MaxPerRun = 5000;

    /// <summary>Publishes every pending event (up to <see cref="MaxPerRun"/>), oldest first.</summary>
    public async Task<DispatchReport> DispatchAsync(CancellationToken cancellationToken)
    {
        var pointers = new List<OutboxPointer>();
        await foreach (var p in outbox.ListPendingAsync(cancellationToken))
        {
            pointers.Add(p);
            if (pointers.Count >= MaxPerRun) break;
        }
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
        return new DispatchReport(published, alreadySent, orphaned);
    }

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Event {EventId}: pensioner {PensionerId} was erased while it was dispatched; read-model rows removed")]
    private static partial void LogErasedMeanwhile(ILogger logger, string eventId, string pensionerId);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Published event {EventId} {EventType} for pensioner {PensionerId}")]
    private static partial void LogPublished(ILogger logger, string eventId, string eventType, string pensionerId);
}
