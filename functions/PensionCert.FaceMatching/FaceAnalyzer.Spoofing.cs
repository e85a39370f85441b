using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>The analyzer's presentation-attack measurements beyond the liveness score: noise gate and mirrored embedding.</summary>
public sealed partial class FaceAnalyzer
{
    /// <summary>
    /// <c>too-noisy</c> when a selfie's noise level is above <see cref="FaceQualityOptions.MaxNoiseLevel"/> (0 = off).
    /// Reference photos are not gated: an operator takes or scans them in front of the pensioner, and old scanned prints
    /// are noisy (FG-NET 004A19, noise 9.1, is the young side of the corpus's 43-year pair); their liveness is still
    /// scored with the denoised copy.
    /// </summary>
    private Reason? NoiseProblem(FaceAnalysisPurpose purpose, double noise) =>
        purpose == FaceAnalysisPurpose.Verification && _quality.MaxNoiseLevel > 0 && noise > _quality.MaxNoiseLevel ? Reasons.TooNoisy : null;

    /// <summary>
    /// The mirrored face's embedding, computed only if the replay check asks for it (<see cref="FaceAnalysis.MirroredEmbedding"/>):
    /// keeps a managed copy of the aligned 112x112 pixels (50 KB) until then. Runs outside the analysis slots (one embedding).
    /// </summary>
    private Lazy<FaceEmbedding> MirroredLater(SKBitmap aligned)
    {
        var pixels = aligned.GetPixelSpan().ToArray();
        var session = _models.Feature;
        return new Lazy<FaceEmbedding>(() => FaceEmbedder.EmbedMirrored(session, pixels), LazyThreadSafetyMode.ExecutionAndPublication);
    }
}
