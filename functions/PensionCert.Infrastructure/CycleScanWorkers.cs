using PensionCert.Core.Cycle;

namespace PensionCert.Infrastructure;

/// <summary>What <see cref="CycleScanWorkers.DrainAsync"/> did.</summary>
/// <param name="Items">Item messages this process worked to the end (including ones that were already done).</param>
/// <param name="Worked">Items it actually worked (Pending before).</param>
/// <param name="Processed">Pensioners processed.</param>
/// <param name="Failed">Pensioners recorded as cycle exceptions.</param>
/// <param name="Effects">Effects recorded.</param>
/// <param name="Poisoned">Item messages given up after <see cref="CycleScanWorkers.MaxDequeueCount"/> deliveries (recorded Poisoned).</param>
public sealed record CycleScanDrainReport(int Items, int Worked, int Processed, int Failed, int Effects, int Poisoned);

/// <summary>
/// Works the cycle work-item queue inside this process with N concurrent workers until it is empty: what the queue
/// trigger does on the hosts, for the <c>run-cycle</c> and <c>bench-scan</c> tools and the cycle tests, which run the
/// services without a host. A failed delivery becomes visible again after a second, and after
/// <see cref="MaxDequeueCount"/> deliveries the item is recorded Poisoned, as the hosts' poison trigger does.
/// </summary>
public sealed class CycleScanWorkers(StorageClients clients, CycleScanItemProcessor processor)
{
    /// <summary>Deliveries before an item is given up (host.json <c>extensions.queues.maxDequeueCount</c>).</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>Works item messages with <paramref name="workers"/> concurrent workers until the queue holds none.</summary>
    public async Task<CycleScanDrainReport> DrainAsync(int workers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        int items = 0, worked = 0, processed = 0, failed = 0, effects = 0, poisoned = 0;
        var queue = clients.CycleScanItemsQueue;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (true)
            {
                var received = (await StorageErrors.Guard(() => queue.ReceiveMessageAsync(TimeSpan.FromMinutes(5), cancellationToken))).Value;
                if (received is null)
                {
                    // Empty for this worker: done once no message is left at all (invisible ones count: another worker holds them).
                    var waiting = (await StorageErrors.Guard(() => queue.GetPropertiesAsync(cancellationToken))).Value.ApproximateMessagesCount;
                    if (waiting == 0) return;
                    await Task.Delay(100, cancellationToken);
                    continue;
                }
                var message = StorageCycleScanItemQueue.TryDeserialize(received.Body.ToString());
                try
                {
                    if (message is not null)
                    {
                        var result = await processor.ProcessAsync(message, cancellationToken);
                        if (result.Worked) Interlocked.Increment(ref worked);
                        Interlocked.Add(ref processed, result.Processed);
                        Interlocked.Add(ref failed, result.Failed);
                        Interlocked.Add(ref effects, result.Effects);
                    }
                    Interlocked.Increment(ref items);
                    await StorageErrors.Guard(() => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, cancellationToken));
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested && received.DequeueCount >= MaxDequeueCount && message is not null)
                {
                    await processor.RecordPoisonedAsync(message, cancellationToken);
                    Interlocked.Increment(ref poisoned);
                    await StorageErrors.Guard(() => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, cancellationToken));
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // The delivery failed: visible again in a second, as the queue trigger's visibility timeout does.
                    await StorageErrors.Guard(() => queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(1), cancellationToken: cancellationToken));
                }
            }
        }));
        return new CycleScanDrainReport(items, worked, processed, failed, effects, poisoned);
    }
}
