namespace PensionCert.Core.Cycle;

/// <summary>
/// A pensioner's certification state on a China calendar date, as decided by <see cref="EligibilityRules.StateOn(DateOnly, PensionerStanding, DateOnly?, DateOnly?, int)"/>.
/// The first five follow from the dates; the others from a recorded <see cref="PensionerStanding"/>.
/// </summary>
public enum EligibilityState
{
    /// <summary>No certification has ever been recorded (and the first due date is not near).</summary>
    NeverCertified,

    /// <summary>Certified, and more than the region's DueSoon days (30 by default) remain before the validity ends.</summary>
    Valid,

    /// <summary>Still certified (up to and including the last valid day), but the validity ends soon: remind the pensioner.</summary>
    DueSoon,

    /// <summary>The last valid day has passed without a new certification.</summary>
    Overdue,

    /// <summary>Benefit payment is suspended, whatever the dates say; a new certification resumes it.</summary>
    Suspended,

    /// <summary>Overdue, and an investigation task (call, visit, data check) is open for the region's operators.</summary>
    UnderInvestigation,

    /// <summary>An operator or a trusted death record marked the pensioner deceased: everything stops.</summary>
    Deceased,

    /// <summary>The pension was transferred to another agency: everything stops here.</summary>
    Transferred,
}

/// <summary>The recorded standing of a pensioner; the date-derived states apply only to <see cref="Active"/>.</summary>
public enum PensionerStanding
{
    /// <summary>Paid; the state follows from the dates (NeverCertified, Valid, DueSoon, Overdue).</summary>
    Active,

    /// <summary>Overdue with an open investigation.</summary>
    UnderInvestigation,

    /// <summary>Payment suspended.</summary>
    Suspended,

    /// <summary>Deceased (terminal).</summary>
    Deceased,

    /// <summary>Transferred out (terminal).</summary>
    Transferred,
}
