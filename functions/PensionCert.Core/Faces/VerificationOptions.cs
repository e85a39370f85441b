using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Faces;

/// <summary>
/// Decision thresholds for 1:1 verification, bound from the configuration section <c>PensionCert:Verification</c>.
/// The single place these thresholds are defined; the defaults were calibrated on <c>shared/faces/PAIRS.csv</c>
/// with the shipped models (see README, "Face models and accuracy").
/// </summary>
public sealed class VerificationOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Verification";

    /// <summary>
    /// Default accept threshold 0.45 (embeddings from BGR input, ModelInputs.Feature): above the highest impostor
    /// similarity on PAIRS.csv (0.403, deepface img31 vs img35; a margin of 0.047, as before) and above the 0.438 that
    /// MODELS.md reports for the reference pipeline, so FAR 0 on the 445 usable impostor pairs. TAR at this threshold:
    /// 97.4 % of the 453 usable genuine pairs (LFW 97.4 %, deepface 100 %, asian_faces 100 %, FG-NET ageing 80.0 %);
    /// overall EER 0.4 % (PensionCert.Tools evaluate). With RGB embeddings it was 0.43 (highest impostor 0.385).
    /// </summary>
    public const double DefaultAcceptThreshold = 0.45;

    /// <summary>
    /// Default review threshold 0.16: scores in [review, accept) go to a person (ageing references). Every usable genuine
    /// pair on PAIRS.csv scores at or above it (lowest: 0.163, FG-NET subject 004 photographed at 19 and at 62), so no
    /// genuine pair is rejected as another person; 90.3 % of impostor pairs stay Rejected by similarity and 9.7 % (43
    /// of 445; most of them same-batch FG-NET and East-Asian pairs) go to review. 0.20 would reject 95 % of impostors
    /// but also that oldest FG-NET pair.
    /// </summary>
    public const double DefaultReviewThreshold = 0.16;

    /// <summary>
    /// Default liveness reject threshold 0.005 (live probability, BGR input per MODELS.md): the four corpus spoofs score
    /// 0.00002-0.0021 (all rejected, APCER 0 %); 8 of 295 usable live photos (2.7 %) score below it. Of
    /// the 23 live photos below the review threshold, 14 are FG-NET's scanned prints (reference photos, not selfies).
    /// </summary>
    public const double DefaultLivenessRejectThreshold = 0.005;

    /// <summary>
    /// Default liveness review threshold 0.10: live probabilities in [reject, review) go to a person rather than being
    /// rejected (5.1 % of the corpus's live photos: LFW press photos and FG-NET prints); about 89 % of live photos score above 0.5.
    /// </summary>
    public const double DefaultLivenessReviewThreshold = 0.10;

    /// <summary>
    /// Default replay threshold: two different photos of one face score below this (the highest genuine pair on
    /// PAIRS.csv, two shots from one photo session, scores 0.961), while the same image re-encoded or rescaled scores
    /// above 0.99. A probe this close to the reference is the reference photo replayed, not a live selfie.
    /// </summary>
    public const double DefaultReplayThreshold = 0.985;

    /// <summary>
    /// Default live-reference margin 0.10: an approved selfie's template becomes a further reference only when it
    /// scored at least this far above the accept threshold (0.55 with the shipped 0.45: above the genuine median of
    /// fgnet's ageing pairs, far above the highest impostor 0.403), so a doubtful match never becomes a reference.
    /// Measured by evaluate's fgnet simulation (README, "Face models and accuracy").
    /// </summary>
    public const double DefaultLiveReferenceMargin = 0.10;

    /// <summary>
    /// Default live-reference liveness 0.50: the selfie's live probability must be at least this (about 89 % of the
    /// corpus's live photos score above 0.5; every spoof scores below 0.003).
    /// </summary>
    public const double DefaultLiveReferenceMinLiveness = 0.50;

    /// <summary>Default cap on live references: 3 (one per yearly certification for three years; oldest dropped first).</summary>
    public const int DefaultMaxLiveReferences = 3;

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

    /// <summary>Cosine similarity at or above which the probe is taken to be the reference image itself (sent to review).</summary>
    [Range(-1.0, 1.0)]
    public double ReplayThreshold { get; set; } = DefaultReplayThreshold;

    /// <summary>
    /// Default 0.90: from this best similarity on, the replay check also compares the probe's mirrored embedding with the
    /// references (<see cref="VerificationPolicy"/>). A mirrored copy of the reference photo (a front camera, a "flip"
    /// button) scored 0.964-0.984 unmirrored in tester finding F6 and was approved; mirrored back it is the reference.
    /// Below this no near-copy was seen, so genuine selfies (genuine median on PAIRS.csv about 0.70) skip the extra
    /// embedding run.
    /// </summary>
    public const double DefaultMirrorCheckFrom = 0.90;

    /// <summary>
    /// Best similarity from which the replay check also compares the mirrored probe with the references (one more
    /// embedding run, only for such probes); above 1 turns the mirrored comparison off.
    /// </summary>
    [Range(-1.0, 1.01)]
    public double MirrorCheckFrom { get; set; } = DefaultMirrorCheckFrom;

    /// <summary>
    /// Default 0.96: a probe whose mirror image scores at or above this against a reference is a mirrored copy of it.
    /// Lower than <see cref="DefaultReplayThreshold"/> because the mirrored photo is aligned from its own landmarks, so
    /// mirrored back it is not pixel-identical: mirrored copies of 53 corpus references scored 0.963-0.993 mirrored
    /// back, while the highest mirrored similarity of the 467 usable genuine pairs of PAIRS.csv is 0.957 (and only 3 of
    /// them reach <see cref="DefaultMirrorCheckFrom"/> at all). A thin margin, measured by <c>evaluate --attacks</c>
    /// (README, "Replays of the reference"); a wrong hit sends a genuine selfie to review, never to rejection.
    /// </summary>
    public const double DefaultMirroredReplayThreshold = 0.96;

    /// <summary>Mirrored similarity at or above which the probe is taken to be a mirrored copy of a reference (sent to review).</summary>
    [Range(-1.0, 1.0)]
    public double MirroredReplayThreshold { get; set; } = DefaultMirroredReplayThreshold;

    /// <summary>
    /// Default 0.96: a probe whose pixel fingerprint (<see cref="FaceFingerprint.Similarity"/>) reaches this against a
    /// reference's is a copy of that reference photo. Measured by <c>evaluate --copies</c> (README, "Replays of the
    /// reference"): different photos of the same person on PAIRS.csv score at most 0.925 (deepface img2 vs img6, two
    /// red-carpet photos in the same pose; median 0.49), the copies the embedding tests approve at least 0.895, most above 0.99; at
    /// 0.96 no genuine pair of different photos is flagged (a margin of 0.035) and 95.6 % of the copies the embedding
    /// tests approved are caught.
    /// </summary>
    public const double DefaultCopyFingerprintThreshold = 0.96;

    /// <summary>
    /// Fingerprint similarity at or above which the probe is taken to be a copy of a reference photo (sent to review as
    /// <c>probe-matches-reference</c>); above 1 turns the near-duplicate test off.
    /// </summary>
    [Range(-1.0, 1.01)]
    public double CopyFingerprintThreshold { get; set; } = DefaultCopyFingerprintThreshold;

    /// <summary>How far above <see cref="AcceptThreshold"/> an approved selfie must score to be kept as a further reference.</summary>
    [Range(0.0, 1.0)]
    public double LiveReferenceMargin { get; set; } = DefaultLiveReferenceMargin;

    /// <summary>Live probability an approved selfie needs to be kept as a further reference.</summary>
    [Range(0.0, 1.0)]
    public double LiveReferenceMinLiveness { get; set; } = DefaultLiveReferenceMinLiveness;

    /// <summary>Most live references kept per pensioner (0 turns the feature off); the oldest is dropped first.</summary>
    [Range(0, 10)]
    public int MaxLiveReferences { get; set; } = DefaultMaxLiveReferences;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReviewThreshold > AcceptThreshold)
            yield return new ValidationResult($"{nameof(ReviewThreshold)} must not exceed {nameof(AcceptThreshold)}.", [nameof(ReviewThreshold)]);
        if (ReplayThreshold < AcceptThreshold)
            yield return new ValidationResult($"{nameof(ReplayThreshold)} must not be below {nameof(AcceptThreshold)}.", [nameof(ReplayThreshold)]);
        if (MirroredReplayThreshold < MirrorCheckFrom && MirrorCheckFrom <= 1)
            yield return new ValidationResult($"{nameof(MirroredReplayThreshold)} must not be below {nameof(MirrorCheckFrom)}.", [nameof(MirroredReplayThreshold)]);
        if (LivenessRejectThreshold > LivenessReviewThreshold)
            yield return new ValidationResult($"{nameof(LivenessRejectThreshold)} must not exceed {nameof(LivenessReviewThreshold)}.", [nameof(LivenessRejectThreshold)]);
    }
}
