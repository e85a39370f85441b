using PensionCert.Core.HomeVisits;

namespace PensionCert.Core.Cycle;

public sealed partial class CycleService
{
    /// <summary>
    /// Records a home-visit change on the pensioner: the visit's hold on suspension (open while the visit is Requested
    /// or Scheduled, released when it closes) and the change's event (<paramref name="eventType"/>, id from the visit id
    /// and version, so the same change is announced once however often it is recorded) in one transaction. Safe to
    /// call again for the same version (a retried call, or the sweep's repair). The event carries ids, state, date and
    /// staff only: never the address, phone or the reason for the visit.
    /// </summary>
    public Task<CycleCommandResult> RecordHomeVisitAsync(HomeVisit visit, string eventType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visit);
        return ChangeAsync(visit.PensionerId, (p, policy, now, today) =>
        {
            var hasHold = p.OpenHolds.Contains(visit.Hold);
            var holds = visit.IsOpen == hasHold ? p.OpenHolds
                : visit.IsOpen ? [.. p.OpenHolds, visit.Hold] : p.OpenHolds.Where(h => h != visit.Hold).ToArray();
            // A deceased or transferred pensioner holds nothing any more; the change is still announced.
            if (p.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) holds = p.OpenHolds;
            var updated = p with { OpenHolds = holds };
            return Decision.Apply(updated,
            [
                (eventType, $"{visit.VisitId}/{visit.Version}", Data(updated, StateOf(updated, policy, today), today) with
                {
                    HomeVisitId = visit.VisitId,
                    VisitState = visit.State.ToString(),
                    ScheduledOn = visit.ScheduledOn,
                    AssignedStaff = visit.AssignedStaff,
                    CertificationId = visit.CertificationId,
                    Reason = visit.OutcomeReason,
                }),
            ]);
        }, cancellationToken);
    }
}
