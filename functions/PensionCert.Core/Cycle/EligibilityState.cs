namespace PensionCert.Core.Cycle;

/// <summary>
/// A pensioner's certification state on a China calendar date, as decided by <see cref="EligibilityRules.StateOn"/>.
/// </summary>
public enum EligibilityState
{
    /// <summary>No certification has ever been recorded.</summary>
    NeverCertified,

    /// <summary>Certified, and more than <see cref="EligibilityRules.DueSoonDays"/> days remain before the validity ends.</summary>
    Valid,

    /// <summary>Still certified (up to and including the last valid day), but the validity ends within <see cref="EligibilityRules.DueSoonDays"/> days: remind the pensioner.</summary>
    DueSoon,

    /// <summary>The last valid day has passed without a new certification.</summary>
    Overdue,

    /// <summary>Benefit payment is suspended by an operator, whatever the dates say.</summary>
    Suspended,
}
