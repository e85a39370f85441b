using PensionCert.Core.Identity;

namespace PensionCert.Core.Operators;

/// <summary>What an operator may do. Wire names (the JWT <c>role</c> claim) are <c>clerk</c>, <c>reviewer</c>, <c>admin</c> and <c>integration</c>.</summary>
public enum OperatorRole
{
    /// <summary>Counter clerk (经办员): enrols pensioners and sees their profiles with the ID number masked.</summary>
    Clerk,

    /// <summary>Reviewer (复核员): decides cases sent to review; sees profiles with the ID number masked.</summary>
    Reviewer,

    /// <summary>Administrator: everything a clerk and reviewer may do, may see the full ID number and erase a pensioner.</summary>
    Admin,

    /// <summary>
    /// A machine identity (数据比对接口): the agencies' system integration that posts evidence batches (proof of life and
    /// death records) and nothing else. Never a person: the console's sign-in refuses it; a credential of this role is
    /// issued by operations to the integration (client credentials of the identity provider, or <c>mint-token --role
    /// integration</c> locally).
    /// </summary>
    Integration,
}

/// <summary>Parses and prints <see cref="OperatorRole"/> wire names.</summary>
public static class OperatorRoles
{
    /// <summary>Wire name of <see cref="OperatorRole.Clerk"/>.</summary>
    public const string Clerk = "clerk";

    /// <summary>Wire name of <see cref="OperatorRole.Reviewer"/>.</summary>
    public const string Reviewer = "reviewer";

    /// <summary>Wire name of <see cref="OperatorRole.Admin"/>.</summary>
    public const string Admin = "admin";

    /// <summary>Wire name of <see cref="OperatorRole.Integration"/>.</summary>
    public const string Integration = "integration";

    /// <summary>Parses a wire name (exact, lower-case).</summary>
    public static bool TryParse(string? value, out OperatorRole role)
    {
        (var ok, role) = value switch
        {
            Clerk => (true, OperatorRole.Clerk),
            Reviewer => (true, OperatorRole.Reviewer),
            Admin => (true, OperatorRole.Admin),
            Integration => (true, OperatorRole.Integration),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>The wire name of a role.</summary>
    public static string ToWireName(this OperatorRole role) => role switch
    {
        OperatorRole.Clerk => Clerk,
        OperatorRole.Reviewer => Reviewer,
        OperatorRole.Admin => Admin,
        OperatorRole.Integration => Integration,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}

/// <summary>
/// An authenticated operator: the subject of a validated bearer token (an opaque staff id, never a pensioner's
/// data), one role, and the GB/T 2260 region codes the operator serves.
/// </summary>
/// <remarks>
/// Region codes follow the GB/T 2260 hierarchy: a code ending in <c>0000</c> (province level, e.g. <c>110000</c>)
/// serves every code of that province; a code ending in <c>00</c> (prefecture level, e.g. <c>440300</c>) serves
/// every county-level code of that prefecture; any other code serves exactly itself.
/// </remarks>
public sealed record OperatorPrincipal
{
    /// <summary>Creates a principal; <paramref name="regions"/> must be valid six-digit codes.</summary>
    /// <exception cref="ArgumentException">A region code is not a valid GB/T 2260 code.</exception>
    public OperatorPrincipal(string subject, OperatorRole role, IEnumerable<string> regions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        Subject = subject;
        Role = role;
        Regions = regions.Select(r => AdministrativeRegionCode.TryParse(r, out var code)
            ? code.Value
            : throw new ArgumentException("Region claims must be six-digit GB/T 2260 codes.", nameof(regions))).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The token's <c>sub</c>: an opaque operator id (staff account), recorded in the audit table.</summary>
    public string Subject { get; }

    /// <summary>The operator's role.</summary>
    public OperatorRole Role { get; }

    /// <summary>Six-digit region codes served (see remarks for province and prefecture codes).</summary>
    public IReadOnlyList<string> Regions { get; }

    /// <summary>True when <paramref name="regionCode"/> (six digits) lies within one of <see cref="Regions"/>.</summary>
    public bool Serves(string? regionCode)
    {
        if (!AdministrativeRegionCode.TryParse(regionCode, out var code)) return false;
        var value = code.Value;
        foreach (var served in Regions)
        {
            if (served.EndsWith("0000", StringComparison.Ordinal) ? value.AsSpan(0, 2).SequenceEqual(served.AsSpan(0, 2))
                : served.EndsWith("00", StringComparison.Ordinal) ? value.AsSpan(0, 4).SequenceEqual(served.AsSpan(0, 4))
                : value == served)
                return true;
        }
        return false;
    }

    /// <summary>True when the role may see the full ID number (admin only).</summary>
    public bool MaySeeFullIdNumber => Role == OperatorRole.Admin;
}
