using Microsoft.Extensions.Logging;

namespace PensionCert.LocalHost;

/// <summary>
/// host.json <c>functionTimeout</c> for the local host's queue and timer triggers, as the Functions host enforces it:
/// when an execution runs longer, its cancellation token is cancelled and the execution counts as failed at once
/// (<see cref="TimeoutException"/>), even if the work ignores the token. For a queue trigger that is a failed
/// delivery like any other: the message becomes visible again and, after <c>maxDequeueCount</c> deliveries, goes to
/// the poison queue, whose handler records the certification as Failed. The abandoned work is left to finish or fail
/// on its own; every write it could still make is ETag-conditional.
/// </summary>
public sealed partial class FunctionTimeout(TimeSpan? limit, ILogger<FunctionTimeout> logger)
{
    /// <summary>The limit, or null when host.json sets none (-1).</summary>
    public TimeSpan? Limit => limit;

    /// <summary>Runs <paramref name="work"/> of <paramref name="functionName"/> within the limit.</summary>
    /// <exception cref="TimeoutException">The execution ran past the limit.</exception>
    public async Task RunAsync(string functionName, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (limit is not { } timeout)
        {
            await work(cancellationToken);
            return;
        }
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var execution = work(timeoutSource.Token);
        try
        {
            await execution.WaitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Observe the abandoned execution's outcome so it never surfaces as an unobserved task exception.
            _ = execution.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            LogTimedOut(logger, functionName, timeout);
            throw new TimeoutException($"{functionName} ran longer than functionTimeout {timeout}.");
        }
    }

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "{FunctionName} ran longer than functionTimeout {Timeout}; the execution is cancelled and counts as failed")]
    private static partial void LogTimedOut(ILogger logger, string functionName, TimeSpan timeout);
}
