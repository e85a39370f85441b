using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace PensionCert.Tools;

/// <summary>
/// <c>peek-events</c>: prints the CloudEvents waiting in the local event sink (Storage queue
/// <see cref="Core.Definitions.QueueNames.Events"/>). A Storage queue can be peeked only at its first
/// <see cref="PeekLimit"/> messages, so with <c>--all</c> the rest is read by receiving each batch with a short
/// visibility timeout (the next receive then gets the next batch) and making every message visible again at once
/// after the pass: nothing is removed, but each message's dequeue count goes up by one and, for the few seconds of
/// the pass, another reader does not see it. Without <c>--all</c> only a peek is made, and when the queue holds more
/// messages than were shown a note on standard error says how many and how to see them all.
/// </summary>
public static class EventSinkViewer
{
    /// <summary>The most messages one Peek Messages request returns (a Storage queue limit).</summary>
    public const int PeekLimit = 32;

    /// <summary>How long a message stays hidden while <c>--all</c> pages through the queue (then it is made visible again).</summary>
    private static readonly TimeSpan PassVisibility = TimeSpan.FromSeconds(60);

    /// <summary>Prints the messages; returns the number printed.</summary>
    public static async Task<int> PrintAsync(QueueClient queue, int count, bool all, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (all) return await PrintAllAsync(queue, output, cancellationToken);
        var shown = (await queue.PeekMessagesAsync(Math.Clamp(count, 1, PeekLimit), cancellationToken)).Value;
        foreach (var message in shown) await output.WriteLineAsync(message.Body.ToString());
        var waiting = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        if (waiting > shown.Length)
            await error.WriteLineAsync($"peek-events: showing the first {shown.Length} of about {waiting} events (a Storage queue can be peeked only at its first {PeekLimit}); --all prints every one without removing it.");
        return shown.Length;
    }

    private static async Task<int> PrintAllAsync(QueueClient queue, TextWriter output, CancellationToken cancellationToken)
    {
        var hidden = new List<QueueMessage>();
        try
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(PeekLimit, PassVisibility, cancellationToken)).Value;
                if (batch.Length == 0) break;
                foreach (var message in batch)
                {
                    await output.WriteLineAsync(message.Body.ToString());
                    hidden.Add(message);
                }
            }
        }
        finally
        {
            // Put every message back at once (visible now); a crash here leaves them hidden for PassVisibility only.
            foreach (var message in hidden)
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
        }
        return hidden.Count;
    }
}
