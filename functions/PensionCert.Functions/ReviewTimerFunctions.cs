using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Core.Review;

namespace PensionCert.Functions;

/// <summary>The review sweep's timer: binds the schedule (UTC, <see cref="Schedules.SweepReviewCases"/>) and calls <see cref="ReviewService.SweepAsync"/>.</summary>
public sealed class ReviewTimerFunctions(ReviewService review)
{
    [Function(FunctionNames.SweepReviewCases)]
    public Task SweepReviewCases([TimerTrigger(Schedules.SweepReviewCases, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        review.SweepAsync(cancellationToken);
}
