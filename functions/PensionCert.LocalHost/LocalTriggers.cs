using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Definitions;
using PensionCert.Core.Retention;
using PensionCert.Infrastructure;

namespace PensionCert.LocalHost;

/// <summary>
/// The queue and timer triggers of the Functions app, run by the WebJobs SDK with the same names, queues and
/// schedules (constants from <see cref="FunctionNames"/>, <see cref="QueueNames"/>, <see cref="Schedules"/>).
/// Like the Functions classes, they only bind and call the application, each within host.json
/// <c>functionTimeout</c> (<see cref="FunctionTimeout"/>), as the Functions host runs them.
/// </summary>
public sealed class LocalTriggers(CertificationProcessor processor, StaleCertificationSweeper sweeper, DailyRetention dailyRetention,
    CycleScanService scan, OutboxDispatcher dispatcher, IdempotencyKeyRetentionService idempotencyKeys, FunctionTimeout timeout,
    Core.Sessions.CertificationSessionService sessions, Core.Review.ReviewService review,
    Core.HomeVisits.HomeVisitSweep homeVisits, CycleScanItemProcessor cycleItems,
    Microsoft.Extensions.Options.IOptions<Microsoft.Azure.WebJobs.Host.QueuesOptions> queues)
{
    /// <summary>One work item of the daily cycle scan (a slice of a date's due index).</summary>
    [FunctionName(FunctionNames.ProcessCycleScanItem)]
    public Task ProcessCycleScanItem([QueueTrigger(QueueNames.CycleScanItems)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageCycleScanItemQueue.TryDeserialize(message.Body.ToString()) is { } item
            ? timeout.RunAsync(FunctionNames.ProcessCycleScanItem, ct => cycleItems.ProcessAsync(item, ct), cancellationToken)
            : Task.CompletedTask;

    /// <summary>Cycle work items whose every delivery failed: recorded Poisoned; the next scan run retries or skips them.</summary>
    [FunctionName(FunctionNames.RecordPoisonedCycleScanItem)]
    public Task RecordPoisonedCycleScanItem([QueueTrigger(QueueNames.CycleScanItemsPoison)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageCycleScanItemQueue.TryDeserialize(message.Body.ToString()) is { } item
            ? timeout.RunAsync(FunctionNames.RecordPoisonedCycleScanItem, ct => cycleItems.RecordPoisonedAsync(item, ct), cancellationToken)
            : Task.CompletedTask;

    /// <summary>The daily home-visit sweep: escalates and expires visits nobody completes, repairs holds and events.</summary>
    [FunctionName(FunctionNames.SweepHomeVisits)]
    public Task SweepHomeVisits([TimerTrigger(Schedules.SweepHomeVisits, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.SweepHomeVisits, homeVisits.RunAsync, cancellationToken);

    /// <summary>The hourly review sweep: aged cases escalate, decisions a crash left unfinished are finished.</summary>
    [FunctionName(FunctionNames.SweepReviewCases)]
    public Task SweepReviewCases([TimerTrigger(Schedules.SweepReviewCases, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.SweepReviewCases, review.SweepAsync, cancellationToken);

    /// <summary>Expired certification sessions and their frames.</summary>
    [FunctionName(FunctionNames.PurgeExpiredSessions)]
    public Task PurgeExpiredSessions([TimerTrigger(Schedules.PurgeExpiredSessions, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.PurgeExpiredSessions, sessions.PurgeExpiredAsync, cancellationToken);

    /// <summary>The daily cycle scan. RunOnStartup is false as in the Functions app; a missed run is caught up from the watermark.</summary>
    [FunctionName(FunctionNames.ScanCertificationCycle)]
    public Task ScanCertificationCycle([TimerTrigger(Schedules.CycleScan, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.ScanCertificationCycle, scan.RunAsync, cancellationToken);

    /// <summary>The outbox dispatcher.</summary>
    [FunctionName(FunctionNames.DispatchCycleEvents)]
    public Task DispatchCycleEvents([TimerTrigger(Schedules.DispatchEvents, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.DispatchCycleEvents, dispatcher.DispatchAsync, cancellationToken);

    [FunctionName(FunctionNames.VerifyCertification)]
    public Task VerifyCertification([QueueTrigger(QueueNames.Verification)] QueueMessage message, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.VerifyCertification, ct => processor.ProcessAsync(StorageVerificationQueue.Deserialize(message.Body.ToString()),
            new QueueDelivery(message.DequeueCount, message.InsertedOn), ct), cancellationToken);

    /// <summary>Verification messages whose every delivery failed: the certification is given up (Failed), never left Processing.</summary>
    [FunctionName(FunctionNames.RecordPoisonedVerification)]
    public Task RecordPoisonedVerification([QueueTrigger(QueueNames.VerificationPoison)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageVerificationQueue.TryDeserialize(message.Body.ToString()) is { } verification
            ? timeout.RunAsync(FunctionNames.RecordPoisonedVerification, ct => processor.RecordPoisonedAsync(verification, queues.Value.MaxDequeueCount, ct), cancellationToken)
            : Task.CompletedTask;

    /// <summary>Certifications whose verification work was lost are queued again once, then given up.</summary>
    [FunctionName(FunctionNames.SweepStaleCertifications)]
    public Task SweepStaleCertifications([TimerTrigger(Schedules.SweepStaleCertifications, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.SweepStaleCertifications, sweeper.SweepAsync, cancellationToken);

    [FunctionName(FunctionNames.PurgeExpiredSelfies)]
    public Task PurgeExpiredSelfies([TimerTrigger(Schedules.PurgeExpiredSelfies)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.PurgeExpiredSelfies, dailyRetention.RunAsync, cancellationToken);

    /// <summary>The daily purge of expired idempotency keys.</summary>
    [FunctionName(FunctionNames.PurgeExpiredIdempotencyKeys)]
    public Task PurgeExpiredIdempotencyKeys([TimerTrigger(Schedules.PurgeExpiredIdempotencyKeys, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.PurgeExpiredIdempotencyKeys, idempotencyKeys.PurgeExpiredAsync, cancellationToken);
}
