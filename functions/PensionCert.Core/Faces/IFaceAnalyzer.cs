namespace PensionCert.Core.Faces;

/// <summary>What a photo is analysed for: liveness runs only for verification probes.</summary>
public enum FaceAnalysisPurpose
{
    /// <summary>A reference photo taken at enrollment (liveness is scored: a first enrolment refuses a photo of a photo).</summary>
    Enrollment,

    /// <summary>A probe image (selfie) submitted for 1:1 verification: passive liveness is checked.</summary>
    Verification,
}

/// <summary>
/// Turns an encoded photo into a face embedding, or into the reasons it cannot be used.
/// Implementations are thread-safe and give identical results under concurrency.
/// </summary>
public interface IFaceAnalyzer
{
    /// <summary>
    /// Decodes <paramref name="photo"/> (JPEG, PNG or WebP bytes, any EXIF orientation), requires exactly one
    /// prominent face, checks its quality, and embeds it. For <see cref="FaceAnalysisPurpose.Verification"/> it also
    /// scores passive liveness. Fails closed: an unusable photo yields <see cref="FaceAnalysis.Problems"/> and no embedding.
    /// </summary>
    /// <param name="photo">The encoded image bytes.</param>
    /// <param name="purpose">Enrollment (reference image) or verification (probe image).</param>
    /// <param name="cancellationToken">Cancels the analysis.</param>
    /// <returns>The analysis; never throws for a bad image (bad images are problems, not exceptions).</returns>
    Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, CancellationToken cancellationToken);

    /// <summary>
    /// Analyses <paramref name="photo"/> seen another way (<paramref name="view"/>): its decoded, orientation-corrected
    /// pixels turned by a quarter turn or more, and/or with the templates of the other usable faces in the frame. Only
    /// asked for on the failure path of a verification (<see cref="ProbeVerifier"/>). Same gates as the plain analysis.
    /// An implementation that cannot turn photos answers the plain analysis for <see cref="FaceView.Upright"/> and a
    /// <c>no-face</c> analysis otherwise.
    /// </summary>
    Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, FaceView view, CancellationToken cancellationToken) =>
        view == FaceView.Upright ? AnalyzeAsync(photo, purpose, cancellationToken) : Task.FromResult(FaceAnalysis.Failed(Reasons.NoFace));
}

/// <summary>How to look at a photo for a second analysis.</summary>
/// <param name="ClockwiseDegrees">0, 90, 180 or 270: the decoded upright pixels are turned clockwise by this much first.</param>
/// <param name="WithOtherFaces">Also embed the other faces wholly inside the frame (<see cref="FaceAnalysis.OtherFaces"/>).</param>
public readonly record struct FaceView(int ClockwiseDegrees, bool WithOtherFaces = false)
{
    /// <summary>The photo as decoded (EXIF orientation applied), main face only: the plain analysis.</summary>
    public static FaceView Upright => new(0);
}

/// <summary>Measured quality of the chosen face, for guidance and audit.</summary>
/// <param name="FaceWidthPixels">Width of the detected face box in pixels of the (orientation-corrected) decoded image.</param>
/// <param name="Brightness">Mean luma of the face region, 0..255.</param>
/// <param name="Sharpness">Variance of the Laplacian of the face region (higher is sharper).</param>
/// <param name="YawDegrees">Estimated head yaw in degrees (0 = frontal), from landmarks.</param>
/// <param name="PitchDegrees">Estimated head pitch in degrees (0 = frontal), from landmarks.</param>
public sealed record FaceQuality(double FaceWidthPixels, double Brightness, double Sharpness, double YawDegrees, double PitchDegrees);

/// <summary>
/// The outcome of analysing one photo. Usable when <see cref="Problems"/> is empty; then
/// <see cref="Embedding"/> is set (and <see cref="LivenessScore"/> for verification probes).
/// </summary>
public sealed record FaceAnalysis
{
    /// <summary>Why the photo cannot be used; empty when usable.</summary>
    public required IReadOnlyList<Reason> Problems { get; init; }

    /// <summary>Faces detected above the detector's score threshold.</summary>
    public int FaceCount { get; init; }

    /// <summary>The embedding of the one prominent face; null when the photo is not usable.</summary>
    public FaceEmbedding? Embedding { get; init; }

    /// <summary>Probability (0..1) that the face is live (softmax of fr_liveness.onnx, class 0); null when not run.</summary>
    public double? LivenessScore { get; init; }

    /// <summary>Quality measurements of the chosen face; null when no single face was found.</summary>
    public FaceQuality? Quality { get; init; }

    /// <summary>
    /// The detector's face probability for the main face (fr_detect, 0..1) of an embedded photo; null otherwise. A face
    /// read sideways or upside down scores lower than the same face upright (<see cref="ReferenceOrientation"/>).
    /// </summary>
    public double? DetectorScore { get; init; }

    /// <summary>
    /// Noise level (standard deviation in grey levels 0..255, Immerkær's mask with a median estimate) of the face as the
    /// liveness model sees it; null when liveness was not reached. Above <c>PensionCert:Quality:MaxNoiseLevel</c> the photo
    /// is refused <c>too-noisy</c>: added noise makes a photo of a screen score live (README, "Passive liveness").
    /// </summary>
    public double? NoiseLevel { get; init; }

    /// <summary>
    /// The embedding of the same aligned face mirrored left to right, computed on first use (one more embedding run, about
    /// 9 ms on one core) and only kept in memory: the replay check compares it with the references when the probe already
    /// scores high (<see cref="VerificationPolicy"/>), since a mirrored copy of the reference photo scores below the
    /// replay threshold unmirrored. Null when the photo was not embedded.
    /// </summary>
    public Lazy<FaceEmbedding>? MirroredEmbedding { get; init; }

    /// <summary>
    /// The pixel fingerprint of the aligned face (<see cref="FaceFingerprint"/>), for the replay check's near-duplicate
    /// comparison with the references' fingerprints; null when the photo was not embedded.
    /// </summary>
    public FaceFingerprint? Fingerprint { get; init; }

    /// <summary>
    /// True when the main face's box is cut by the frame around the eyes (it touches the top edge, or a side edge
    /// level with the eyes): a face cut through the eyes cannot be compared reliably (a retake, not "another person").
    /// </summary>
    public bool FaceCutByFrame { get; init; }

    /// <summary>
    /// True when the face passed the brightness gate only just (within the analyzer's dim margin above its minimum):
    /// a dim room lowers the live probability of a genuine face, so a liveness refusal of such a face asks for light.
    /// </summary>
    public bool Dim { get; init; }

    /// <summary>
    /// Templates of the other faces wholly inside the frame and at least the configured share of the main face's area
    /// (smaller than a rival that makes the photo ambiguous); only computed when asked for (<see cref="FaceView.WithOtherFaces"/>).
    /// </summary>
    public IReadOnlyList<FaceEmbedding> OtherFaces { get; init; } = [];

    /// <summary>True when the photo holds exactly one usable face and an embedding was computed.</summary>
    public bool IsUsable => Problems.Count == 0 && Embedding is not null;

    /// <summary>An analysis that failed for one reason, before or without embedding.</summary>
    public static FaceAnalysis Failed(Reason reason, int faceCount = 0, FaceQuality? quality = null) =>
        new() { Problems = [reason], FaceCount = faceCount, Quality = quality };
}
