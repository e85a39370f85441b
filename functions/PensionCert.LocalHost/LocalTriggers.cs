using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using PensionCert.Core.Certification;
using PensionCert.Core.Definitions;
using PensionCert.Core.Retention;
using PensionCert.Infrastructure;

namespace PensionCert.LocalHost;

/// <summary>
/// The queue and timer triggers of the Functions app, run by the WebJobs SDK with the same names, queues and
/// schedules (constants from <see cref="FunctionNames"/>, <see cref="QueueNames"/>, <see cref="Schedules"/>).
/// Like the Functions classes, they only bind and call the application.
/// </summary>
public sealed class LocalTriggers(CertificationProcessor processor, SelfieRetentionService selfieRetention)
{
    [FunctionName(FunctionNames.VerifyCertification)]
    public Task VerifyCertification([QueueTrigger(QueueNames.Verification)] QueueMessage message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(StorageVerificationQueue.Deserialize(message.Body.ToString()), new QueueDelivery(message.DequeueCount, message.InsertedOn), cancellationToken);

    [FunctionName(FunctionNames.PurgeExpiredSelfies)]
    public Task PurgeExpiredSelfies([TimerTrigger(Schedules.PurgeExpiredSelfies)] TimerInfo timer, CancellationToken cancellationToken) =>
        selfieRetention.PurgeDueAsync(cancellationToken);
}
