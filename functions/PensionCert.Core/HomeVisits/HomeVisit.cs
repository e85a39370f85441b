using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.Storage;

namespace PensionCert.Core.HomeVisits;

/// <summary>Where a home visit is in its life. Requested and Scheduled are open (they hold suspension); the rest are final.</summary>
public enum HomeVisitState
{
    /// <summary>Asked for; nobody scheduled yet.</summary>
    Requested,

    /// <summary>A date and a member of staff are assigned.</summary>
    Scheduled,

    /// <summary>The visit took place and a certification was captured (Approved, or NeedsReview for a reviewer).</summary>
    Completed,

    /// <summary>Withdrawn before it took place.</summary>
    Cancelled,

    /// <summary>Staff went and could not certify (not at home, or found deceased: a review case, never a payment stop).</summary>
    Unsuccessful,

    /// <summary>Nobody completed it in time: closed by the daily sweep (the hold is released; a new visit may be requested).</summary>
    Expired,
}

/// <summary>Why a home visit is needed (wire names bedridden, disabled, very-old).</summary>
public static class HomeVisitReasons
{
    public const string Bedridden = "bedridden";
    public const string Disabled = "disabled";
    public const string VeryOld = "very-old";

    /// <summary>Every reason.</summary>
    public static IReadOnlyList<string> All { get; } = [Bedridden, Disabled, VeryOld];
}

/// <summary>Why a visit was cancelled (wire names).</summary>
public static class CancelReasons
{
    public const string RequestedByPensioner = "requested-by-pensioner";
    public const string CertifiedOtherwise = "certified-otherwise";
    public const string Duplicate = "duplicate";
    public const string PensionerInactive = "pensioner-inactive";
    public const string Other = "other";

    /// <summary>Reasons an operator or client may give (the sweep also uses certified-otherwise and pensioner-inactive).</summary>
    public static IReadOnlyList<string> All { get; } = [RequestedByPensioner, CertifiedOtherwise, Duplicate, PensionerInactive, Other];
}

/// <summary>Why a visit that took place could not certify (wire names).</summary>
public static class UnsuccessfulReasons
{
    public const string NotAtHome = "not-at-home";
    public const string FoundDeceased = "found-deceased";
    public const string Refused = "refused";

    /// <summary>Every reason.</summary>
    public static IReadOnlyList<string> All { get; } = [NotAtHome, FoundDeceased, Refused];
}

/// <summary>Who asked for a visit: the pensioner or a family member through a client app, or an operator.</summary>
/// <param name="Kind"><c>pensioner</c>, <c>family</c> (client apps) or <c>operator</c>.</param>
/// <param name="Id">The client app's name, or the operator's <c>sub</c>.</param>
public sealed record VisitRequester(string Kind, string Id)
{
    public const string Pensioner = "pensioner";
    public const string Family = "family";
    public const string Operator = "operator";
}

/// <summary>
/// A home visit (上门认证) for a pensioner who cannot come to a counter. The contact phone and address are personal
/// data: clear only in memory, stored encrypted, never logged or put in events. Transitions are explicit methods that
/// return a <see cref="HomeVisitChange"/>: the visit after the change, or the problem that refuses it; repeating a
/// change that is already in force returns the visit unchanged (<see cref="HomeVisitChange.Changed"/> false), so
/// retried calls are harmless.
/// </summary>
public sealed record HomeVisit
{
    /// <summary>Opaque id: <c>v</c> + the six-digit region code + 32 hex digits (see <see cref="HomeVisitIds"/>).</summary>
    public required string VisitId { get; init; }
    public required string PensionerId { get; init; }
    /// <summary>Six-digit region of the pensioner's enrollment (the visit's partition).</summary>
    public required string RegionCode { get; init; }
    public required HomeVisitState State { get; init; }
    /// <summary>One of <see cref="HomeVisitReasons"/>.</summary>
    public required string Reason { get; init; }
    /// <summary>Personal data (encrypted at rest).</summary>
    public required string ContactPhone { get; init; }
    /// <summary>Personal data (encrypted at rest).</summary>
    public required string Address { get; init; }
    /// <summary>China dates the requester prefers, ascending.</summary>
    public required IReadOnlyList<DateOnly> PreferredDates { get; init; }
    public required VisitRequester RequestedBy { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    /// <summary>Incremented by every change; event ids use it, so each change is announced exactly once.</summary>
    public int Version { get; init; } = 1;
    public DateOnly? ScheduledOn { get; init; }
    /// <summary>The member of staff assigned (an operator id).</summary>
    public string? AssignedStaff { get; init; }
    public string? ScheduledBy { get; init; }
    /// <summary>The certification captured on the visit (Completed).</summary>
    public string? CertificationId { get; init; }
    /// <summary>Reason of Cancelled or Unsuccessful (see <see cref="CancelReasons"/>, <see cref="UnsuccessfulReasons"/>).</summary>
    public string? OutcomeReason { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    /// <summary>Operator id, client name or <c>system</c> (the sweep) that closed the visit.</summary>
    public string? ClosedBy { get; init; }
    /// <summary>When the sweep escalated the visit to the region's supervisors (not scheduled, or not done on its date, in time).</summary>
    public DateTimeOffset? EscalatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The event type of the last change (<see cref="HomeVisitEvents"/>), announced with <see cref="Version"/>.</summary>
    public string LastEvent { get; init; } = HomeVisitEvents.Requested;
    /// <summary>Concurrency token from storage; null before the visit is stored.</summary>
    public string? ETag { get; init; }

    /// <summary>True while the visit is Requested or Scheduled (it holds suspension).</summary>
    public bool IsOpen => State is HomeVisitState.Requested or HomeVisitState.Scheduled;

    /// <summary>The hold this visit places on suspension while it is open.</summary>
    public string Hold => "home-visit:" + VisitId;

    /// <summary>
    /// Assigns a date and staff. From Requested, or from Scheduled (a new date or staff: rescheduling). The same date
    /// and staff again changes nothing.
    /// </summary>
    public HomeVisitChange Schedule(DateOnly on, string staff, string by, DateOnly today, DateTimeOffset now)
    {
        if (State == HomeVisitState.Scheduled && ScheduledOn == on && AssignedStaff == staff) return HomeVisitChange.Unchanged(this);
        if (!IsOpen) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        if (on < today) return HomeVisitChange.Refused(ProblemTypes.InvalidVisitDate);
        return HomeVisitChange.To(this with
        {
            State = HomeVisitState.Scheduled,
            ScheduledOn = on,
            AssignedStaff = staff,
            ScheduledBy = by,
            EscalatedAt = null,
            Version = Version + 1,
            UpdatedAt = now,
            LastEvent = HomeVisitEvents.Scheduled,
        });
    }

    /// <summary>
    /// Completes a Scheduled visit with the certification captured on it: channel home-visit, this visit's id, this
    /// pensioner, and decided Approved or NeedsReview (a reviewer then decides; the review holds suspension).
    /// </summary>
    public HomeVisitChange Complete(CertificationRecord certification, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certification);
        if (State == HomeVisitState.Completed && CertificationId == certification.CertificationId) return HomeVisitChange.Unchanged(this);
        if (State != HomeVisitState.Scheduled) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        if (certification.PensionerId != PensionerId || certification.Channel != CertificationChannel.HomeVisit || certification.HomeVisitId != VisitId)
            return HomeVisitChange.Refused(ProblemTypes.VisitCertificationMismatch);
        if (!certification.Status.IsDecided()) return HomeVisitChange.Refused(ProblemTypes.CertificationNotDecided);
        if (certification.Status is not (CertificationStatus.Approved or CertificationStatus.NeedsReview))
            return HomeVisitChange.Refused(ProblemTypes.VisitCertificationRejected);
        return HomeVisitChange.To(Close(HomeVisitState.Completed, null, by, now) with { CertificationId = certification.CertificationId });
    }

    /// <summary>Cancels an open visit (<see cref="CancelReasons"/>).</summary>
    public HomeVisitChange Cancel(string reason, string by, DateTimeOffset now)
    {
        if (State == HomeVisitState.Cancelled && OutcomeReason == reason) return HomeVisitChange.Unchanged(this);
        if (!CancelReasons.All.Contains(reason)) return HomeVisitChange.Refused(ProblemTypes.InvalidVisitOutcomeReason);
        if (!IsOpen) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        return HomeVisitChange.To(Close(HomeVisitState.Cancelled, reason, by, now));
    }

    /// <summary>
    /// Records that a Scheduled visit took place without a certification (<see cref="UnsuccessfulReasons"/>). Found
    /// deceased does not stop payment: the service opens a review case, and only the four-eyes death flow stops it.
    /// </summary>
    public HomeVisitChange MarkUnsuccessful(string reason, string by, DateTimeOffset now)
    {
        if (State == HomeVisitState.Unsuccessful && OutcomeReason == reason) return HomeVisitChange.Unchanged(this);
        if (!UnsuccessfulReasons.All.Contains(reason)) return HomeVisitChange.Refused(ProblemTypes.InvalidVisitOutcomeReason);
        if (State != HomeVisitState.Scheduled) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        return HomeVisitChange.To(Close(HomeVisitState.Unsuccessful, reason, by, now));
    }

    /// <summary>Closes an open visit that nobody completed in time (the sweep).</summary>
    public HomeVisitChange Expire(DateTimeOffset now)
    {
        if (State == HomeVisitState.Expired) return HomeVisitChange.Unchanged(this);
        if (!IsOpen) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        return HomeVisitChange.To(Close(HomeVisitState.Expired, "not-completed-in-time", "system", now));
    }

    /// <summary>Flags an open visit for the region's supervisors (once per schedule; the sweep).</summary>
    public HomeVisitChange Escalate(DateTimeOffset now)
    {
        if (!IsOpen) return HomeVisitChange.Refused(ProblemTypes.HomeVisitStateConflict);
        if (EscalatedAt is not null) return HomeVisitChange.Unchanged(this);
        return HomeVisitChange.To(this with { EscalatedAt = now, Version = Version + 1, UpdatedAt = now, LastEvent = HomeVisitEvents.Escalated });
    }

    private HomeVisit Close(HomeVisitState state, string? reason, string by, DateTimeOffset now) => this with
    {
        State = state,
        OutcomeReason = reason,
        ClosedAt = now,
        ClosedBy = by,
        Version = Version + 1,
        UpdatedAt = now,
        LastEvent = state switch
        {
            HomeVisitState.Completed => HomeVisitEvents.Completed,
            HomeVisitState.Cancelled => HomeVisitEvents.Cancelled,
            HomeVisitState.Unsuccessful => HomeVisitEvents.Unsuccessful,
            _ => HomeVisitEvents.Expired,
        },
    };
}

/// <summary>The result of a <see cref="HomeVisit"/> transition: the visit after it, or the problem that refused it.</summary>
/// <param name="Visit">The visit after the change (the unchanged visit when <see cref="Changed"/> is false); null when refused.</param>
/// <param name="Problem">Why the change was refused; null when allowed.</param>
/// <param name="Changed">False when the change was already in force (an idempotent repeat).</param>
public sealed record HomeVisitChange(HomeVisit? Visit, ProblemType? Problem, bool Changed)
{
    public static HomeVisitChange To(HomeVisit visit) => new(visit, null, true);
    public static HomeVisitChange Unchanged(HomeVisit visit) => new(visit, null, false);
    public static HomeVisitChange Refused(ProblemType problem) => new(null, problem, false);

    /// <summary>The visit, or throws the problem.</summary>
    /// <exception cref="ProblemException">The refusal.</exception>
    public HomeVisit OrThrow() => Visit ?? throw new ProblemException(Problem!);
}

/// <summary>Home visit ids: <c>v</c> + six-digit region code + 32 hex digits of a random UUID (39 characters).</summary>
public static class HomeVisitIds
{
    /// <summary>A new id for a visit in <paramref name="regionCode"/>.</summary>
    public static string New(string regionCode) => "v" + regionCode + Guid.NewGuid().ToString("N");

    /// <summary>True when <paramref name="id"/> has the shape of a visit id; <paramref name="regionCode"/> is its region.</summary>
    public static bool TryParse(string? id, out string regionCode)
    {
        regionCode = "";
        if (id is not { Length: 39 } || id[0] != 'v' || id.AsSpan(1, 6).ContainsAnyExcept("0123456789")) return false;
        if (id.AsSpan(7).ContainsAnyExcept("0123456789abcdef")) return false;
        regionCode = id.Substring(1, 6);
        return true;
    }
}
