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
    /// Days after which a still-open case is reported with the event review.case-aged (default 3), and again every
    /// further this many days while it stays open (the event counts the reports in <c>escalationCount</c>), so a
    /// region's supervisors keep seeing a case nobody took; the hourly review sweep checks it.
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

    /// <summary>
    /// Days after which an unclaimed transfer-report case nobody decided lapses (default 30; the hourly review sweep
    /// checks it): the report is disregarded, the transfer is not applied and payment goes on as before; the lapse is
    /// announced (review.case-lapsed) and audited. A case whose claim expired counts as unclaimed.
    /// </summary>
    [Range(2, 365)]
    public int TransferReportLapseDays { get; set; } = 30;

    /// <summary>
    /// Days after which an unclaimed reference-change case nobody decided lapses (default 30; the hourly review sweep
    /// checks it): the current reference stays, the proposed photo stays pending beside the history as a rejected one
    /// does (until erasure), and a new re-enrolment is accepted again; announced (review.case-lapsed) and audited.
    /// </summary>
    [Range(2, 365)]
    public int ReferenceChangeLapseDays { get; set; } = 30;

    /// <summary>
    /// Days after which an unclaimed investigation-certified case nobody decided lapses (default 30; the hourly review
    /// sweep checks it): the year is not restarted and a suspended payment does not resume (the paper document was
    /// never confirmed by a second admin), the investigation or suspension goes on as after a rejection, and a new
    /// document can be recorded again; announced (review.case-lapsed) and audited.
    /// </summary>
    [Range(2, 365)]
    public int InvestigationCertifiedLapseDays { get; set; } = 30;

    /// <summary>
    /// How long an unclaimed open case of <paramref name="reason"/> may wait before the sweep lets it lapse, for the
    /// four-eyes requests that lapse without a payment hold to release (transfer-report, reference-change,
    /// investigation-certified); null for
    /// every other reason (death reports lapse by <see cref="DeathReportLapseDays"/> with their hold's release).
    /// </summary>
    public TimeSpan? RequestLapseAfter(string reason) => reason switch
    {
        ReviewReasons.TransferReport => TimeSpan.FromDays(TransferReportLapseDays),
        ReviewReasons.ReferenceChange => TimeSpan.FromDays(ReferenceChangeLapseDays),
        ReviewReasons.InvestigationCertified => TimeSpan.FromDays(InvestigationCertifiedLapseDays),
        _ => null,
    };

    /// <summary>How many of the pensioner's most recent certifications a case shows (default 10).</summary>
    [Range(1, 50)]
    public int RecentAttempts { get; set; } = 10;
}
