using Microsoft.Extensions.Options;

namespace PensionCert.Core.Cycle;

/// <summary>How a region computes the last valid day of a certification.</summary>
public enum CycleWindow
{
    /// <summary>Valid until one year after the certification date (<see cref="CertificationCalendar.ValidUntil"/>); the national default since 2018.</summary>
    Rolling,

    /// <summary>Valid until the last day of the pensioner's birthday month in the next calendar year.</summary>
    BirthdayMonth,

    /// <summary>Valid until 31 December of the next calendar year (certify once in every calendar year).</summary>
    CalendarYear,
}

/// <summary>
/// One region's cycle policy as configured. Every member is optional: a region override only sets what differs from
/// <see cref="CyclePolicyOptions.Default"/>.
/// </summary>
public sealed class CyclePolicySettings
{
    /// <summary>Validity window; default <see cref="CycleWindow.Rolling"/>.</summary>
    public CycleWindow? Window { get; set; }

    /// <summary>Days before the last valid day on which a reminder is sent; default 30, 7, 1. The largest also starts the DueSoon state.</summary>
    public int[]? ReminderDaysBefore { get; set; }

    /// <summary>Suspend payment automatically after <see cref="GraceDays"/> under investigation; default false (an operator confirms).</summary>
    public bool? AutoSuspend { get; set; }

    /// <summary>Days after the last valid day before automatic suspension (only where <see cref="AutoSuspend"/>); default 60.</summary>
    public int? GraceDays { get; set; }

    /// <summary>Back-pay the suspended months on resumption; default true (a region may switch it off for statutory exceptions).</summary>
    public bool? BackPay { get; set; }

    /// <summary>Evidence sources whose proof-of-life and death records this region accepts; default <see cref="CyclePolicy.DefaultTrustedSources"/>.</summary>
    public string[]? TrustedSources { get; set; }

    /// <summary>Oldest proof-of-life record accepted, in days before the import (default 90); older ones are refused with evidence-too-old.</summary>
    public int? EvidenceMaxAgeDays { get; set; }
}

/// <summary>
/// The annual cycle policy, section <c>PensionCert:Cycle</c>: <c>Default</c> plus <c>Regions</c>, overrides keyed by a
/// GB/T 2260 region code prefix (2 digits = province, 4 = prefecture, 6 = county); the longest matching prefix wins,
/// and its unset members fall back to <c>Default</c>, then to the built-in defaults.
/// Example: <c>PensionCert__Cycle__Regions__4403__AutoSuspend=true</c>.
/// </summary>
public sealed class CyclePolicyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Cycle";

    /// <summary>The policy of every region without an override.</summary>
    public CyclePolicySettings Default { get; set; } = new();

    /// <summary>Overrides by region code prefix (2, 4 or 6 digits).</summary>
    public Dictionary<string, CyclePolicySettings> Regions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The effective policy for a 6-digit region code.</summary>
    public CyclePolicy For(string regionCode)
    {
        CyclePolicySettings? region = null;
        for (var length = Math.Min(regionCode.Length, 6); length >= 2 && region is null; length -= 2)
            Regions.TryGetValue(regionCode[..length], out region);
        return CyclePolicy.Resolve(region, Default);
    }
}

/// <summary>An effective, validated cycle policy for one region.</summary>
/// <param name="Window">Validity window.</param>
/// <param name="ReminderDaysBefore">Reminder offsets in days before the last valid day, largest first.</param>
/// <param name="AutoSuspend">Suspend automatically after the grace period.</param>
/// <param name="GraceDays">Days after the last valid day before automatic suspension.</param>
/// <param name="BackPay">Back-pay suspended months on resumption.</param>
/// <param name="TrustedSources">Trusted evidence sources (case-insensitive).</param>
public sealed record CyclePolicy(CycleWindow Window, IReadOnlyList<int> ReminderDaysBefore, bool AutoSuspend, int GraceDays, bool BackPay, IReadOnlySet<string> TrustedSources)
{
    /// <summary>Default reminders: 30, 7 and 1 days before the last valid day.</summary>
    public static readonly IReadOnlyList<int> DefaultReminderDaysBefore = [30, 7, 1];

    /// <summary>Default grace period before automatic suspension: 60 days.</summary>
    public const int DefaultGraceDays = 60;

    /// <summary>
    /// Default trusted sources: medical-insurance (医保结算), hospital (住院), bank (银行柜面), transport (交通出行),
    /// civil-affairs (民政), funeral (殡葬/火化), public-security (公安户籍注销).
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultTrustedSources = ["medical-insurance", "hospital", "bank", "transport", "civil-affairs", "funeral", "public-security"];

    /// <summary>The built-in policy (rolling window, reminders 30/7/1, no auto-suspension, 60 days grace, back-pay on).</summary>
    public static CyclePolicy Defaults { get; } = Resolve(null, null);

    /// <summary>Days before the last valid day from which the state is DueSoon: the largest reminder offset (30 by default).</summary>
    public int DueSoonDays => ReminderDaysBefore.Count == 0 ? 0 : ReminderDaysBefore[0];

    /// <summary>Default oldest proof-of-life record accepted: 90 days.</summary>
    public const int DefaultEvidenceMaxAgeDays = 90;

    /// <summary>Oldest proof-of-life record accepted, in days before the import (settings member <c>EvidenceMaxAgeDays</c>).</summary>
    public int EvidenceMaxAgeDays { get; init; } = DefaultEvidenceMaxAgeDays;

    /// <summary>True when <paramref name="source"/> is trusted.</summary>
    public bool Trusts(string? source) => source is not null && TrustedSources.Contains(source.Trim());

    internal static CyclePolicy Resolve(CyclePolicySettings? region, CyclePolicySettings? fallback) => new(
        region?.Window ?? fallback?.Window ?? CycleWindow.Rolling,
        (region?.ReminderDaysBefore ?? fallback?.ReminderDaysBefore ?? [.. DefaultReminderDaysBefore]).Distinct().OrderDescending().ToArray(),
        region?.AutoSuspend ?? fallback?.AutoSuspend ?? false,
        region?.GraceDays ?? fallback?.GraceDays ?? DefaultGraceDays,
        region?.BackPay ?? fallback?.BackPay ?? true,
        new HashSet<string>(region?.TrustedSources ?? fallback?.TrustedSources ?? [.. DefaultTrustedSources], StringComparer.OrdinalIgnoreCase))
    {
        EvidenceMaxAgeDays = Math.Clamp(region?.EvidenceMaxAgeDays ?? fallback?.EvidenceMaxAgeDays ?? DefaultEvidenceMaxAgeDays, 1, 3650),
    };
}

/// <summary>Validates <see cref="CyclePolicyOptions"/>, naming the offending setting.</summary>
public sealed class CyclePolicyOptionsValidator : IValidateOptions<CyclePolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CyclePolicyOptions options)
    {
        var errors = new List<string>();
        Check($"{CyclePolicyOptions.SectionName}:Default", options.Default, errors);
        foreach (var (prefix, settings) in options.Regions)
        {
            if (prefix.Length is not (2 or 4 or 6) || !prefix.All(char.IsAsciiDigit))
                errors.Add($"{CyclePolicyOptions.SectionName}:Regions:{prefix}: the key must be a 2, 4 or 6 digit region code prefix.");
            Check($"{CyclePolicyOptions.SectionName}:Regions:{prefix}", settings, errors);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string path, CyclePolicySettings s, List<string> errors)
    {
        if (s.GraceDays is < 1 or > 366) errors.Add($"{path}:GraceDays must be 1-366.");
        if (s.ReminderDaysBefore is { } days && (days.Length == 0 || days.Any(d => d is < 1 or > 180)))
            errors.Add($"{path}:ReminderDaysBefore must list 1-180 day offsets.");
        if (s.TrustedSources is { } sources && sources.Any(string.IsNullOrWhiteSpace))
            errors.Add($"{path}:TrustedSources must not contain empty names.");
    }
}
