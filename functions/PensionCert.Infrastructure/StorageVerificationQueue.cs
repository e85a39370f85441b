using System.Text.Json;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Sends verification messages as JSON (<c>{"certificationId":"c…","traceparent":"00-…"}</c>: the current span's W3C
/// trace context travels with the message, so the worker's span continues the submission's trace), Base64-encoded by the queue client
/// (<see cref="StorageClients.QueueMessageEncodingSetting"/>), which is what both hosts' queue triggers decode.
/// </summary>
public sealed class StorageVerificationQueue(StorageClients clients) : IVerificationQueue
{
    /// <summary>The JSON options of the message contract (camelCase), shared with the triggers.</summary>
    public static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public Task EnqueueAsync(VerificationMessage message, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.VerificationQueue.SendMessageAsync(
            Serialize(message.TraceParent is null ? message with { TraceParent = Core.Telemetry.PensionCertTelemetry.CurrentTraceParent } : message), cancellationToken));

    /// <inheritdoc />
    public Task<DateTimeOffset?> OldestWaitingSinceAsync(CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var peeked = (await clients.VerificationQueue.PeekMessagesAsync(1, cancellationToken)).Value;
            return peeked.Length == 0 ? null : peeked[0].InsertedOn;
        });

    /// <summary>The message body as sent (before transport encoding).</summary>
    public static string Serialize(VerificationMessage message) => JsonSerializer.Serialize(message, MessageJson);

    /// <summary>Parses a message body, or null when it is not a verification message (garbage is dropped, not retried).</summary>
    public static VerificationMessage? TryDeserialize(string body)
    {
        try
        {
            return Deserialize(body);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Parses a message body.</summary>
    /// <exception cref="FormatException">The body is not a verification message.</exception>
    public static VerificationMessage Deserialize(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<VerificationMessage>(body, MessageJson);
            if (message is null || !Ids.IsCertificationId(message.CertificationId))
                throw new FormatException("The queue message has no valid certificationId.");
            return message;
        }
        catch (JsonException ex)
        {
            throw new FormatException("The queue message is not JSON.", ex);
        }
    }
}
