namespace PensionCert.Core.Certification;

/// <summary>Lifecycle of one certification attempt.</summary>
public enum CertificationStatus
{
    /// <summary>Accepted and queued; the face has not been analysed yet.</summary>
    Pending,

    /// <summary>A worker is analysing the face.</summary>
    Processing,

    /// <summary>Live face matching the reference: the pensioner is certified.</summary>
    Approved,

    /// <summary>Unusable photo, presentation attack, or clearly another person.</summary>
    Rejected,

    /// <summary>Doubtful similarity or liveness: an operator decides.</summary>
    NeedsReview,

    /// <summary>Processing failed after every retry.</summary>
    Failed,
}

/// <summary>Helpers for <see cref="CertificationStatus"/>.</summary>
public static class CertificationStatusExtensions
{
    /// <summary>True for statuses that no worker will change again (Approved, Rejected, NeedsReview, Failed).</summary>
    public static bool IsDecided(this CertificationStatus status) =>
        status is CertificationStatus.Approved or CertificationStatus.Rejected or CertificationStatus.NeedsReview or CertificationStatus.Failed;
}
