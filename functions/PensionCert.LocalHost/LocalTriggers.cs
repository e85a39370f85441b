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
/// Like the Functions classes, they only bind and call the application.
/// </summary>
public sealed class LocalTriggers(CertificationProcessor processor, SelfieRetentionService selfieRetention, CycleScanService scan, OutboxDispatcher dispatcher,
    IdempotencyKeyRetentionService idempotencyKeys, Core.HomeVisits.HomeVisitSweep homeVisits)
{
    /// <summary>The daily home-visit sweep: escalates and expires visits nobody completes, repairs holds and events.</summary>
    [FunctionName(FunctionNames.SweepHomeVisits)]
    public Task SweepHomeVisits([TimerTrigger(Schedules.SweepHomeVisits, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        homeVisits.RunAsync(cancellationToken);

    /// <summary>The daily cycle scan. RunOnStartup is false as in the Functions app; a missed run is caught up from the watermark.</summary>
    [FunctionName(FunctionNames.ScanCertificationCycle)]
    public Task ScanCertificationCycle([TimerTrigger(Schedules.CycleScan, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        scan.RunAsync(cancellationToken);

    /// <summary>The outbox dispatcher.</summary>
    [FunctionName(FunctionNames.DispatchCycleEvents)]
    public Task DispatchCycleEvents([TimerTrigger(Schedules.DispatchEvents, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(cancellationToken);

    [FunctionName(FunctionNames.VerifyCertification)]
    public Task VerifyCertification([QueueTrigger(QueueNames.Verification)] QueueMessage message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(StorageVerificationQueue.Deserialize(message.Body.ToString()), new QueueDelivery(message.DequeueCount, message.InsertedOn), cancellationToken);

    [FunctionName(FunctionNames.PurgeExpiredSelfies)]
    public Task PurgeExpiredSelfies([TimerTrigger(Schedules.PurgeExpiredSelfies)] TimerInfo timer, CancellationToken cancellationToken) =>
        selfieRetention.PurgeDueAsync(cancellationToken);

    /// <summary>The daily purge of expired idempotency keys.</summary>
    [FunctionName(FunctionNames.PurgeExpiredIdempotencyKeys)]
    public Task PurgeExpiredIdempotencyKeys([TimerTrigger(Schedules.PurgeExpiredIdempotencyKeys, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        idempotencyKeys.PurgeExpiredAsync(cancellationToken);
}
