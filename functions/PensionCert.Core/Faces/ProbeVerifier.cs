using PensionCert.Core.Certification;

namespace PensionCert.Core.Faces;

/// <summary>
/// One probe photo against a pensioner's references, with a second look on the failure path only. The plain
/// (upright) analysis decides whenever it approves or sends to review. When it is refused for a reason a turned camera
/// causes (no face, another person, not live, not frontal, blurred, cut, too small, crowded), the photo is analysed again turned by 90°,
/// 270° and 180° (a sideways selfie whose EXIF orientation a WebView or compressor stripped) and the turned analysis
/// that matches best decides, with every gate of <see cref="VerificationPolicy"/> applied to it. When no orientation
/// matches and the main face is another person, the other faces wholly inside the frame are compared too: if one of
/// them is the pensioner (a helper's face in front of the pensioner's), the answer is the <c>multiple-faces</c> retake,
/// never an approval from a secondary face.
/// <para>
/// Cost: an upright match costs nothing more; a refusal costs up to four more analyses. An impostor gets three more
/// draws per submission from the turned views; their similarities are those of a garbage alignment (measured by
/// <c>PensionCert.Tools evaluate</c>, README "Face models and accuracy"). A turned view never approves a photo that
/// the upright analysis refused as a presentation attack: at most it goes to review.
/// </para>
/// </summary>
public sealed class ProbeVerifier(IFaceAnalyzer analyzer, VerificationPolicy policy)
{
    /// <summary>The turns tried on the failure path, most frequent first (phones held sideways one way or the other).</summary>
    private static readonly int[] Turns = [90, 270, 180];

    /// <summary>
    /// Upright refusals a turned photo can cause: read sideways, a face may be missed, misaligned (another person, not
    /// live, not frontal, blurred, cut), boxed too narrow (too small) or joined by spurious faces (multiple faces). The
    /// others (unreadable, tiny image, dark, overexposed) do not depend on orientation.
    /// </summary>
    private static readonly HashSet<string> TurnableCodes = new(StringComparer.Ordinal)
    {
        Reasons.NoFace.Code, Reasons.FaceMismatch.Code, Reasons.FaceNotLive.Code, Reasons.FaceNotFrontal.Code,
        Reasons.Blurred.Code, Reasons.FaceNotFullyVisible.Code, Reasons.MultipleFaces.Code, Reasons.FaceTooSmall.Code,
    };

    /// <summary>
    /// Analyses and decides <paramref name="photo"/> (a verification probe); <paramref name="fingerprints"/> are the
    /// references' pixel fingerprints for the replay check (<see cref="VerificationPolicy.IsCopy"/>), none when not given.
    /// </summary>
    public async Task<VerificationDecision> VerifyAsync(ReadOnlyMemory<byte> photo, IReadOnlyList<FaceEmbedding> references, CancellationToken cancellationToken,
        IReadOnlyList<FaceFingerprint>? fingerprints = null)
    {
        var upright = await analyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Verification, cancellationToken);
        return await ReconsiderAsync(photo, policy.Decide(upright, references, fingerprints ?? []), references, cancellationToken, fingerprints);
    }

    /// <summary>
    /// The second look for a decision of the upright analysis (<paramref name="upright"/>); returns it unchanged unless
    /// it is a refusal that a turned photo or a helper's face explains.
    /// </summary>
    public async Task<VerificationDecision> ReconsiderAsync(ReadOnlyMemory<byte> photo, VerificationDecision upright, IReadOnlyList<FaceEmbedding> references,
        CancellationToken cancellationToken, IReadOnlyList<FaceFingerprint>? fingerprints = null)
    {
        ArgumentNullException.ThrowIfNull(upright);
        ArgumentNullException.ThrowIfNull(references);
        if (upright.Status != CertificationStatus.Rejected || upright.Reasons.Count == 0 || !upright.Reasons.All(r => TurnableCodes.Contains(r.Code)))
            return upright;

        VerificationDecision? best = null;
        foreach (var degrees in Turns)
        {
            var turned = await analyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Verification, new FaceView(degrees), cancellationToken);
            var decision = policy.Decide(turned, references, fingerprints ?? []) with { TurnedDegrees = degrees };
            if (decision.Status == CertificationStatus.Rejected) continue;
            if (best is null || Rank(decision).CompareTo(Rank(best)) > 0) best = decision;
            if (best.Status == CertificationStatus.Approved) break;
        }
        if (best is not null)
        {
            if (best.Status == CertificationStatus.Approved && upright.Reasons.Contains(Reasons.FaceNotLive))
                return best with { Status = CertificationStatus.NeedsReview, Reasons = [Reasons.LivenessDoubtful] };
            return best;
        }

        if (upright.Similarity is null) return upright; // the main face was never compared: no helper question
        var crowded = await analyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Verification, new FaceView(0, WithOtherFaces: true), cancellationToken);
        var pensionerBeside = crowded.OtherFaces.Any(face => references.Any(r => face.CosineSimilarity(r) >= policy.ReviewThreshold));
        return pensionerBeside ? upright with { Reasons = [Reasons.MultipleFaces], Probe = null, ProbeFingerprint = null } : upright;
    }

    private static (int, double) Rank(VerificationDecision d) => (d.Status == CertificationStatus.Approved ? 2 : 1, d.Similarity ?? double.MinValue);
}
