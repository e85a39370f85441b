using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>
/// The daily limit on rejected online certifications (<see cref="CertificationOptions.MaxFailedAttemptsPerDay"/>):
/// the worker records each rejection against the China date of the submission; when the limit is reached a review
/// case is opened for the pensioner's region, and further online submissions that day are refused with a problem
/// pointing to the offline channels. Offline channels (counter, community, home visit) are never limited.
/// </summary>
public sealed partial class AttemptLimiter(
    IPensionerRepository pensioners,
    Review.ReviewIntake reviewIntake,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<AttemptLimiter> logger)
{
    /// <summary>The reason code of the review case opened when the limit is reached.</summary>
    public const string ReviewReason = Review.ReviewReasons.DailyAttemptsExhausted;

    /// <summary>
    /// Refuses an online submission when <paramref name="failedToday"/> (rejections recorded for today's China date, read
    /// with the profile by <see cref="IPensionerRepository.GetWithFailedAttemptsAsync"/>) reached the limit. The
    /// problem's Retry-After is the time until midnight China Standard Time, when online attempts open again.
    /// </summary>
    /// <exception cref="ProblemException">daily-attempts-exhausted (429).</exception>
    public void EnsureAllowed(string pensionerId, CertificationChannel channel, int failedToday)
    {
        if (!channel.IsOnline() || failedToday < options.Value.MaxFailedAttemptsPerDay) return;
        LogRefused(logger, pensionerId);
        var now = timeProvider.GetUtcNow();
        var reopensAt = ChinaTime.StartOfDay(ChinaTime.ToChinaDate(now).AddDays(1));
        throw new ProblemException(ProblemTypes.DailyAttemptsExhausted) { RetryAfter = reopensAt - now };
    }

    /// <summary>True when <paramref name="failures"/> rejections on one day reach the limit (a review case is opened).</summary>
    public bool IsReached(int failures) => failures >= options.Value.MaxFailedAttemptsPerDay;

    /// <summary>
    /// The China date a rejection of <paramref name="record"/> counts against (its failed-attempt row, written with the
    /// announcement of the rejection), or null when it does not count: offline channels, and photos that could not be
    /// compared (no face, two similar faces, too dark, blurred…) ask for a retake; only comparisons that failed
    /// (mismatch, presentation attack) use up the day's budget. A replayed reference photo (NeedsReview,
    /// probe-matches-reference) counts too: its row is written with its announcement by <see cref="CertificationDecisions"/>.
    /// </summary>
    public static DateOnly? CountsOn(CertificationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return !record.Channel.IsOnline() || Reasons.AreRetakeOnly(record.ReasonCodes) ? null : ChinaTime.ToChinaDate(record.SubmittedAt);
    }

    /// <summary>
    /// After a rejection's failed-attempt row is written (see <see cref="CountsOn"/>): opens a review case once the
    /// day's limit is reached (idempotent). Nothing is left behind for an erased pensioner: a review case opened while
    /// an erasure ran is deleted again when the profile is then found gone (the erasure deletes review cases once more
    /// after the profile, so either side removes a case opened in between).
    /// </summary>
    /// <returns>False when the pensioner no longer exists (erased): the caller removes the certification.</returns>
    public async Task<bool> ReviewIfExhaustedAsync(CertificationRecord record, PensionerProfile pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pensioner);
        if (CountsOn(record) is not { } day) return true;
        var failures = await pensioners.CountFailedAttemptsAsync(record.PensionerId, day, cancellationToken);
        if (IsReached(failures))
        {
            await reviewIntake.OpenForDailyAttemptsAsync(pensioner.RegionCode, day, record.PensionerId, cancellationToken);
            if (await pensioners.GetAsync(record.PensionerId, cancellationToken) is null)
            {
                await reviewIntake.RemoveForErasedAsync(pensioner.RegionCode, record.PensionerId, cancellationToken);
                return false;
            }
            LogReviewOpened(logger, record.PensionerId, failures);
        }
        return true;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Online certification for pensioner {PensionerId} refused: daily failure limit reached")]
    private static partial void LogRefused(ILogger logger, string pensionerId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Pensioner {PensionerId} has {Failures} rejected certifications today; review case opened")]
    private static partial void LogReviewOpened(ILogger logger, string pensionerId, int failures);
}
