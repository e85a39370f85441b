using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Definitions;
using PensionCert.Core.Retention;

namespace PensionCert.Functions;

/// <summary>
/// Timer triggers: bind the schedule and call the application. Schedules are UTC (<see cref="Schedules"/>);
/// RunOnStartup stays false (a restart must not fire a scan); a missed cycle run is caught up by the scan's
/// watermark, not by the timer's past-due flag.
/// </summary>
public sealed class TimerFunctions(DailyRetention dailyRetention, CycleScanService scan, OutboxDispatcher dispatcher, IdempotencyKeyRetentionService idempotencyKeys,
    StaleCertificationSweeper sweeper,
    Core.HomeVisits.HomeVisitSweep homeVisits)
{
    [Function(FunctionNames.SweepStaleCertifications)]
    public Task SweepStaleCertifications([TimerTrigger(Schedules.SweepStaleCertifications, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);

    [Function(FunctionNames.SweepHomeVisits)]
    public Task SweepHomeVisits([TimerTrigger(Schedules.SweepHomeVisits, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        homeVisits.RunAsync(cancellationToken);

    [Function(FunctionNames.PurgeExpiredSelfies)]
    public Task PurgeExpiredSelfies([TimerTrigger(Schedules.PurgeExpiredSelfies, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        dailyRetention.RunAsync(cancellationToken);

    [Function(FunctionNames.ScanCertificationCycle)]
    public Task ScanCertificationCycle([TimerTrigger(Schedules.CycleScan, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        scan.RunAsync(cancellationToken);

    [Function(FunctionNames.DispatchCycleEvents)]
    public Task DispatchCycleEvents([TimerTrigger(Schedules.DispatchEvents, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(cancellationToken);

    [Function(FunctionNames.PurgeExpiredIdempotencyKeys)]
    public Task PurgeExpiredIdempotencyKeys([TimerTrigger(Schedules.PurgeExpiredIdempotencyKeys, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        idempotencyKeys.PurgeExpiredAsync(cancellationToken);
}
