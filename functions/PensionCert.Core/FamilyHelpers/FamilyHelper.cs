using PensionCert.Core.Errors;

namespace PensionCert.Core.FamilyHelpers;

/// <summary>Where a family helper binding is: Pending until an operator approves it; Active; Revoked (final).</summary>
public enum FamilyHelperState
{
    /// <summary>Asked for (by the helper's app or an operator); may not submit yet.</summary>
    Pending,

    /// <summary>Approved by an operator of the pensioner's region: the helper's app may submit the pensioner's selfie.</summary>
    Active,

    /// <summary>Revoked by an operator (or refused before approval): submissions are refused.</summary>
    Revoked,
}

/// <summary>The helper's relationship to the pensioner (wire names).</summary>
public static class HelperRelationships
{
    /// <summary>Every relationship accepted.</summary>
    public static IReadOnlyList<string> All { get; } = ["spouse", "child", "child-in-law", "grandchild", "sibling", "guardian"];
}

/// <summary>
/// A family member bound to a pensioner for family-assisted certification (亲情认证): the helper's app submits the
/// pensioner's selfie, recorded as assisted with the helper's id; the same liveness and 1:1 rules apply. The helper's
/// name and phone are personal data (encrypted at rest, never logged).
/// </summary>
public sealed record FamilyHelper
{
    /// <summary>Opaque id: <c>h</c> + 32 hex digits.</summary>
    public required string HelperId { get; init; }
    public required string PensionerId { get; init; }
    public required string RegionCode { get; init; }
    public required FamilyHelperState State { get; init; }
    /// <summary>Personal data (encrypted at rest).</summary>
    public required string Name { get; init; }
    /// <summary>Personal data (encrypted at rest).</summary>
    public required string Phone { get; init; }
    /// <summary>One of <see cref="HelperRelationships"/>.</summary>
    public required string Relationship { get; init; }
    /// <summary>The client app's name or the operator's <c>sub</c>.</summary>
    public required string RequestedBy { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public string? ApprovedBy { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public string? RevokedBy { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public string? ETag { get; init; }

    /// <summary>Pending → Active by an operator; approving an Active binding again changes nothing.</summary>
    public FamilyHelperChange Approve(string by, DateTimeOffset now) => State switch
    {
        FamilyHelperState.Active => new(this, null, false),
        FamilyHelperState.Pending => new(this with { State = FamilyHelperState.Active, ApprovedBy = by, ApprovedAt = now }, null, true),
        _ => new(null, ProblemTypes.FamilyHelperStateConflict, false),
    };

    /// <summary>Pending or Active → Revoked; revoking again changes nothing.</summary>
    public FamilyHelperChange Revoke(string by, DateTimeOffset now) => State == FamilyHelperState.Revoked
        ? new(this, null, false)
        : new(this with { State = FamilyHelperState.Revoked, RevokedBy = by, RevokedAt = now }, null, true);

    /// <summary>The problem that refuses a submission by this helper, or null when it may submit.</summary>
    public ProblemType? SubmissionRefusal => State switch
    {
        FamilyHelperState.Active => null,
        FamilyHelperState.Pending => ProblemTypes.FamilyHelperNotApproved,
        _ => ProblemTypes.FamilyHelperRevoked,
    };
}

/// <summary>A binding after a transition, or the problem refusing it.</summary>
public sealed record FamilyHelperChange(FamilyHelper? Helper, ProblemType? Problem, bool Changed)
{
    /// <exception cref="ProblemException">The refusal.</exception>
    public FamilyHelper OrThrow() => Helper ?? throw new ProblemException(Problem!);
}

/// <summary>Helper ids: <c>h</c> + 32 lower-case hex digits.</summary>
public static class FamilyHelperIds
{
    public static string New() => "h" + Guid.NewGuid().ToString("N");

    public static bool IsWellFormed(string? id) =>
        id is { Length: 33 } && id[0] == 'h' && !id.AsSpan(1).ContainsAnyExcept("0123456789abcdef");
}
