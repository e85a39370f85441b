using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>
/// What reviewers do: claim a case (a lease that expires), release it, decide it. Each action reads the case, runs
/// the transition of <see cref="ReviewCase"/> and writes it back ETag-conditionally, so of two reviewers acting at once
/// one wins and the other gets 409. A decision is written first (the one point that decides who won), then its
/// effects are recorded by <see cref="ReviewEffects"/> (idempotently); a crash in between is finished by the hourly
/// sweep (<see cref="SweepAsync"/>), which also reports cases open longer than the configured days.
/// </summary>
public sealed partial class ReviewService(
    IReviewCaseStore cases,
    IPensionerRepository pensioners,
    ReviewEffects effects,
    IOptions<ReviewOptions> options,
    IOptions<Enrollment.IdPhotoEnrollmentOptions> idPhotoOptions,
    TimeProvider timeProvider,
    ILogger<ReviewService> logger)
{
    /// <summary>Claims (or renews the claim on) an open case.</summary>
    /// <exception cref="ProblemException">review-case-not-found, region-not-served, review-case-closed, review-case-claimed, review-conflict-of-interest.</exception>
    public async Task<ReviewCase> ClaimAsync(OperatorPrincipal reviewer, string caseId, CancellationToken cancellationToken)
    {
        var reviewCase = await RequireAsync(reviewer, caseId, cancellationToken);
        var excluded = await ExcludedAsync(reviewCase, cancellationToken);
        var claimed = reviewCase.Claim(reviewer, excluded, timeProvider.GetUtcNow(), TimeSpan.FromMinutes(options.Value.ClaimMinutes));
        try
        {
            return await cases.UpdateAsync(claimed, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Someone else claimed or decided it between our read and write.
            throw new ProblemException(ProblemTypes.ReviewCaseClaimed);
        }
    }

    /// <summary>Releases the caller's claim.</summary>
    /// <exception cref="ProblemException">review-case-not-found, region-not-served, review-case-closed, review-claim-required.</exception>
    public async Task<ReviewCase> ReleaseAsync(OperatorPrincipal reviewer, string caseId, CancellationToken cancellationToken)
    {
        var reviewCase = await RequireAsync(reviewer, caseId, cancellationToken);
        try
        {
            return await cases.UpdateAsync(reviewCase.Release(reviewer, timeProvider.GetUtcNow()), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            throw new ProblemException(ProblemTypes.ReviewClaimRequired);
        }
    }

    /// <summary>
    /// Decides a case the caller holds the claim on, then records the decision's effects. A repeat of the same decision
    /// by the same reviewer (a retried request) answers the case as decided and finishes its effects.
    /// </summary>
    /// <exception cref="ProblemException">review-case-not-found, region-not-served, review-case-closed, review-claim-required, review-conflict-of-interest, invalid-review-decision, review-pensioner-deceased.</exception>
    public async Task<ReviewCase> DecideAsync(OperatorPrincipal reviewer, string caseId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var reviewCase = await RequireAsync(reviewer, caseId, cancellationToken);
        if (reviewCase.State != ReviewCaseState.Open && reviewCase.DecidedBy == reviewer.Subject && reviewCase.State == decision.Outcome)
            return await FinishAsync(reviewCase, cancellationToken);
        var profile = await pensioners.GetAsync(reviewCase.PensionerId, cancellationToken);
        var decided = reviewCase.Decide(reviewer, Excluded(profile), decision, timeProvider.GetUtcNow());
        // A live face (or a document) of a pensioner recorded dead meanwhile is not approved into "certified" beside a
        // Deceased standing: the reviewer is told, and rejects it or sends it to a home visit; a wrong death record has
        // its own four-eyes reversal.
        if (decided.State == ReviewCaseState.Approved && reviewCase.Reason is ReviewReasons.CertificationNeedsReview or ReviewReasons.InvestigationCertified
            && profile?.Standing == Cycle.PensionerStanding.Deceased)
            throw new ProblemException(ProblemTypes.ReviewPensionerDeceased);
        try
        {
            decided = await cases.UpdateAsync(decided, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another reviewer decided (or claimed) it between our read and write: theirs stands.
            var now = await cases.GetAsync(caseId, cancellationToken);
            throw new ProblemException(now is { State: not ReviewCaseState.Open } ? ProblemTypes.ReviewCaseClosed : ProblemTypes.ReviewClaimRequired);
        }
        LogDecided(logger, caseId, decided.Reason, decided.State);
        return await FinishAsync(decided, cancellationToken);
    }

    /// <summary>
    /// The hourly sweep: finishes the effects of decided cases a crash left unrecorded, reports every case open longer
    /// than <see cref="ReviewOptions.EscalateAfterDays"/> with review.case-aged (and again every further that many days
    /// while it stays open), lets an unclaimed death-report case older than <see cref="ReviewOptions.DeathReportLapseDays"/>
    /// lapse (its hold released, counted as finished), lets an unclaimed id-photo-enrollment case older than
    /// <see cref="Enrollment.IdPhotoEnrollmentOptions.LapseDays"/> lapse (nothing enrolled, counted as finished), lets
    /// unclaimed transfer-report, reference-change and investigation-certified cases lapse after their days (<see cref="LapseRequestIfDueAsync"/>)
    /// and repairs the payment hold of open death-report cases.
    /// A claim whose lease ran out is no claim: the lapse takes the case at the first sweep after the claim expired.
    /// Returns (finished, escalated).
    /// </summary>
    public async Task<(int Finished, int Escalated)> SweepAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var escalateAfter = TimeSpan.FromDays(options.Value.EscalateAfterDays);
        var lapseAfter = TimeSpan.FromDays(options.Value.DeathReportLapseDays);
        int finished = 0, escalated = 0, open = 0;
        var oldest = TimeSpan.Zero;
        await foreach (var reviewCase in cases.ListUnfinishedAsync(cancellationToken))
        {
            if (reviewCase.State == ReviewCaseState.Open)
            {
                open++;
                if (reviewCase.AgeAt(now) > oldest) oldest = reviewCase.AgeAt(now);
            }
            try
            {
                if (reviewCase.State != ReviewCaseState.Open)
                {
                    await FinishAsync(reviewCase, cancellationToken);
                    finished++;
                }
                else if (reviewCase.Reason == ReviewReasons.DeathReport && reviewCase.AgeAt(now) >= lapseAfter && reviewCase.ActiveClaimant(now) is null)
                {
                    // The way out of a death report nobody decided: it lapses and its payment hold is released.
                    ReviewCase lapsed;
                    try
                    {
                        lapsed = await cases.UpdateAsync(reviewCase.Lapse(now), cancellationToken);
                    }
                    catch (ConcurrencyConflictException)
                    {
                        continue; // claimed or decided meanwhile: next sweep
                    }
                    await FinishAsync(lapsed, cancellationToken);
                    finished++;
                    LogLapsed(logger, reviewCase.CaseId);
                    continue;
                }
                else if (await TryLapseIdPhotoEnrollmentAsync(reviewCase, now, cancellationToken))
                {
                    finished++;
                    continue;
                }
                else
                {
                    await effects.EnsureDeathReportHoldAsync(reviewCase, cancellationToken);
                }
                switch (await LapseRequestIfDueAsync(reviewCase, now, cancellationToken))
                {
                    case RequestLapse.Lapsed:
                        finished++;
                        continue;
                    case RequestLapse.Conflict:
                        continue; // claimed or decided meanwhile: next sweep
                }
                if (await EscalateIfDueAsync(reviewCase, now, escalateAfter, cancellationToken)) escalated++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One case that cannot be finished (e.g. an unreadable profile) does not stop the sweep; it is retried next hour.
                LogSweepFailed(logger, reviewCase.CaseId, ex.GetType().Name);
            }
        }
        // The backlog gauges (pensioncert.review.backlog, .oldest_age) as this sweep found it: no extra storage read.
        Telemetry.PensionCertTelemetry.RecordReviewBacklog(open, oldest);
        return (finished, escalated);
    }

    /// <summary>
    /// The way out of an ID-photo enrolment nobody decided: an unclaimed open case older than
    /// <see cref="Enrollment.IdPhotoEnrollmentOptions.LapseDays"/> closes as expired (decided by <c>system</c>) and
    /// nothing is enrolled (its effects delete the proposed photo and identity data). True when it lapsed now.
    /// </summary>
    private async Task<bool> TryLapseIdPhotoEnrollmentAsync(ReviewCase reviewCase, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (reviewCase is not { Reason: ReviewReasons.IdPhotoEnrollment, State: ReviewCaseState.Open } || reviewCase.ActiveClaimant(now) is not null
            || reviewCase.AgeAt(now) < TimeSpan.FromDays(idPhotoOptions.Value.LapseDays))
            return false;
        ReviewCase lapsed;
        try
        {
            lapsed = await cases.UpdateAsync(reviewCase.Lapse(now), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return false; // claimed or decided meanwhile: next sweep
        }
        await FinishAsync(lapsed, cancellationToken);
        LogIdPhotoLapsed(logger, reviewCase.CaseId);
        return true;
    }

    private async Task<ReviewCase> FinishAsync(ReviewCase decided, CancellationToken cancellationToken)
    {
        if (decided.EffectsApplied) return decided;
        await effects.ApplyAsync(decided, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await cases.UpdateAsync(decided with { EffectsApplied = true }, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < 3)
            {
                decided = await cases.GetAsync(decided.CaseId, cancellationToken) ?? decided;
                if (decided.EffectsApplied) return decided;
            }
        }
    }

    /// <summary>Operators who may not decide the case: whoever uploaded or approved the pensioner's reference photos.</summary>
    private async Task<IReadOnlySet<string>> ExcludedAsync(ReviewCase reviewCase, CancellationToken cancellationToken)
    {
        var profile = await pensioners.GetAsync(reviewCase.PensionerId, cancellationToken);
        return (profile?.ReferenceChangedBy ?? []).ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string> Excluded(PensionerProfile? profile) => (profile?.ReferenceChangedBy ?? []).ToHashSet(StringComparer.Ordinal);

    private async Task<ReviewCase> RequireAsync(OperatorPrincipal reviewer, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        var reviewCase = await cases.GetAsync(caseId, cancellationToken) ?? throw new ProblemException(ProblemTypes.ReviewCaseNotFound);
        if (!reviewer.Serves(reviewCase.RegionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
        return reviewCase;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Review case {CaseId} ({Reason}) decided {State}")]
    private static partial void LogDecided(ILogger logger, string caseId, string reason, ReviewCaseState state);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Death-report case {CaseId} was not decided in time and lapsed: the payment hold is released with back-pay")]
    private static partial void LogLapsed(ILogger logger, string caseId);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "ID-photo enrolment case {CaseId} was not decided in time and lapsed: nothing was enrolled")]
    private static partial void LogIdPhotoLapsed(ILogger logger, string caseId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Review sweep could not finish case {CaseId} ({ErrorType}); retried at the next sweep")]
    private static partial void LogSweepFailed(ILogger logger, string caseId, string errorType);
}
