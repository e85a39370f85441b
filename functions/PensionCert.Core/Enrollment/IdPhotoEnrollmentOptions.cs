using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Enrollment;

/// <summary>First enrolment from a scanned ID or archive photo (four-eyes), section <c>PensionCert:IdPhotoEnrollment</c>.</summary>
public sealed class IdPhotoEnrollmentOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:IdPhotoEnrollment";

    /// <summary>
    /// Days after which an <c>id-photo-enrollment</c> case nobody decided lapses (default 30; the hourly review sweep
    /// checks it): the case closes <c>expired</c>, nothing is enrolled and the pending photo and identity data are
    /// deleted. Escalation (<c>PensionCert:Review:EscalateAfterDays</c>) comes first.
    /// </summary>
    [Range(2, 365)]
    public int LapseDays { get; set; } = 30;
}
