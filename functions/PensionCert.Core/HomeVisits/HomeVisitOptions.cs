using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.HomeVisits;

/// <summary>
/// Home-visit timers, section <c>PensionCert:HomeVisits</c>. The daily sweep (<c>SweepHomeVisits</c>) escalates an
/// open visit nobody acts on and finally expires it, so no visit stays open for ever.
/// </summary>
public sealed class HomeVisitOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:HomeVisits";

    /// <summary>A Requested visit still unscheduled this many days after the request is escalated (event home-visit.escalated).</summary>
    [Range(1, 60)]
    public int ScheduleWithinDays { get; set; } = 7;

    /// <summary>A Scheduled visit still open this many days after its date is escalated.</summary>
    [Range(0, 30)]
    public int CompleteWithinDays { get; set; } = 3;

    /// <summary>
    /// An open visit is expired this many days after its request (state Expired, event home-visit.expired, the hold on
    /// suspension released); a new visit may then be requested.
    /// </summary>
    [Range(7, 365)]
    public int ExpireAfterDays { get; set; } = 60;
}
