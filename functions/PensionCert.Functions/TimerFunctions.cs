using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Core.Retention;

namespace PensionCert.Functions;

/// <summary>Timer triggers (schedules from <see cref="Schedules"/>, UTC): bind and call the application.</summary>
public sealed class TimerFunctions(SelfieRetentionService selfieRetention)
{
    [Function(FunctionNames.PurgeExpiredSelfies)]
    public Task PurgeExpiredSelfies([TimerTrigger(Schedules.PurgeExpiredSelfies)] TimerInfo timer, CancellationToken cancellationToken) =>
        selfieRetention.PurgeDueAsync(cancellationToken);
}
