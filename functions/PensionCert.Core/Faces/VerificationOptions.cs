using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Faces;

/// <summary>
/// Decision thresholds for 1:1 verification, bound from the configuration section <c>PensionCert:Verification</c>.
/// The single place these thresholds are defined; the defaults were calibrated on <c>shared/faces/PAIRS.csv</c>
/// with the shipped models (see README, "Accuracy").
/// </summary>
public sealed class VerificationOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Verification";

    /// <summary>Default accept threshold: above the highest impostor similarity on PAIRS.csv (FAR 0 there).</summary>
    public const double DefaultAcceptThreshold = 0.50;

    /// <summary>Default review threshold: scores in [review, accept) go to a person (ageing references).</summary>
    public const double DefaultReviewThreshold = 0.30;

    /// <summary>Default liveness reject threshold (live probability): every spoof in the corpus scores below 0.003.</summary>
    public const double DefaultLivenessRejectThreshold = 0.01;

    /// <summary>Default liveness review threshold: live probabilities in [reject, review) go to a person.</summary>
    public const double DefaultLivenessReviewThreshold = 0.10;

    /// <summary>Cosine similarity at or above which a live probe is approved. Range -1..1.</summary>
    [Range(-1.0, 1.0)]
    public double AcceptThreshold { get; set; } = DefaultAcceptThreshold;

    /// <summary>Cosine similarity at or above which (but below accept) the case goes to review; below it, rejected as another person.</summary>
    [Range(-1.0, 1.0)]
    public double ReviewThreshold { get; set; } = DefaultReviewThreshold;

    /// <summary>Live probability (0..1) below which the probe is rejected as a presentation attack.</summary>
    [Range(0.0, 1.0)]
    public double LivenessRejectThreshold { get; set; } = DefaultLivenessRejectThreshold;

    /// <summary>Live probability (0..1) below which (but at or above reject) the case goes to review.</summary>
    [Range(0.0, 1.0)]
    public double LivenessReviewThreshold { get; set; } = DefaultLivenessReviewThreshold;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReviewThreshold > AcceptThreshold)
            yield return new ValidationResult($"{nameof(ReviewThreshold)} must not exceed {nameof(AcceptThreshold)}.", [nameof(ReviewThreshold)]);
        if (LivenessRejectThreshold > LivenessReviewThreshold)
            yield return new ValidationResult($"{nameof(LivenessRejectThreshold)} must not exceed {nameof(LivenessReviewThreshold)}.", [nameof(LivenessRejectThreshold)]);
    }
}
