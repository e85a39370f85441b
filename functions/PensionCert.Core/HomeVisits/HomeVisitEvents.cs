namespace PensionCert.Core.HomeVisits;

/// <summary>CloudEvents types of home-visit changes (one per change; data: pensioner id, region, visit id, state, date, staff, reason).</summary>
public static class HomeVisitEvents
{
    public const string Requested = "home-visit.requested";
    public const string Scheduled = "home-visit.scheduled";
    public const string Completed = "home-visit.completed";
    public const string Cancelled = "home-visit.cancelled";
    public const string Unsuccessful = "home-visit.unsuccessful";
    public const string Escalated = "home-visit.escalated";
    public const string Expired = "home-visit.expired";

    /// <summary>Every type.</summary>
    public static IReadOnlyList<string> All { get; } = [Requested, Scheduled, Completed, Cancelled, Unsuccessful, Escalated, Expired];
}
