using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Retention;

/// <summary>How long personal data is kept, section <c>PensionCert:Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Retention";

    /// <summary>
    /// Days a selfie (probe image) is kept after its decision, counted in China calendar days (default 30; PIPL:
    /// biometric data only as long as the purpose needs). Reference photos stay until the pensioner is erased.
    /// </summary>
    [Range(1, 3650)]
    public int SelfieRetentionDays { get; set; } = 30;

    /// <summary>
    /// Hours after its upload began that a pending reference photo (ID-photo enrolment, reference change) must be kept
    /// by its pending-enrolment row, review case or the profile; the daily retention run deletes it otherwise (default
    /// 24; an upload and its record take well under a minute, so anything older without a record is a crash's orphan).
    /// </summary>
    [Range(1, 720)]
    public int PendingPhotoGraceHours { get; set; } = 24;
}

/// <summary>
/// Deletes selfies a configurable number of days after their decision: the decision stores the date on the record, and a
/// daily timer lists the selfies of the days that can be due by their dated names (<see cref="SelfieNames"/>) and
/// deletes the due ones (older selfies: through <see cref="ISelfieRetentionIndex"/>). Idempotent: a run that fires
/// twice or is retried deletes nothing twice and misses nothing (a selfie or an entry goes only once it is due).
/// </summary>
public sealed partial class SelfieRetentionService(
    ISelfieRetentionIndex index,
    ICertificationRepository certifications,
    IPhotoStore photos,
    IOptions<RetentionOptions> options,
    TimeProvider timeProvider,
    ILogger<SelfieRetentionService> logger)
{
    private const int PageSize = 500;

    /// <summary>The China date a selfie decided at <paramref name="decidedAt"/> is due for deletion.</summary>
    public DateOnly DeleteOn(DateTimeOffset decidedAt) => ChinaTime.ToChinaDate(decidedAt).AddDays(options.Value.SelfieRetentionDays);

    /// <summary>
    /// Schedules deletion of a certification's selfie; returns the China date it is due. A selfie named by date
    /// (<see cref="SelfieNames"/>) needs no request: the purge lists its day. One named by the certification id alone
    /// (stored before that layout) gets its entry in <see cref="ISelfieRetentionIndex"/> as before.
    /// </summary>
    public async Task<DateOnly> ScheduleAsync(CertificationRecord record, DateTimeOffset decidedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var deleteOn = DeleteOn(decidedAt);
        if (!SelfieNames.IsDated(record.SelfieBlobName)) await index.ScheduleAsync(deleteOn, record.CertificationId, cancellationToken);
        return deleteOn;
    }

    /// <summary>
    /// Deletes every selfie due today (China date) or earlier; returns how many were deleted or dropped from the index.
    /// Dated selfies (<see cref="SelfieNames"/>): the days whose selfies can be due (stored at least the retention
    /// period ago) are listed, and each selfie goes once its record's deletion date has come, or when it has no record
    /// (erased, or a submission that died before its record); one still undecided is kept for the stale sweep to end,
    /// and one decided later than its day (a long backlog) waits for its own date. Selfies named by the certification id
    /// alone (stored before that layout) are found through <see cref="ISelfieRetentionIndex"/> as before.
    /// </summary>
    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(timeProvider);
        var total = await PurgeIndexedAsync(today, cancellationToken) + await PurgeDatedAsync(today, cancellationToken);
        LogPurged(logger, total, today);
        return total;
    }

    private async Task<int> PurgeDatedAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var lastDay = today.AddDays(-options.Value.SelfieRetentionDays);
        var total = 0;
        // Years, months, days: a few listing requests; a day left with undecided selfies is listed again next time.
        await foreach (var year in photos.ListDirectoriesAsync(PhotoContainer.Selfies, "", cancellationToken))
        await foreach (var month in photos.ListDirectoriesAsync(PhotoContainer.Selfies, year, cancellationToken))
        await foreach (var day in photos.ListDirectoriesAsync(PhotoContainer.Selfies, month, cancellationToken))
        {
            if (!SelfieNames.TryParseDay(day, out var date) || date > lastDay) continue;
            await foreach (var name in photos.ListNamesAsync(PhotoContainer.Selfies, day, cancellationToken))
            {
                var record = await certifications.GetAsync(SelfieNames.CertificationIdOf(name), cancellationToken);
                if (record is not null)
                {
                    if (!record.Status.IsDecided()) continue;
                    var deleteOn = record.SelfieDeleteOn ?? DeleteOn(record.DecidedAt ?? record.SubmittedAt);
                    if (deleteOn > today) continue;
                }
                await photos.DeleteAsync(PhotoContainer.Selfies, name, cancellationToken);
                await MarkDeletedAsync(record, cancellationToken);
                total++;
            }
        }
        return total;
    }

    private async Task<int> PurgeIndexedAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var due = await index.ListDueAsync(today, PageSize, cancellationToken);
            if (due.Count == 0) break;
            foreach (var entry in due)
            {
                var record = await certifications.GetAsync(entry.CertificationId, cancellationToken);
                // A stale entry (the record now names a later date) only goes from the index.
                if (record?.SelfieDeleteOn is { } scheduled && scheduled > today) continue;
                await photos.DeleteAsync(PhotoContainer.Selfies, record?.SelfieBlobName ?? entry.CertificationId, cancellationToken);
                await MarkDeletedAsync(record, cancellationToken);
            }
            await index.RemoveAsync(due, cancellationToken);
            total += due.Count;
            if (due.Count < PageSize) break;
        }
        return total;
    }

    /// <summary>Notes on the record when its selfie was deleted (informational: nothing depends on it).</summary>
    private async Task MarkDeletedAsync(CertificationRecord? record, CancellationToken cancellationToken)
    {
        if (record is null || record.SelfieDeletedAt is not null) return;
        try
        {
            await certifications.UpdateAsync(record with { SelfieDeletedAt = timeProvider.GetUtcNow() }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The blob is gone; the marker is informational and the next run does not need it.
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Selfie retention: {Count} selfies due on or before {Today} deleted")]
    private static partial void LogPurged(ILogger logger, int count, DateOnly today);
}
