using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Sessions;

/// <summary>
/// The worker's half of a certification session: reads every frame (face, pose, eyes, liveness), checks the challenge
/// (<see cref="ActionLivenessVerifier"/>), keeps the best frontal frame as the certification's probe image (what a
/// reviewer sees), and decides it against the pensioner's reference with the same <see cref="VerificationPolicy"/> as a
/// selfie, using the median liveness of the frontal frames.
/// </summary>
public sealed class SessionVerification(
    CertificationSessionService sessions,
    IActionFrameAnalyzer analyzer,
    ActionLivenessVerifier verifier,
    VerificationPolicy policy,
    Microsoft.Extensions.Options.IOptions<VerificationOptions> verification,
    IPhotoStore photos)
{
    /// <summary>Decides the certification <paramref name="record"/> made from its session's frames.</summary>
    public async Task<VerificationDecision> VerifyAsync(CertificationRecord record, PensionerProfile pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pensioner);
        var session = record.SessionId is { } id ? await sessions.GetAsync(id, cancellationToken) : null;
        // Purged before the worker ran (only after expiry plus the keep time): nothing left to verify.
        if (session is null) return new(CertificationStatus.Rejected, null, null, [Reasons.SessionExpired]);

        var frames = await sessions.LoadFramesAsync(session, cancellationToken);
        var readings = new List<IReadOnlyList<FrameReading>>();
        foreach (var step in frames)
        {
            var stepReadings = new List<FrameReading>();
            foreach (var frame in step) stepReadings.Add(await analyzer.ReadAsync(frame, cancellationToken));
            readings.Add(stepReadings);
        }
        var check = verifier.Check(session.Actions, readings);
        if (check.Anchor is not null)
        {
            using var best = new MemoryStream(frames[check.AnchorStep][check.AnchorIndex], writable: false);
            await photos.UploadAsync(PhotoContainer.Selfies, record.SelfieBlobName, best, "image/jpeg", cancellationToken);
        }
        // A presentation attack (a photo or a replayed video) is named as such, whatever else the frames show.
        if (check.LivenessScore is { } live && live < verification.Value.LivenessRejectThreshold)
            return new(CertificationStatus.Rejected, null, live, [Reasons.FaceNotLive, .. check.Reasons]);
        if (!check.Passed) return new(CertificationStatus.Rejected, null, check.LivenessScore, check.Reasons);
        var probe = new FaceAnalysis { Problems = [], FaceCount = 1, Embedding = check.Anchor!.Embedding, Fingerprint = check.Anchor.Fingerprint, LivenessScore = check.LivenessScore };
        return policy.Decide(probe, pensioner.References, pensioner.Fingerprints);
    }

    /// <summary>Deletes the session's frames once the decision is written (the probe image stays, under selfie retention).</summary>
    public Task DeleteFramesAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        record.SessionId is { } id ? sessions.DeleteFramesAsync(id, cancellationToken) : Task.CompletedTask;
}
