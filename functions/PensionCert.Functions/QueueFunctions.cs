using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Certification;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure;

namespace PensionCert.Functions;

/// <summary>Queue triggers: decode the message and hand it to the application.</summary>
public sealed class QueueFunctions(CertificationProcessor processor, Core.Cycle.CycleScanItemProcessor cycleItems)
{
    /// <summary>One work item of the daily cycle scan (a slice of a date's due index); instances scale out on this queue.</summary>
    [Function(FunctionNames.ProcessCycleScanItem)]
    public Task ProcessCycleScanItem(
        [QueueTrigger(QueueNames.CycleScanItems, Connection = StorageOptions.DataConnectionSettingName)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageCycleScanItemQueue.TryDeserialize(message.Body.ToString()) is { } item
            ? cycleItems.ProcessAsync(item, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Cycle work items whose every delivery failed: recorded Poisoned in the ledger; the next scan run retries or skips them.</summary>
    [Function(FunctionNames.RecordPoisonedCycleScanItem)]
    public Task RecordPoisonedCycleScanItem(
        [QueueTrigger(QueueNames.CycleScanItemsPoison, Connection = StorageOptions.DataConnectionSettingName)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageCycleScanItemQueue.TryDeserialize(message.Body.ToString()) is { } item
            ? cycleItems.RecordPoisonedAsync(item, cancellationToken)
            : Task.CompletedTask;

    [Function(FunctionNames.VerifyCertification)]
    public Task VerifyCertification(
        [QueueTrigger(QueueNames.Verification, Connection = StorageOptions.DataConnectionSettingName)] QueueMessage message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(StorageVerificationQueue.Deserialize(message.Body.ToString()), new QueueDelivery(message.DequeueCount, message.InsertedOn), cancellationToken);

    /// <summary>Verification messages whose every delivery failed: the certification is given up (Failed), never left Processing.</summary>
    [Function(FunctionNames.RecordPoisonedVerification)]
    public Task RecordPoisonedVerification(
        [QueueTrigger(QueueNames.VerificationPoison, Connection = StorageOptions.DataConnectionSettingName)] QueueMessage message, CancellationToken cancellationToken) =>
        StorageVerificationQueue.TryDeserialize(message.Body.ToString()) is { } verification
            ? processor.RecordPoisonedAsync(verification, CertificationOptions.MaxDequeueCount, cancellationToken)
            : Task.CompletedTask;
}
