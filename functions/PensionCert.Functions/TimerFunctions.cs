using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Cycle;
using PensionCert.Core.Definitions;

namespace PensionCert.Functions;

/// <summary>
/// Timer triggers of the annual cycle: bind the schedule and call the application. Schedules are UTC
/// (<see cref="Schedules"/>); RunOnStartup stays false (a restart must not fire the scan); a missed run is caught up
/// by the scan's watermark, not by the timer's past-due flag.
/// </summary>
public sealed class TimerFunctions(CycleScanService scan, OutboxDispatcher dispatcher)
{
    [Function(FunctionNames.ScanCertificationCycle)]
    public Task ScanCertificationCycle([TimerTrigger(Schedules.CycleScan, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        scan.RunAsync(cancellationToken);

    [Function(FunctionNames.DispatchCycleEvents)]
    public Task DispatchCycleEvents([TimerTrigger(Schedules.DispatchEvents, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(cancellationToken);
}
