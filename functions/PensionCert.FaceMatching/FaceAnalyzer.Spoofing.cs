using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>The analyzer's presentation-attack measurements beyond the liveness score: noise gate and mirrored embedding.</summary>
public sealed partial class FaceAnalyzer
{
    /// <summary><c>too-noisy</c> when the face's noise level is above <see cref="FaceQualityOptions.MaxNoiseLevel"/> (0 = off).</summary>
    private Reason? NoiseProblem(double noise) =>
        _quality.MaxNoiseLevel > 0 && noise > _quality.MaxNoiseLevel ? Reasons.TooNoisy : null;

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
