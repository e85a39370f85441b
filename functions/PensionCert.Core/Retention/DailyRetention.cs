using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Sessions;

namespace PensionCert.Core.Retention;

/// <summary>
/// The daily retention run (timer <c>PurgeExpiredSelfies</c>, 02:30 China Standard Time, one schedule in
/// <see cref="Definitions.Schedules.PurgeExpiredSelfies"/>): selfies past their retention, orphan pending reference
/// photos (<see cref="PendingPhotoSweep"/>), and the phone page's per-day session counts of days before yesterday
/// (only today's count limits anything; yesterday's stays a day for a session opened just before midnight). Each step
/// runs even when an earlier one failed; the first failure is rethrown at the end so the run is reported failed.
/// </summary>
public sealed partial class DailyRetention(
    SelfieRetentionService selfies,
    PendingPhotoSweep pendingPhotos,
    ISessionCountStore sessionCounts,
    TimeProvider timeProvider,
    ILogger<DailyRetention> logger)
{
    /// <summary>Runs every step; returns what each did.</summary>
    public async Task<DailyRetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        int selfiesPurged = 0, sessionRows = 0;
        (int Checked, int Deleted) photos = default;
        try
        {
            selfiesPurged = await selfies.PurgeDueAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure ??= ex;
            LogStepFailed(logger, "selfies", ex.GetType().Name);
        }
        try
        {
            photos = await pendingPhotos.SweepAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure ??= ex;
            LogStepFailed(logger, "pending-photos", ex.GetType().Name);
        }
        try
        {
            var firstKeptDay = ChinaTime.Today(timeProvider).AddDays(-1);
            sessionRows = await sessionCounts.PurgeBeforeAsync(firstKeptDay, cancellationToken);
            LogSessionCountsPurged(logger, sessionRows, firstKeptDay);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure ??= ex;
            LogStepFailed(logger, "session-counts", ex.GetType().Name);
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return new DailyRetentionResult(selfiesPurged, photos.Checked, photos.Deleted, sessionRows);
    }

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Session counts: {Count} rows of days before {FirstKeptDay} deleted")]
    private static partial void LogSessionCountsPurged(ILogger logger, int count, DateOnly firstKeptDay);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "Daily retention step {Step} failed ({ErrorType}); the other steps ran, it is retried at the next run")]
    private static partial void LogStepFailed(ILogger logger, string step, string errorType);
}

/// <summary>What one daily retention run did.</summary>
/// <param name="Selfies">Selfie retention entries handled.</param>
/// <param name="PendingPhotosChecked">Pending photo uploads checked after their grace period.</param>
/// <param name="OrphanPhotosDeleted">Of those, orphan photos deleted.</param>
/// <param name="SessionCountRows">Per-day session rows of past days deleted.</param>
public sealed record DailyRetentionResult(int Selfies, int PendingPhotosChecked, int OrphanPhotosDeleted, int SessionCountRows);
