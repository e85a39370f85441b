using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Review;

/// <summary>Manual review settings, section <c>PensionCert:Review</c>.</summary>
public sealed class ReviewOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Review";

    /// <summary>How long a reviewer's claim on a case lasts (default 30 minutes); after it the case is open to anyone again.</summary>
    [Range(1, 480)]
    public int ClaimMinutes { get; set; } = 30;

    /// <summary>
    /// Days after which a still-open case is reported once with the event review.case-aged (default 3), so a region's
    /// supervisors see cases nobody took; the hourly review sweep checks it.
    /// </summary>
    [Range(1, 60)]
    public int EscalateAfterDays { get; set; } = 3;

    /// <summary>
    /// Days after which a death-report case nobody decided lapses (default 30; the hourly review sweep checks it): the
    /// report is disregarded, the payment hold it placed is released with back-pay, and the annual cycle (due date,
    /// overdue, investigation) keeps guarding against 冒领. Escalation (<see cref="EscalateAfterDays"/>) comes first.
    /// </summary>
    [Range(2, 365)]
    public int DeathReportLapseDays { get; set; } = 30;

    /// <summary>How many of the pensioner's most recent certifications a case shows (default 10).</summary>
    [Range(1, 50)]
    public int RecentAttempts { get; set; } = 10;
}
