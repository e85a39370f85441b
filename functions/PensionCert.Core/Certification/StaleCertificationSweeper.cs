using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>What one sweep did.</summary>
/// <param name="Examined">Certifications read: dated selfies of the minutes that became stale, and watch-list entries.</param>
/// <param name="Requeued">Certifications whose verification was queued again.</param>
/// <param name="GivenUp">Certifications ended by <see cref="CertificationDecisions.GiveUpAsync"/> (Failed, or an intended decision completed).</param>
/// <param name="Cleaned">Watch-list entries of decided certifications removed, and record-less selfies deleted.</param>
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
/// <para>
/// What it reads, without a row per submission: the selfies stored in each minute that has become stale since the last
/// sweep, by their dated names (<see cref="SelfieNames"/>; one listing request per minute, one record read per
/// certification, a watermark), plus the short watch list (<see cref="IInFlightCertificationIndex"/>): certifications it
/// re-queued or found behind a backlog, which it looks at again until they are decided, and entries written by
/// submissions before selfies were named by date. A selfie with no record that old belongs to a submission that died
/// before its record: it is deleted.
/// </para>
/// </summary>
public sealed partial class StaleCertificationSweeper(
    IInFlightCertificationIndex inFlight,
    ICertificationRepository certifications,
    IPhotoStore photos,
    IVerificationQueue queue,
    CertificationDecisions decisions,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<StaleCertificationSweeper> logger)
{
    /// <summary>Most certifications handled per run, so a run stays short; the rest wait for the next run.</summary>
    public const int MaxPerRun = 2000;

    /// <summary>Certifications handled concurrently.</summary>
    public const int Parallelism = 8;

    /// <summary>Most minutes of dated selfies listed per run (one listing request each): a sweep that was down catches up over runs.</summary>
    public const int MaxMinutesPerRun = 360;

    /// <summary>How far back the first sweep (no watermark yet) lists dated selfies.</summary>
    public static readonly TimeSpan FirstSweepLookback = TimeSpan.FromDays(2);

    /// <summary>Runs one sweep.</summary>
    public async Task<SweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var staleAfter = options.Value.StaleAfter;
        // Anything queued at or after this time may still have its message waiting (a backlog); read lazily.
        Task<DateTimeOffset?>? oldestWaiting = null;
        Task<DateTimeOffset?> OldestWaiting() => oldestWaiting ??= queue.OldestWaitingSinceAsync(cancellationToken);
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<Outcome>();

        var entries = await inFlight.ListSubmittedBeforeAsync(now - staleAfter, MaxPerRun, cancellationToken);
        await Parallel.ForEachAsync(entries, Concurrently(cancellationToken), async (entry, ct) =>
            outcomes.Add(await ExamineAsync(entry.CertificationId, null, entry, now, OldestWaiting, ct)));

        // Then the dated selfies of each whole minute that became stale since the last sweep, a minute at a time.
        var until = SelfieNames.MinuteStart(now - staleAfter);
        var minute = await inFlight.GetSweptUntilAsync(cancellationToken) ?? SelfieNames.MinuteStart(now - staleAfter - FirstSweepLookback);
        var examined = entries.Count;
        for (var minutes = 0; minute < until && examined < MaxPerRun && minutes < MaxMinutesPerRun; minute = minute.AddMinutes(1), minutes++)
        {
            var names = new List<string>();
            await foreach (var name in photos.ListNamesAsync(PhotoContainer.Selfies, SelfieNames.MinutePrefix(minute), cancellationToken)) names.Add(name);
            await Parallel.ForEachAsync(names, Concurrently(cancellationToken), async (name, ct) =>
                outcomes.Add(await ExamineAsync(SelfieNames.CertificationIdOf(name), name, null, now, OldestWaiting, ct)));
            examined += names.Count;
        }
        if (minute > until) minute = until;
        await inFlight.SetSweptUntilAsync(minute, cancellationToken);

        int Count(Outcome outcome) => outcomes.Count(o => o == outcome);
        var report = new SweepReport(examined, Count(Outcome.Requeued), Count(Outcome.GivenUp), Count(Outcome.Cleaned), Count(Outcome.Waiting));
        LogSwept(logger, report.Examined, report.Requeued, report.GivenUp, report.Cleaned, report.Waiting);
        return report;
    }

    private static ParallelOptions Concurrently(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    /// <summary>
    /// Looks at one certification found by its dated selfie (<paramref name="selfieBlobName"/>) or its watch-list
    /// <paramref name="entry"/>; returns what it did (for the <see cref="SweepReport"/>).
    /// </summary>
    private async Task<Outcome> ExamineAsync(string certificationId, string? selfieBlobName, InFlightCertification? entry, DateTimeOffset now,
        Func<Task<DateTimeOffset?>> oldestWaiting, CancellationToken ct)
    {
        var staleAfter = options.Value.StaleAfter;
        var record = await certifications.GetAsync(certificationId, ct);
        if (record is null || record.Status.IsDecided())
        {
            // Decided (for an entry: a crash came between the decision and the entry's removal), erased, or never written
            // (the submission died before its record): nothing to watch; a record-less selfie goes too.
            if (record is null) await decisions.GiveUpAsync(certificationId, 0, Reasons.ProcessingInterrupted, ct, selfieBlobName);
            if (entry is not null) await inFlight.RemoveAsync(entry, ct);
            return entry is not null || record is null ? Outcome.Cleaned : Outcome.None;
        }
        var queuedAt = record.RequeuedAt ?? record.SubmittedAt;
        if (now - queuedAt < staleAfter)
        {
            // Found by its selfie's minute but queued again since (or clocks apart): the watch list looks again.
            if (entry is null) await inFlight.AddAsync(new InFlightCertification(queuedAt, certificationId), ct);
            return Outcome.None;
        }
        if (await oldestWaiting() is { } oldest && oldest <= queuedAt)
        {
            // Behind a backlog: its message may still be waiting. Watched until it is decided or stale with no backlog.
            if (entry is null) await inFlight.AddAsync(new InFlightCertification(queuedAt, certificationId), ct);
            return Outcome.Waiting;
        }
        if (record.RequeuedAt is null)
        {
            // Watched first, queued second, marked third: a crash in between only queues it once more at the next sweep.
            if (entry is null) await inFlight.AddAsync(new InFlightCertification(now, certificationId), ct);
            await queue.EnqueueAsync(new VerificationMessage(record.CertificationId, SelfieBlobName: record.SelfieBlobName), ct);
            try
            {
                await certifications.UpdateAsync(record with { RequeuedAt = now }, ct);
            }
            catch (ConcurrencyConflictException)
            {
                // A worker took it meanwhile (or it was erased): the next sweep looks again.
            }
            LogRequeued(logger, record.CertificationId, record.Status);
            return Outcome.Requeued;
        }
        await decisions.GiveUpAsync(record.CertificationId, record.Attempts, Reasons.ProcessingInterrupted, ct, record.SelfieBlobName);
        return Outcome.GivenUp;
    }

    /// <summary>What <see cref="ExamineAsync"/> did with one certification.</summary>
    private enum Outcome { None, Requeued, GivenUp, Cleaned, Waiting }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Certification {CertificationId} stale in {Status} with no message waiting; verification queued again")]
    private static partial void LogRequeued(ILogger logger, string certificationId, CertificationStatus status);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Stale sweep: {Examined} examined, {Requeued} re-queued, {GivenUp} given up, {Cleaned} cleaned, {Waiting} waiting behind a backlog")]
    private static partial void LogSwept(ILogger logger, int examined, int requeued, int givenUp, int cleaned, int waiting);
}
