using System.ComponentModel.DataAnnotations;

namespace PensionCert.FaceMatching;

/// <summary>
/// Image and face quality gates applied before a face is embedded; bound from the configuration section
/// <c>PensionCert:Quality</c>. The defaults were chosen so that every live photo of <c>shared/faces</c> that the
/// accuracy tool evaluates passes (including LFW's 150x150 thumbnails with faces about 60 px wide), while unreadable,
/// oversized, faceless, crowded, dark, blown-out, blurred and sideways photos are refused with a reason.
/// </summary>
public sealed class FaceQualityOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Quality";

    /// <summary>
    /// Minimum width of the face box in pixels of the full-resolution, orientation-corrected image (default 36).
    /// LFW thumbnails hold faces of about 60-70 px, but the detector's box is narrower: the smallest measured on the
    /// corpus's live photos is 40 px (median 58), so 36 keeps a margin. Images whose shorter side is below this are
    /// refused as too small before decoding.
    /// </summary>
    [Range(8, 4096)]
    public int MinFaceWidthPixels { get; set; } = 36;

    /// <summary>Minimum mean luma (BT.601, 0..255) of the aligned face's central window; darker faces are refused as too dark (default 40; corpus live photos ≥ 61).</summary>
    [Range(0.0, 255.0)]
    public double MinBrightness { get; set; } = 40;

    /// <summary>Maximum mean luma (BT.601, 0..255) of the aligned face's central window; brighter faces are refused as overexposed (default 225; corpus live photos ≤ 197).</summary>
    [Range(0.0, 255.0)]
    public double MaxBrightness { get; set; } = 225;

    /// <summary>
    /// Minimum variance of the 4-neighbour Laplacian of the central 80x80 window of the aligned 112x112 grey face
    /// (Pech-Pacheco et al. 2000, "Diatom autofocusing in brightfield microscopy: a comparative study"). Measured on the
    /// size-normalised face so one threshold fits every resolution. Default 15: permissive; the corpus's live photos
    /// measure 25.6 at least (5th percentile 53, median 175), upscaled LFW thumbnails included.
    /// </summary>
    [Range(0.0, 100000.0)]
    public double MinSharpness { get; set; } = 15;

    /// <summary>
    /// Maximum absolute head yaw in degrees estimated from the 68 landmarks (default 65: only near-profile faces are
    /// refused; three-quarter press photos still match well, and the geometric estimate saturates towards profile).
    /// </summary>
    [Range(1.0, 90.0)]
    public double MaxYawDegrees { get; set; } = 65;

    /// <summary>Maximum absolute head pitch in degrees estimated from the 68 landmarks (default 40; corpus live photos within −33..+28).</summary>
    [Range(1.0, 90.0)]
    public double MaxPitchDegrees { get; set; } = 40;

    /// <summary>
    /// Decompression-bomb guard: the largest pixel count, in megapixels, that the header may declare (default 50).
    /// Checked before any pixel is decoded.
    /// </summary>
    [Range(0.1, 1000.0)]
    public double MaxMegapixels { get; set; } = 50;

    /// <summary>
    /// Long side, in pixels, of the first decode, which is used for detection (fr_detect sees 320x240 anyway). A JPEG at
    /// least twice this size is decoded downscaled by the codec itself (JPEG DCT scaling to n/8, never below this long
    /// side), which skips most of the inverse DCT and colour work: a 12 MP phone photo decodes at 1/8 (504x378).
    /// Smaller photos decode at full size; photos are never upscaled. Default 480. See <see cref="MinFaceDetailPixels"/>.
    /// </summary>
    [Range(320, 8192)]
    public int DecodeLongSidePixels { get; set; } = 480;

    /// <summary>
    /// When the face box found in a downscaled first decode is narrower than this many decoded pixels, the photo is
    /// decoded again at the scale that gives the face this width (at most full size) before landmarks, alignment,
    /// embedding and liveness, so a small face in a large photo keeps its detail. Default 80: the live photos of
    /// <c>shared/faces</c> have a median face box of 58 px and verify at 0.9 % EER (README), so 80 px leaves a margin,
    /// and fr_feature's 112x112 aligned input is then upsampled at most 1.4×. Measured on the 12 MP benchmark photo
    /// (face box 101 px at 1/8): similarity 0.792 with and without the finer decode, which costs a second full entropy
    /// decode (22 → 44 ms; docs/performance.md).
    /// </summary>
    [Range(16, 1024)]
    public int MinFaceDetailPixels { get; set; } = 80;

    /// <summary>Detector face probability (softmax class 1) a box needs to count as a face (default 0.65, as in the reference implementation).</summary>
    [Range(0.05, 0.99)]
    public double DetectorScoreThreshold { get; set; } = 0.65;

    /// <summary>
    /// Main-face rule (<see cref="MainFaceSelector"/>): a face is comparable in size to another when its box area is at
    /// least this fraction of the other's (default 0.5). The main face is chosen among the faces comparable to the
    /// largest (the one nearest the centre); a second face comparable to the main one and inside the frame
    /// (<see cref="SecondFaceEdgeMarginRatio"/>) makes the photo ambiguous. Smaller background faces never count. On
    /// the corpus the second face of every multi-face photo is ≥ 0.65 of the first.
    /// </summary>
    [Range(0.05, 1.0)]
    public double ProminentFaceAreaRatio { get; set; } = 0.5;

    /// <summary>
    /// Main-face rule: a second face counts only when its box keeps at least this fraction of its own width from every
    /// edge of the frame (default 0.05). A face cut by the frame's edge (a neighbour in an LFW press crop, a helper's
    /// half face at the border of a selfie) has a box that touches the edge, since the detector's boxes are clamped to
    /// the image. Calibrated on shared/faces (README, "Face models and accuracy").
    /// </summary>
    [Range(0.0, 1.0)]
    public double SecondFaceEdgeMarginRatio { get; set; } = 0.05;

    /// <summary>
    /// Largest noise level (standard deviation in grey levels, <see cref="NoiseEstimator"/>) of the face inside the
    /// liveness model's input before the photo is refused <c>too-noisy</c> (a retake, not counted). Added noise makes a
    /// photo of a screen score live (tester finding F3: the corpus spoof image_F2 + Gaussian noise σ 18-35 scored
    /// 0.2-0.95 and was approved), so a photo noisier than a phone camera gives is not judged by the liveness model.
    /// Default 8 (evaluate --attacks, README "Passive liveness against noise"): with the denoised liveness score every
    /// spoof variant of noise σ 25-50 measures above it (min 8.9) and none of σ 8-18 is approved; 1 of 301 live photos
    /// of the corpus (an FG-NET scanned print, 9.1) and 0 of 106 genuine probes with added sensor noise σ 8 are above it.
    /// </summary>
    [Range(0.0, 255.0)]
    public double MaxNoiseLevel { get; set; } = 8;

    /// <summary>
    /// Noise level (grey levels, <see cref="NoiseEstimator"/>) above which passive liveness also scores the face smoothed
    /// down to an ordinary camera's noise and keeps the lower probability (one more fr_liveness run, about 4 ms, for
    /// such photos only). Default 3 (about the 84th percentile of the corpus's live photos): measured on the corpus, the
    /// share of live photos rejected stays 3.3 % and of those sent to review 5.0 %, while spoofs with noise σ 8-18 fall
    /// back below the reject threshold (README, "Passive liveness against noise").
    /// </summary>
    [Range(0.0, 255.0)]
    public double LivenessDenoiseAbove { get; set; } = 3;

    /// <summary>
    /// Helper's face in front (<see cref="Core.Faces.ProbeVerifier"/>): when the main face does not match, the other
    /// faces wholly inside the frame whose box area is at least this fraction of the main face's are compared too
    /// (default 0.15); if one of them is the pensioner, the photo is a <c>multiple-faces</c> retake, never an approval.
    /// A relative leaning in close to the phone makes the pensioner's face about a quarter of the helper's area
    /// (tester's composite: 0.25); 0.15 keeps a margin, and smaller background faces are never compared.
    /// </summary>
    [Range(0.01, 1.0)]
    public double OtherFaceAreaRatio { get; set; } = 0.15;

    /// <summary>
    /// A main face whose box comes within this fraction of its width of the top or a side edge of the photo is
    /// "cut by the frame" (default 0.01: the detector clamps its boxes to the image, so a face cut by the edge touches
    /// it). A cut face that does not match is a <c>face-not-fully-visible</c> retake instead of a counted mismatch.
    /// </summary>
    [Range(0.0, 0.5)]
    public double CutEdgeRatio { get; set; } = 0.01;

    /// <summary>
    /// A face whose brightness is below <see cref="MinBrightness"/> plus this margin is "dim" (default 30, i.e. below
    /// 70 with the shipped minimum): a liveness refusal of a dim face is a <c>too-dark</c> retake rather than a counted
    /// presentation attack, since a dim room lowers a genuine face's live probability (README, "What the worker checks").
    /// </summary>
    [Range(0.0, 255.0)]
    public double DimBrightnessMargin { get; set; } = 30;

    /// <summary>
    /// Flipped-image embedding fusion: embed the aligned face and its mirror image and add the two raw embeddings
    /// before normalising (default false). Costs one more fr_feature run per analysis (README, "Face models and accuracy").
    /// </summary>
    public bool FlipFusion { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinBrightness >= MaxBrightness)
            yield return new ValidationResult($"{nameof(MinBrightness)} must be below {nameof(MaxBrightness)}.", [nameof(MinBrightness), nameof(MaxBrightness)]);
    }
}
