using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Storage;

namespace PensionCert.Core.HomeVisits;

/// <summary>What one sweep did.</summary>
public sealed record HomeVisitSweepResult(int Open, int Escalated, int Expired, int Cancelled, int Failed);

/// <summary>
/// The daily way out for open home visits (timer <c>SweepHomeVisits</c>, and <c>run-cycle</c>): for every Requested or
/// Scheduled visit it re-records the current change on the pensioner (repairing a hold or event lost to a crash),
/// cancels visits of pensioners since recorded deceased or transferred, escalates a visit not scheduled within
/// <see cref="HomeVisitOptions.ScheduleWithinDays"/> of the request or not done within
/// <see cref="HomeVisitOptions.CompleteWithinDays"/> of its date (event <c>home-visit.escalated</c>, once per schedule),
/// and expires a visit still open <see cref="HomeVisitOptions.ExpireAfterDays"/> after its request (the hold is
/// released and a new visit may be requested). A visit that fails is logged and retried by the next run.
/// </summary>
public sealed partial class HomeVisitSweep(
    IHomeVisitStore visits,
    IPensionerRepository pensioners,
    HomeVisitService service,
    IOptions<HomeVisitOptions> options,
    TimeProvider timeProvider,
    ILogger<HomeVisitSweep> logger)
{
    /// <summary>Runs the sweep once, as of now.</summary>
    public async Task<HomeVisitSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        int open = 0, escalated = 0, expired = 0, cancelled = 0, failed = 0;
        await foreach (var visitId in visits.ListOpenIdsAsync(cancellationToken))
        {
            open++;
            try
            {
                // Read one by one: a visit that cannot be read (e.g. encrypted under a retired key) is counted and logged, and the sweep moves on.
                if (await visits.GetAsync(visitId, cancellationToken) is not { IsOpen: true } visit) continue;
                switch (await SweepOneAsync(visit, cancellationToken))
                {
                    case HomeVisitEvents.Escalated: escalated++; break;
                    case HomeVisitEvents.Expired: expired++; break;
                    case HomeVisitEvents.Cancelled: cancelled++; break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                LogFailed(logger, visitId, ex.GetType().Name);
            }
        }
        LogSwept(logger, open, escalated, expired, cancelled, failed);
        return new HomeVisitSweepResult(open, escalated, expired, cancelled, failed);
    }

    private async Task<string?> SweepOneAsync(HomeVisit visit, CancellationToken cancellationToken)
    {
        var o = options.Value;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var today = ChinaTime.ToChinaDate(now);
            var profile = await pensioners.GetAsync(visit.PensionerId, cancellationToken);
            if (profile is null) return null; // erased: the erasure removes the visit
            var requestedOn = ChinaTime.ToChinaDate(visit.RequestedAt);
            HomeVisitChange change;
            if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred)
                change = visit.Cancel(CancelReasons.PensionerInactive, "system", now);
            else if (today > requestedOn.AddDays(o.ExpireAfterDays))
                change = visit.Expire(now);
            else if (visit.State == HomeVisitState.Requested && today > requestedOn.AddDays(o.ScheduleWithinDays)
                     || visit.State == HomeVisitState.Scheduled && visit.ScheduledOn is { } on && today > on.AddDays(o.CompleteWithinDays))
                change = visit.Escalate(now);
            else
                change = HomeVisitChange.Unchanged(visit);
            var next = change.Visit ?? visit;
            if (!change.Changed)
            {
                await service.AnnounceAsync(next, cancellationToken);
                return null;
            }
            try
            {
                next = await visits.UpdateAsync(next, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                visit = await visits.GetAsync(visit.VisitId, cancellationToken) ?? visit;
                if (!visit.IsOpen) return null;
                continue;
            }
            await service.AnnounceAsync(next, cancellationToken);
            LogSweptOne(logger, next.VisitId, next.LastEvent);
            return next.LastEvent;
        }
        return null;
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Home-visit sweep: {Open} open, {Escalated} escalated, {Expired} expired, {Cancelled} cancelled, {Failed} failed")]
    private static partial void LogSwept(ILogger logger, int open, int escalated, int expired, int cancelled, int failed);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Home visit {VisitId}: {Change} by the sweep")]
    private static partial void LogSweptOne(ILogger logger, string visitId, string change);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Home-visit sweep could not handle visit {VisitId} ({ErrorType}); retried next run")]
    private static partial void LogFailed(ILogger logger, string visitId, string errorType);
}
