using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>What one sweep did.</summary>
/// <param name="Examined">In-flight entries older than <see cref="CertificationOptions.StaleAfter"/> read.</param>
/// <param name="Requeued">Certifications whose verification was queued again.</param>
/// <param name="GivenUp">Certifications ended by <see cref="CertificationDecisions.GiveUpAsync"/> (Failed, or an intended decision completed).</param>
/// <param name="Cleaned">Entries of decided or record-less certifications removed.</param>
/// <param name="Waiting">Stale certifications left alone because older messages still wait in the queue (a backlog, not lost work).</param>
public sealed record SweepReport(int Examined, int Requeued, int GivenUp, int Cleaned, int Waiting);

/// <summary>
/// The stale-certification sweep (timer <see cref="Definitions.Schedules.SweepStaleCertifications"/>): a certification
/// still Pending or Processing <see cref="CertificationOptions.StaleAfter"/> after it was queued, with no older message
/// waiting in the verification queue, has lost its verification work (a host killed while no retry was left, a poison
/// message never handled, a message removed by hand). The first time, its verification is queued again (processing is
/// idempotent); if it is stale again <see cref="CertificationOptions.StaleAfter"/> after that, it is given up: an
/// intended decision is completed, otherwise the record becomes Failed (<c>processing-interrupted</c>). So every
/// accepted certification is decided within about twice <see cref="CertificationOptions.StaleAfter"/> plus one sweep
/// interval, whatever died when. A backlog (older messages waiting) is never mistaken for lost work.
/// </summary>
public sealed partial class StaleCertificationSweeper(
    IInFlightCertificationIndex inFlight,
    ICertificationRepository certifications,
    IVerificationQueue queue,
    CertificationDecisions decisions,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<StaleCertificationSweeper> logger)
{
    /// <summary>Most entries handled per run, so a run stays short; the rest wait for the next run.</summary>
    public const int MaxPerRun = 2000;

    /// <summary>Certifications handled concurrently.</summary>
    public const int Parallelism = 8;

    /// <summary>Runs one sweep.</summary>
    public async Task<SweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var staleAfter = options.Value.StaleAfter;
        var entries = await inFlight.ListSubmittedBeforeAsync(now - staleAfter, MaxPerRun, cancellationToken);
        if (entries.Count == 0) return new SweepReport(0, 0, 0, 0, 0);
        // Anything queued at or after this time may still have its message waiting (a backlog).
        var oldestWaiting = await queue.OldestWaitingSinceAsync(cancellationToken);
        int requeued = 0, givenUp = 0, cleaned = 0, waiting = 0;
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var record = await certifications.GetAsync(entry.CertificationId, ct);
            if (record is null || record.Status.IsDecided())
            {
                // Decided (a crash came between the decision and this entry's removal), erased, or never written (the
                // submission died before its record): nothing to watch; a record-less selfie goes too.
                if (record is null) await decisions.GiveUpAsync(entry.CertificationId, 0, Reasons.ProcessingInterrupted, ct);
                await inFlight.RemoveAsync(entry, ct);
                Interlocked.Increment(ref cleaned);
                return;
            }
            var queuedAt = record.RequeuedAt ?? record.SubmittedAt;
            if (now - queuedAt < staleAfter) return;
            if (oldestWaiting is { } oldest && oldest <= queuedAt)
            {
                Interlocked.Increment(ref waiting);
                return;
            }
            if (record.RequeuedAt is null)
            {
                // Queued first, marked second: a crash in between only queues it once more at the next sweep.
                await queue.EnqueueAsync(new VerificationMessage(record.CertificationId), ct);
                try
                {
                    await certifications.UpdateAsync(record with { RequeuedAt = now }, ct);
                }
                catch (ConcurrencyConflictException)
                {
                    // A worker took it meanwhile (or it was erased): the next sweep looks again.
                }
                LogRequeued(logger, record.CertificationId, record.Status);
                Interlocked.Increment(ref requeued);
                return;
            }
            await decisions.GiveUpAsync(record.CertificationId, record.Attempts, Reasons.ProcessingInterrupted, ct);
            Interlocked.Increment(ref givenUp);
        });
        var report = new SweepReport(entries.Count, requeued, givenUp, cleaned, waiting);
        LogSwept(logger, report.Examined, report.Requeued, report.GivenUp, report.Cleaned, report.Waiting);
        return report;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Certification {CertificationId} stale in {Status} with no message waiting; verification queued again")]
    private static partial void LogRequeued(ILogger logger, string certificationId, CertificationStatus status);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Stale sweep: {Examined} examined, {Requeued} re-queued, {GivenUp} given up, {Cleaned} cleaned, {Waiting} waiting behind a backlog")]
    private static partial void LogSwept(ILogger logger, int examined, int requeued, int givenUp, int cleaned, int waiting);
}
