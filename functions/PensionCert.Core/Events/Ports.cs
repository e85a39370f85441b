namespace PensionCert.Core.Events;

/// <summary>Publishes events to subscribers (Service Bus topic, or the local Storage-queue sink).</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes one event; the event id is the message id (Service Bus duplicate detection drops a re-publish
    /// after a crash between publish and marking the outbox row sent).
    /// </summary>
    Task PublishAsync(CycleEvent cycleEvent, CancellationToken cancellationToken);
}
