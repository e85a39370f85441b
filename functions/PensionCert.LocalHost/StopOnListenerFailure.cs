using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PensionCert.LocalHost;

/// <summary>
/// What the local host does when a WebJobs listener fails for good (e.g. the queue listener after storage has been
/// unreachable for a while). The SDK's default crashes the process from a background thread; the Functions host
/// instead restarts its job host. Here the failure is logged (exception type only) and the process exits with 75
/// (EX_TEMPFAIL) so a supervisor restarts it — <c>run.sh</c> does. Queue messages stay in the queue meanwhile.
/// With <c>PensionCert:LocalHost:ExitOnListenerFailure=false</c> (in-process test hosts) the application is stopped
/// instead of the process.
/// </summary>
public sealed partial class StopOnListenerFailure(IHostApplicationLifetime lifetime, LocalHostOptions options, ILogger<StopOnListenerFailure> logger)
    : IWebJobsExceptionHandlerFactory, IWebJobsExceptionHandler
{
    /// <summary>Exit code for "stopped because a dependency failed; retry" (sysexits.h EX_TEMPFAIL).</summary>
    public const int TemporaryFailureExitCode = 75;

    /// <inheritdoc />
    public IWebJobsExceptionHandler Create(IHost jobHost) => this;

    /// <inheritdoc />
    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod) =>
        OnUnhandledExceptionAsync(exceptionInfo);

    /// <inheritdoc />
    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
    {
        LogListenerFailed(logger, exceptionInfo.SourceException.GetType().Name);
        Environment.ExitCode = TemporaryFailureExitCode;
        // A graceful stop races the SDK's own timers (they throw "The timer has already been stopped" on a pool
        // thread), so a standalone host exits at once; nothing is lost: messages are redelivered after a restart.
        if (options.ExitOnListenerFailure)
            Environment.Exit(TemporaryFailureExitCode);
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Critical, Message = "A trigger listener failed ({ErrorType}); storage may be unreachable. Stopping the local host so it can be restarted.")]
    private static partial void LogListenerFailed(ILogger logger, string errorType);
}
