namespace PensionCert.Core.Faces;

/// <summary>
/// What one frame of an action challenge shows: how many faces, and for the one prominent face its embedding, head
/// pose (fr_pose), eye state (fr_eye) and passive liveness (fr_liveness). A frame without exactly one prominent face
/// carries only <see cref="Problem"/> and <see cref="FaceCount"/>.
/// </summary>
public sealed record FrameReading
{
    /// <summary>
    /// Why the frame has no usable face (no-face, multiple-faces, image-unreadable, face-too-small, or too-noisy: the
    /// face is read, but noisier than <c>PensionCert:Quality:MaxNoiseLevel</c>); null when it has one.
    /// </summary>
    public Reason? Problem { get; init; }

    /// <summary>Faces detected above the detector's score threshold.</summary>
    public int FaceCount { get; init; }

    /// <summary>Embedding of the prominent face (aligned as for 1:1 verification); null when <see cref="Problem"/> is set.</summary>
    public FaceEmbedding? Embedding { get; init; }

    /// <summary>Pixel fingerprint of the aligned face (<see cref="FaceFingerprint"/>), for the replay check of the session's probe frame; null with <see cref="Embedding"/>.</summary>
    public FaceFingerprint? Fingerprint { get; init; }

    /// <summary>Head yaw in degrees from fr_pose: positive = face turned towards the image's left (the person's right).</summary>
    public double YawDegrees { get; init; }

    /// <summary>
    /// Head yaw in degrees estimated from the 68 landmarks (nose tip against the face contour; positive = nose towards the
    /// image's right). A second opinion: fr_pose misreads some near-profile frames as frontal.
    /// </summary>
    public double LandmarkYawDegrees { get; init; }

    /// <summary>Head pitch in degrees from fr_pose (positive = chin up).</summary>
    public double PitchDegrees { get; init; }

    /// <summary>Probability 0..1 that the eyes are closed (fr_eye softmax[0], mean of both eyes).</summary>
    public double EyesClosedProbability { get; init; }

    /// <summary>
    /// Probability 0..1 that the face is live (fr_liveness); for a face noisier than <c>LivenessDenoiseAbove</c> the lower
    /// of the scores of the face as is and smoothed, as for selfies.
    /// </summary>
    public double LivenessScore { get; init; }

    /// <summary>Noise level of the face as the liveness model sees it (grey levels; <see cref="FaceAnalysis.NoiseLevel"/>); null when not read.</summary>
    public double? NoiseLevel { get; init; }

    /// <summary>Width of the face box in pixels of the decoded frame.</summary>
    public double FaceWidthPixels { get; init; }

    /// <summary>True when the frame holds exactly one prominent face that was read.</summary>
    public bool HasFace => Problem is null && Embedding is not null;

    /// <summary>A frame without a usable face.</summary>
    public static FrameReading Failed(Reason reason, int faceCount = 0) => new() { Problem = reason, FaceCount = faceCount };
}

/// <summary>Reads challenge frames (small JPEGs from the phone page) with the face, pose, eye and liveness models.</summary>
public interface IActionFrameAnalyzer
{
    /// <summary>Reads one frame; a bad or faceless frame yields <see cref="FrameReading.Problem"/>, never an exception.</summary>
    /// <exception cref="Errors.ServiceNotReadyException">The models are not loaded.</exception>
    Task<FrameReading> ReadAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
