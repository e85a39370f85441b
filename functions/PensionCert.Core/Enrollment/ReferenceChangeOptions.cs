using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Enrollment;

/// <summary>Four-eyes on reference photos, section <c>PensionCert:ReferenceChange</c>.</summary>
public sealed class ReferenceChangeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:ReferenceChange";

    /// <summary>
    /// At most one automatic reference replacement (no second operator) per pensioner within this many days (default
    /// 365: one a certification year). A chain of small steps (blended photos walking the reference from the
    /// pensioner to another person, each close to the one before) therefore needs a second operator after its first
    /// step. 0 switches the period off (every replacement still has to match every earlier reference).
    /// </summary>
    [Range(0, 3650)]
    public int AutomaticChangePeriodDays { get; set; } = 365;
}
