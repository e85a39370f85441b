using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;
using PensionCert.Core.Events;

namespace PensionCert.Infrastructure;

/// <summary>
/// Where events go, section <c>PensionCert:Events:ServiceBus</c>. With <see cref="ConnectionString"/> or
/// <see cref="FullyQualifiedNamespace"/> set, events are published to the Service Bus topic <see cref="TopicName"/>;
/// with neither (the local default), to the Storage queue <c>pensioncert-events</c> (the local sink).
/// In Azure prefer the namespace with a managed identity (role "Azure Service Bus Data Sender" on the topic):
/// <c>PensionCert__Events__ServiceBus__FullyQualifiedNamespace=sb-pensioncert.servicebus.windows.net</c> and, for a
/// user-assigned identity, <c>PensionCert__Events__ServiceBus__ManagedIdentityClientId</c>.
/// </summary>
public sealed class ServiceBusEventOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Events:ServiceBus";

    /// <summary>A Service Bus connection string (shared access key); use for development only.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The namespace host, e.g. <c>sb-pensioncert.servicebus.windows.net</c>, used with a managed identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The topic (create it with duplicate detection on; the event id is the MessageId). Default <c>pensioncert-events</c>.</summary>
    public string TopicName { get; set; } = Core.Definitions.ServiceBusNames.EventsTopic;

    /// <summary>True when Service Bus is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);
}

/// <summary>
/// Publishes CloudEvents 1.0 (structured mode) to a Service Bus topic: body = the CloudEvent JSON, ContentType
/// <c>application/cloudevents+json</c>, MessageId = event id (duplicate detection), Subject = event type,
/// application properties <c>cloudEvents:type</c>, <c>cloudEvents:source</c>, <c>regionCode</c> for subscription filters.
/// </summary>
public sealed class ServiceBusEventPublisher(ServiceBusSender sender) : IEventPublisher
{
    /// <summary>Builds the message for an event.</summary>
    public static ServiceBusMessage ToMessage(CycleEvent cycleEvent)
    {
        ArgumentNullException.ThrowIfNull(cycleEvent);
        var message = new ServiceBusMessage(BinaryData.FromString(CloudEventJson.Serialize(cycleEvent)))
        {
            MessageId = cycleEvent.Id,
            ContentType = CloudEventJson.ContentType,
            Subject = cycleEvent.Type,
        };
        message.ApplicationProperties["cloudEvents:specversion"] = "1.0";
        message.ApplicationProperties["cloudEvents:type"] = cycleEvent.Type;
        message.ApplicationProperties["cloudEvents:source"] = cycleEvent.Source;
        message.ApplicationProperties["regionCode"] = cycleEvent.Data.RegionCode;
        return message;
    }

    /// <inheritdoc />
    public Task PublishAsync(CycleEvent cycleEvent, CancellationToken cancellationToken) =>
        sender.SendMessageAsync(ToMessage(cycleEvent), cancellationToken);
}

/// <summary>
/// The local sink: each event's CloudEvent JSON as one plain-text message on the Storage queue <c>pensioncert-events</c>,
/// with the duplicate detection Service Bus gives the topic: an event whose id the sink already accepted is dropped.
/// Accepted ids are kept in table <c>EventSinkIds</c> (PartitionKey = the id's last two hex digits, RowKey = the id),
/// recorded after the message is sent, so a crash in between can let one duplicate through but never loses an event.
/// </summary>
public sealed class QueueEventPublisher(StorageClients clients) : IEventPublisher
{
    /// <inheritdoc />
    public Task PublishAsync(CycleEvent cycleEvent, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var partition = cycleEvent.Id.Length >= 2 ? cycleEvent.Id[^2..] : cycleEvent.Id;
            var accepted = await clients.EventSinkIds.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(partition, cycleEvent.Id, select: ["RowKey"], cancellationToken: cancellationToken);
            if (accepted.HasValue) return;
            await clients.EventSinkQueue.SendMessageAsync(CloudEventJson.Serialize(cycleEvent), timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken);
            await clients.EventSinkIds.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(partition, cycleEvent.Id) { ["Type"] = cycleEvent.Type },
                Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
        });
}

/// <summary>Creates the long-lived Service Bus client and sender (singletons, disposed with the host).</summary>
public sealed class ServiceBusClients : IAsyncDisposable
{
    /// <summary>Connects with the connection string, or with the namespace and a managed identity.</summary>
    public ServiceBusClients(IOptions<ServiceBusEventOptions> options)
    {
        var o = options.Value;
        var clientOptions = new ServiceBusClientOptions { TransportType = ServiceBusTransportType.AmqpWebSockets };
        if (!string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            Client = new ServiceBusClient(o.ConnectionString, clientOptions);
        }
        else
        {
            TokenCredential credential = string.IsNullOrWhiteSpace(o.ManagedIdentityClientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(o.ManagedIdentityClientId));
            Client = new ServiceBusClient(o.FullyQualifiedNamespace, credential, clientOptions);
        }
        Sender = Client.CreateSender(o.TopicName);
    }

    /// <summary>The client.</summary>
    public ServiceBusClient Client { get; }

    /// <summary>The topic sender.</summary>
    public ServiceBusSender Sender { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync();
        await Client.DisposeAsync();
    }
}
