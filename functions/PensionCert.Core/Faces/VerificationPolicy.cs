using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;

namespace PensionCert.Core.Faces;

/// <summary>The decision for one probe against one reference.</summary>
/// <param name="Status">Approved, Rejected or NeedsReview.</param>
/// <param name="Similarity">Cosine similarity to the reference; null when the probe never reached comparison.</param>
/// <param name="LivenessScore">Live probability 0..1; null when not scored.</param>
/// <param name="Reasons">Why the decision is not a plain approval; empty for Approved.</param>
public sealed record VerificationDecision(CertificationStatus Status, double? Similarity, double? LivenessScore, IReadOnlyList<Reason> Reasons)
{
    /// <summary>The probe's template when it reached comparison (in memory only: a candidate live reference).</summary>
    public FaceEmbedding? Probe { get; init; }

    /// <summary>The probe's pixel fingerprint with <see cref="Probe"/> (in memory only: kept with a live reference for the replay check).</summary>
    public FaceFingerprint? ProbeFingerprint { get; init; }

    /// <summary>How far (0, 90, 180, 270 degrees clockwise) the photo was turned for the analysis that decided (<see cref="ProbeVerifier"/>).</summary>
    public int TurnedDegrees { get; init; }
}

/// <summary>
/// Turns a probe analysis and a reference embedding into a decision, failing closed: an unusable probe or a
/// presentation attack never reaches comparison and never approves. Thresholds come from <see cref="VerificationOptions"/>.
/// </summary>
public sealed class VerificationPolicy(IOptions<VerificationOptions> options)
{
    private readonly VerificationOptions _options = options.Value;

    /// <summary>The accept threshold in force (reported with each decision).</summary>
    public double AcceptThreshold => _options.AcceptThreshold;

    /// <summary>Live probability below which a photo is a presentation attack (selfies, and first reference photos).</summary>
    public double LivenessRejectThreshold => _options.LivenessRejectThreshold;

    /// <summary>The review threshold in force (reported with each decision).</summary>
    public double ReviewThreshold => _options.ReviewThreshold;

    /// <summary>
    /// True when a new reference photo may replace the current one without a second operator: it is live (at or above
    /// the liveness review threshold) and matches the current and every earlier reference at or above the <b>accept</b> threshold, the
    /// only score at which the system trusts a face without a person looking. The review band [review, accept) is
    /// where a person decides: about 10 % of impostor pairs of the corpus score there (up to 0.403), so a change in
    /// that band is another person's face as often as an aged one, and it waits for a second operator.
    /// </summary>
    /// <param name="candidate">The new photo's analysis.</param>
    /// <param name="earlier">The current reference and every earlier one: the candidate must match <b>each</b> of them.</param>
    public bool AllowsReferenceChange(FaceAnalysis candidate, IReadOnlyList<FaceEmbedding> earlier)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Count == 0) throw new ArgumentException("At least the current reference is needed.", nameof(earlier));
        return candidate.IsUsable && candidate.LivenessScore >= _options.LivenessReviewThreshold
            && earlier.All(e => candidate.Embedding!.CosineSimilarity(e) >= _options.AcceptThreshold);
    }

    /// <summary>Decides a probe against one reference embedding.</summary>
    public VerificationDecision Decide(FaceAnalysis probe, FaceEmbedding reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Decide(probe, [reference]);
    }

    /// <summary>
    /// Decides a probe against a pensioner's references without their pixel fingerprints (the replay check then has only
    /// the embedding tests): for measurements and callers that have no fingerprints; the worker passes them
    /// (<see cref="Decide(FaceAnalysis, IReadOnlyList{FaceEmbedding}, IReadOnlyList{FaceFingerprint})"/>).
    /// </summary>
    public VerificationDecision Decide(FaceAnalysis probe, IReadOnlyList<FaceEmbedding> references) => Decide(probe, references, []);

    /// <summary>
    /// Decides a probe against all of a pensioner's references (<see cref="Storage.PensionerProfile.References"/>):
    /// the best similarity decides, so a recent approved selfie helps a pensioner whose enrolled photo is decades old.
    /// <paramref name="fingerprints"/> are the references' pixel fingerprints (<see cref="Storage.PensionerProfile.Fingerprints"/>)
    /// for the near-duplicate part of the replay check (<see cref="IsReplay(FaceAnalysis, IReadOnlyList{FaceEmbedding}, double, IReadOnlyList{FaceFingerprint})"/>).
    /// </summary>
    public VerificationDecision Decide(FaceAnalysis probe, IReadOnlyList<FaceEmbedding> references, IReadOnlyList<FaceFingerprint> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(fingerprints);
        if (references.Count == 0) throw new ArgumentException("At least one reference is needed.", nameof(references));

        if (!probe.IsUsable)
            return new(CertificationStatus.Rejected, null, probe.LivenessScore, probe.Problems);

        var liveness = probe.LivenessScore;
        if (liveness is null || liveness < _options.LivenessRejectThreshold)
            // A dim face (it passed the brightness gate only just) loses live probability in a genuine selfie too: ask
            // for light (a retake, not counted) rather than telling a real person not to photograph a screen.
            return new(CertificationStatus.Rejected, null, liveness, [liveness is not null && probe.Dim ? Reasons.TooDark : Reasons.FaceNotLive]);

        var similarity = references.Max(r => probe.Embedding!.CosineSimilarity(r));
        var reasons = new List<Reason>();
        var status = CertificationStatus.Approved;
        if (similarity < _options.ReviewThreshold)
            // A face cut by the frame through the eyes is an unusable photo, not evidence of another person.
            return new(CertificationStatus.Rejected, similarity, liveness, [probe.FaceCutByFrame ? Reasons.FaceNotFullyVisible : Reasons.FaceMismatch]) { Probe = probe.Embedding, ProbeFingerprint = probe.Fingerprint };
        if (IsReplay(probe, references, similarity, fingerprints))
        {
            status = CertificationStatus.NeedsReview;
            reasons.Add(Reasons.ProbeMatchesReference);
        }
        else if (similarity < _options.AcceptThreshold)
        {
            status = CertificationStatus.NeedsReview;
            reasons.Add(Reasons.SimilarityDoubtful);
        }
        if (liveness < _options.LivenessReviewThreshold)
        {
            status = CertificationStatus.NeedsReview;
            reasons.Add(Reasons.LivenessDoubtful);
        }
        return new(status, similarity, liveness, reasons) { Probe = probe.Embedding, ProbeFingerprint = probe.Fingerprint };
    }

    /// <summary>
    /// The replay test: the probe is one of the references itself (the photo replayed, recompressed or rescaled) when
    /// its best similarity reaches <see cref="VerificationOptions.ReplayThreshold"/>, or, from
    /// <see cref="VerificationOptions.MirrorCheckFrom"/> on, when its mirror image reaches
    /// <see cref="VerificationOptions.MirroredReplayThreshold"/> (a mirrored copy of the reference). The mirrored embedding is computed only then (<see cref="FaceAnalysis.MirroredEmbedding"/>).
    /// </summary>
    public bool IsReplay(FaceAnalysis probe, IReadOnlyList<FaceEmbedding> references, double bestSimilarity) => IsReplay(probe, references, bestSimilarity, []);

    /// <summary>
    /// The replay test of <see cref="IsReplay(FaceAnalysis, IReadOnlyList{FaceEmbedding}, double)"/>, and the near-duplicate
    /// test: the probe's pixel fingerprint (<see cref="FaceAnalysis.Fingerprint"/>) reaches
    /// <see cref="VerificationOptions.CopyFingerprintThreshold"/> against one of <paramref name="fingerprints"/> (a copy of
    /// a reference photo recompressed, noised, resized, cropped, turned or blurred, whose embedding moved below the replay
    /// threshold).
    /// </summary>
    public bool IsReplay(FaceAnalysis probe, IReadOnlyList<FaceEmbedding> references, double bestSimilarity, IReadOnlyList<FaceFingerprint> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(fingerprints);
        if (bestSimilarity >= _options.ReplayThreshold) return true;
        if (IsCopy(probe, fingerprints)) return true;
        if (bestSimilarity < _options.MirrorCheckFrom || probe.MirroredEmbedding is not { } mirrored) return false;
        return MirroredSimilarity(mirrored.Value, references) >= _options.MirroredReplayThreshold;
    }

    /// <summary>True when the probe's fingerprint is a near-duplicate of one of <paramref name="fingerprints"/> (<see cref="VerificationOptions.CopyFingerprintThreshold"/>).</summary>
    public bool IsCopy(FaceAnalysis probe, IReadOnlyList<FaceFingerprint> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(fingerprints);
        return probe.Fingerprint is { } print && _options.CopyFingerprintThreshold <= 1
            && fingerprints.Any(f => print.Similarity(f) >= _options.CopyFingerprintThreshold);
    }

    /// <summary>Best similarity of a mirrored probe embedding to the references (for the replay test and its measurements).</summary>
    public static double MirroredSimilarity(FaceEmbedding mirrored, IReadOnlyList<FaceEmbedding> references)
    {
        ArgumentNullException.ThrowIfNull(mirrored);
        ArgumentNullException.ThrowIfNull(references);
        return references.Max(r => mirrored.CosineSimilarity(r));
    }

    /// <summary>
    /// True when an automatic approval is good enough to keep the selfie's template as a further reference: similarity
    /// at least <see cref="VerificationOptions.LiveReferenceMargin"/> above the accept threshold and liveness at least
    /// <see cref="VerificationOptions.LiveReferenceMinLiveness"/>.
    /// </summary>
    public bool QualifiesAsLiveReference(VerificationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return _options.MaxLiveReferences > 0 && decision.Status == CertificationStatus.Approved && decision.Probe is not null
            && decision.Similarity >= _options.AcceptThreshold + _options.LiveReferenceMargin
            && decision.LivenessScore >= _options.LiveReferenceMinLiveness;
    }
}
