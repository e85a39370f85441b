using Microsoft.Extensions.Logging;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>
/// The sweep's ways out for cases nobody decides: operator requests that lapse (transfer reports, reference changes)
/// and the repeated escalation of every case that stays open.
/// </summary>
public sealed partial class ReviewService
{
    /// <summary>What <see cref="LapseRequestIfDueAsync"/> did.</summary>
    private enum RequestLapse
    {
        /// <summary>Not a lapsing request, not old enough, or claimed: nothing changed.</summary>
        NotDue,

        /// <summary>The case lapsed and its effects are recorded.</summary>
        Lapsed,

        /// <summary>Someone claimed or decided the case between the read and the write: left to the next sweep.</summary>
        Conflict,
    }

    /// <summary>
    /// Lets an open transfer-report, reference-change or investigation-certified case lapse when it is older than its configured days
    /// (<see cref="ReviewOptions.RequestLapseAfter"/>) and nobody holds an unexpired claim on it (a reviewer who walked
    /// away leaves a claim that expires after <see cref="ReviewOptions.ClaimMinutes"/>; the first sweep after that takes
    /// the case): state expired, decided by <c>system</c>. Nothing the request asked for is applied (the transfer is not
    /// recorded, the proposed reference is not adopted and stays a pending photo like a rejected one, the year is not
    /// restarted on a document no second admin confirmed); the lapse is
    /// announced (review.case-lapsed) and audited by <see cref="ReviewEffects"/>. The case write is ETag-conditional, so a
    /// reviewer claiming or deciding at the same moment wins.
    /// </summary>
    private async Task<RequestLapse> LapseRequestIfDueAsync(ReviewCase reviewCase, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (reviewCase.State != ReviewCaseState.Open || options.Value.RequestLapseAfter(reviewCase.Reason) is not { } lapseAfter
            || reviewCase.AgeAt(now) < lapseAfter || reviewCase.ActiveClaimant(now) is not null)
            return RequestLapse.NotDue;
        ReviewCase lapsed;
        try
        {
            lapsed = await cases.UpdateAsync(reviewCase.Lapse(now), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return RequestLapse.Conflict;
        }
        await FinishAsync(lapsed, cancellationToken);
        LogRequestLapsed(logger, reviewCase.CaseId, reviewCase.Reason);
        return RequestLapse.Lapsed;
    }

    /// <summary>
    /// Reports an open case with review.case-aged when it is <paramref name="every"/> old and again every
    /// <paramref name="every"/> after its last report, so a forgotten case (a certification review holding suspension,
    /// a four-eyes request) keeps showing up for the region's supervisors; the event carries the count. The event is
    /// written first (exactly once per count, by its id), then the case's marker; a marker lost to a concurrent claim or
    /// decision is written by the next sweep, which finds the event already out.
    /// </summary>
    /// <returns>True when the case was reported.</returns>
    private async Task<bool> EscalateIfDueAsync(ReviewCase reviewCase, DateTimeOffset now, TimeSpan every, CancellationToken cancellationToken)
    {
        if (!reviewCase.EscalationDue(now, every)) return false;
        await effects.AnnounceAgedAsync(reviewCase, cancellationToken);
        try
        {
            await cases.UpdateAsync(reviewCase.Escalate(now), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Claimed or decided meanwhile; the event is out, the marker waits for the next sweep.
        }
        LogAged(logger, reviewCase.CaseId, reviewCase.Reason, reviewCase.Escalations + 1);
        return true;
    }

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Review case {CaseId} ({Reason}) is older than the escalation age: review.case-aged emitted (report {Escalation})")]
    private static partial void LogAged(ILogger logger, string caseId, string reason, int escalation);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Warning, Message = "Review case {CaseId} ({Reason}) was not decided in time and lapsed: nothing it asked for is applied")]
    private static partial void LogRequestLapsed(ILogger logger, string caseId, string reason);
}
