using System.Text.Json;
using PensionCert.Core.Cycle;

namespace PensionCert.Infrastructure;

/// <summary>
/// Sends cycle work items as JSON (<c>{"date":"2024-01-02","plan":"…","item":3,"traceparent":"00-…"}</c>), Base64-encoded
/// by the queue client like the verification messages, which is what both hosts' queue triggers decode.
/// </summary>
public sealed class StorageCycleScanItemQueue(StorageClients clients) : ICycleScanItemQueue
{
    /// <inheritdoc />
    public Task EnqueueAsync(CycleScanItemMessage message, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.CycleScanItemsQueue.SendMessageAsync(Serialize(message), cancellationToken));

    /// <summary>The message body as sent (before transport encoding).</summary>
    public static string Serialize(CycleScanItemMessage message) => JsonSerializer.Serialize(message, StorageVerificationQueue.MessageJson);

    /// <summary>Parses a message body, or null when it is not a work item (garbage is dropped, not retried).</summary>
    public static CycleScanItemMessage? TryDeserialize(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<CycleScanItemMessage>(body, StorageVerificationQueue.MessageJson);
            if (message is null || string.IsNullOrEmpty(message.Plan) || message.Item < 0) return null;
            CycleScanItemProcessor.ParseDate(message.Date);
            return message;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }
}
