using System.Globalization;
using System.Text.RegularExpressions;
using PensionCert.Core.Errors;

namespace PensionCert.Core.HomeVisits;

/// <summary>A home-visit request as received (unvalidated strings).</summary>
/// <param name="PensionerId">Pensioner id (operators, and clients that know it); or <paramref name="IdNumber"/>.</param>
/// <param name="IdNumber">Citizen ID number (clients).</param>
/// <param name="Reason">bedridden, disabled or very-old.</param>
/// <param name="ContactPhone">Mobile or landline (personal data).</param>
/// <param name="Address">Where to visit (personal data).</param>
/// <param name="PreferredDates">1-5 China dates, yyyy-MM-dd.</param>
public sealed record RequestHomeVisitCommand(string? PensionerId, string? IdNumber, string? Reason, string? ContactPhone, string? Address, IReadOnlyList<string>? PreferredDates);

/// <summary>Field rules of home-visit requests and changes; each refusal is a problem with its own code.</summary>
public static partial class HomeVisitValidation
{
    /// <summary>How far ahead a preferred date may lie.</summary>
    public const int MaxPreferredDaysAhead = 60;

    /// <summary>How far ahead a visit may be scheduled.</summary>
    public const int MaxScheduleDaysAhead = 90;

    /// <exception cref="ProblemException">invalid-visit-reason.</exception>
    public static string RequireReason(string? raw)
    {
        var value = raw?.Trim().ToLowerInvariant() ?? "";
        return HomeVisitReasons.All.Contains(value) ? value : throw new ProblemException(ProblemTypes.InvalidVisitReason);
    }

    /// <summary>An 11-digit mainland mobile number, or a landline of digits with optional '-' (7-20 characters).</summary>
    /// <exception cref="ProblemException">invalid-contact-phone.</exception>
    public static string RequirePhone(string? raw)
    {
        var value = (raw ?? "").Trim().Replace(" ", "", StringComparison.Ordinal);
        if (value.StartsWith("+86", StringComparison.Ordinal)) value = value[3..];
        return Mobile().IsMatch(value) || Landline().IsMatch(value) ? value : throw new ProblemException(ProblemTypes.InvalidContactPhone);
    }

    /// <exception cref="ProblemException">invalid-address.</exception>
    public static string RequireAddress(string? raw)
    {
        var value = raw?.Trim() ?? "";
        if (value.Length is < 5 or > 200 || value.Any(char.IsControl)) throw new ProblemException(ProblemTypes.InvalidAddress);
        return value;
    }

    /// <summary>1-5 distinct dates from tomorrow to <see cref="MaxPreferredDaysAhead"/> days ahead, returned ascending.</summary>
    /// <exception cref="ProblemException">invalid-preferred-dates.</exception>
    public static IReadOnlyList<DateOnly> RequirePreferredDates(IReadOnlyList<string>? raw, DateOnly today)
    {
        if (raw is null || raw.Count is 0 or > 5) throw new ProblemException(ProblemTypes.InvalidPreferredDates);
        var dates = new SortedSet<DateOnly>();
        foreach (var text in raw)
        {
            if (!DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                || d <= today || d > today.AddDays(MaxPreferredDaysAhead) || !dates.Add(d))
                throw new ProblemException(ProblemTypes.InvalidPreferredDates);
        }
        return dates.ToArray();
    }

    /// <summary>A visit date from today to <see cref="MaxScheduleDaysAhead"/> days ahead.</summary>
    /// <exception cref="ProblemException">invalid-visit-date.</exception>
    public static DateOnly RequireVisitDate(string? raw, DateOnly today)
    {
        if (!DateOnly.TryParseExact(raw?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            || d < today || d > today.AddDays(MaxScheduleDaysAhead))
            throw new ProblemException(ProblemTypes.InvalidVisitDate);
        return d;
    }

    /// <summary>A staff (operator) id: 1-64 letters, digits, '-', '_' or '.'.</summary>
    /// <exception cref="ProblemException">invalid-staff-id.</exception>
    public static string RequireStaff(string? raw)
    {
        var value = raw?.Trim() ?? "";
        return StaffId().IsMatch(value) ? value : throw new ProblemException(ProblemTypes.InvalidStaffId);
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$", RegexOptions.CultureInvariant)]
    private static partial Regex Mobile();

    [GeneratedRegex("^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Landline();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex StaffId();
}
