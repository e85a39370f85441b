using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
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
}

/// <summary>
/// Deletes selfies a configurable number of days after their decision: the verification worker schedules each
/// decided selfie in <see cref="ISelfieRetentionIndex"/>, and a daily timer purges the due ones. Idempotent: a run
/// that fires twice or is retried deletes nothing twice and misses nothing (entries are removed only after the blob).
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

    /// <summary>Schedules deletion of a certification's selfie; returns the China date it is due.</summary>
    public async Task<DateOnly> ScheduleAsync(string certificationId, DateTimeOffset decidedAt, CancellationToken cancellationToken)
    {
        var deleteOn = ChinaTime.ToChinaDate(decidedAt).AddDays(options.Value.SelfieRetentionDays);
        await index.ScheduleAsync(deleteOn, certificationId, cancellationToken);
        return deleteOn;
    }

    /// <summary>Deletes every selfie due today (China date) or earlier; returns how many entries were handled.</summary>
    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(timeProvider);
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
                await photos.DeleteAsync(PhotoContainer.Selfies, record?.SelfieBlobName ?? Ids.StagingIdOf(entry.CertificationId), cancellationToken);
                if (record is not null && record.SelfieDeletedAt is null)
                {
                    try
                    {
                        await certifications.UpdateAsync(record with { SelfieDeletedAt = timeProvider.GetUtcNow() }, cancellationToken);
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // The blob is gone; the marker is informational and the next run does not need it.
                    }
                }
            }
            await index.RemoveAsync(due, cancellationToken);
            total += due.Count;
            if (due.Count < PageSize) break;
        }
        LogPurged(logger, total, today);
        return total;
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Selfie retention: {Count} selfies due on or before {Today} deleted")]
    private static partial void LogPurged(ILogger logger, int count, DateOnly today);
}
