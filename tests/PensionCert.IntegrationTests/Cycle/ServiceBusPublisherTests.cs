using Azure.Messaging.ServiceBus;
using PensionCert.Core.Events;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>The Service Bus publisher with the SDK's mockable sender (no network).</summary>
public sealed class ServiceBusPublisherTests
{
    /// <summary>ServiceBusSender's virtual methods make it a test double without a mocking library.</summary>
    private sealed class RecordingSender : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    private static CycleEvent Event() => new(
        EventIds.For("p" + new string('1', 32), EventTypes.CertificationOverdue, "2025-03-15"),
        EventTypes.CertificationOverdue,
        new DateTimeOffset(2025, 3, 15, 17, 0, 0, TimeSpan.Zero),
        0,
        new CycleEventData { PensionerId = "p" + new string('1', 32), RegionCode = "440305", State = "Overdue", EffectiveOn = new DateOnly(2025, 3, 16), ValidUntil = new DateOnly(2025, 3, 15), PreferredChannel = "wechat" });

    [Fact]
    public async Task PublishAsync_Event_SendsCloudEventWithEventIdAsMessageId()
    {
        var sender = new RecordingSender();
        await new ServiceBusEventPublisher(sender).PublishAsync(Event(), CancellationToken.None);

        var message = Assert.Single(sender.Sent);
        Assert.Equal(Event().Id, message.MessageId);
        Assert.Equal("application/cloudevents+json; charset=utf-8", message.ContentType);
        Assert.Equal("certification.overdue", message.Subject);
        Assert.Equal("certification.overdue", message.ApplicationProperties["cloudEvents:type"]);
        Assert.Equal("440305", message.ApplicationProperties["regionCode"]);
        var back = CloudEventJson.Deserialize(message.Body.ToString());
        Assert.Equal(Event().Id, back.Id);
        Assert.Equal(new DateOnly(2025, 3, 16), back.Data.EffectiveOn);
    }

    [Fact]
    public void ToMessage_AsReceived_RoundTripsThroughModelFactory()
    {
        var sent = ServiceBusEventPublisher.ToMessage(Event());
        // What a subscriber receives: the SDK's model factory builds the received message without a broker.
        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: sent.Body, messageId: sent.MessageId, contentType: sent.ContentType, subject: sent.Subject,
            properties: sent.ApplicationProperties);
        var parsed = CloudEventJson.Deserialize(received.Body.ToString());
        Assert.Equal(EventTypes.CertificationOverdue, parsed.Type);
        Assert.Equal("p" + new string('1', 32), parsed.Data.PensionerId);
        Assert.Equal(received.MessageId, parsed.Id);
        Assert.DoesNotContain("idNumber", received.Body.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
