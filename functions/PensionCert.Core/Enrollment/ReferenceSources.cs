using PensionCert.Core.Errors;

namespace PensionCert.Core.Enrollment;

/// <summary>Where an enrolment's reference photo comes from (wire field <c>referenceSource</c>, stable codes).</summary>
public static class ReferenceSources
{
    /// <summary>Photographed live at the counter (the default): a first enrolment must pass passive liveness.</summary>
    public const string LiveCapture = "live-capture";

    /// <summary>
    /// A scanned ID or archive photo (a migration from the legacy system, a pensioner who cannot come to the counter):
    /// exempt from the liveness refusal, but a first enrolment waits for a second operator in an
    /// <c>id-photo-enrollment</c> review case (<see cref="IdPhotoEnrollmentService"/>).
    /// </summary>
    public const string IdPhoto = "id-photo";

    /// <summary>Both codes.</summary>
    public static readonly IReadOnlyList<string> All = [LiveCapture, IdPhoto];

    /// <summary>The validated source: <see cref="LiveCapture"/> when absent or empty.</summary>
    /// <exception cref="ProblemException">invalid-reference-source (400).</exception>
    public static string Require(string? raw)
    {
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value)) return LiveCapture;
        return All.FirstOrDefault(s => string.Equals(s, value, StringComparison.Ordinal)) ?? throw new ProblemException(ProblemTypes.InvalidReferenceSource);
    }
}
