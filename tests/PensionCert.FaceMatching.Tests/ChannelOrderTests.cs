using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// Pins the embedding model's channel order (<see cref="ModelInputs.Feature"/>, BGR per ../shared/MODELS.md): swapping it
/// to RGB still produces plausible embeddings and passes every decision test, so these tests measure what only the right
/// order reaches.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class ChannelOrderTests(FaceCorpusFixture corpus)
{
    /// <summary>
    /// Median similarity of the sampled genuine pairs (every 3rd non-FG-NET genuine pair of PAIRS.csv): measured 0.719
    /// with BGR input and 0.690 with RGB. The floor sits between them; <see cref="ChannelOrder_Rgb_GenuineMedianBelowFloor"/>
    /// shows that the swapped order fails it.
    /// </summary>
    private const double GenuineMedianFloor = 0.705;

    /// <summary>A fixed LFW portrait (250x250, one face) whose embedding is pinned by <see cref="Fingerprint"/>.</summary>
    private const string FingerprintPhoto = "lfw/Angela_Merkel/Angela_Merkel_0001.jpg";

    /// <summary>
    /// The BGR embedding of <see cref="FingerprintPhoto"/>, quantised to signed bytes (value × 127 / max |value|), base64.
    /// Regenerate with <c>FINGERPRINT_PRINT=/tmp/fingerprint.txt</c> (the file receives it) after a deliberate pipeline change (and re-calibrate the thresholds).
    /// </summary>
    private const string Fingerprint =
        "DOf64y7bDfUB/hMPIfEI3+8ZNTUDBQfZ+yvD9BwmD/8S28YeAPrsDiAoMR3o4Qrrz/D72h8aOA/SES3l9gk49eUG4wEd9s8JLiczELQoCgHk/urfIubi6io8f+78FvPh3BY3GBHsEDrz+EAJC/sE7QsROyQD6i0WBuXuMgwU6vQEPyPPJgsCFhAC8OAaAwsUBf/86vXxBu0H7OHpFfUK/RAE2jj/A/P53//R3Pgw7NbN/vn+5L3S6fEGFy8l/Sb8Ef/zCgwiEBQfNgrP5islDEMn5d0GHNIWSevV3u3nHA4YLVE3F/YIHeLdzizr/hruMw7tsRPFK+jvHAMPHAEbCEbw6fzyAgAKFwMS9f4669MXBvwA/dPp+Rgn7SX9EQwI8wHO1uU+2TEj6fnQJS3e1vsUuuc08vQTA+HtFfXb5wri4Q4oBiH9BPvfNOwI4dQAKA7t1x7+BToIFf/76fL8/ffb+cAkwcwtGgU3BeMB4uzwGtdYCOQYAREBtvHDARHrLOgB4SDeEtkR4yMx0rUXAPHw5+ks+wgiAeoA5ibL7WAG9yTU5fDgAghFAuEc8uccEk43CwAiAhrT96328Bgk/AMW6wkQDDbdNvgZ+AwJLOjiA97v/QcEAQsI+ALxMfkFEzDvytnZOMgvCwD9DMpC1EAC9g7/9rL1xgr44doGBtU=";

    [Fact]
    public void Embedding_GenuineCorpusPairs_MedianSimilarityAboveBgrFloor()
    {
        var median = GenuineMedian(pair => Similarity(pair, FaceAnalysisPurpose.Enrollment));
        Assert.True(median >= GenuineMedianFloor, $"genuine median similarity {median:F4} below {GenuineMedianFloor} (channel order of fr_feature swapped?)");
    }

    [Fact]
    public void Embedding_FixedPhoto_MatchesStoredFingerprint()
    {
        var analysis = corpus.Analyze(FingerprintPhoto, FaceAnalysisPurpose.Enrollment);
        Assert.True(analysis.IsUsable, string.Join(',', analysis.Problems.Select(p => p.Code)));
        if (Environment.GetEnvironmentVariable("FINGERPRINT_PRINT") is { Length: > 0 } file) File.WriteAllText(file, Quantise(analysis.Embedding!));
        var stored = Dequantise(Fingerprint);
        Assert.True(analysis.Embedding!.CosineSimilarity(stored) >= 0.995, $"fingerprint similarity {analysis.Embedding!.CosineSimilarity(stored):F4}");

        // The same photo embedded with the other channel order lands far from the fingerprint: the tolerance can catch a swap.
        var swapped = EmbedWithOrder(FingerprintPhoto, ChannelOrder.Rgb);
        Assert.True(swapped.CosineSimilarity(stored) < 0.97, $"RGB embedding {swapped.CosineSimilarity(stored):F4} close to the BGR fingerprint");
        Assert.True(EmbedWithOrder(FingerprintPhoto, ModelInputs.Feature).CosineSimilarity(analysis.Embedding!) > 0.9999);
    }

    [Fact]
    public void ChannelOrder_Rgb_GenuineMedianBelowFloor()
    {
        var rgb = GenuineMedian(pair => Similarity(pair, FaceAnalysisPurpose.Enrollment) is null
            ? null
            : EmbedWithOrder(pair.PathA, ChannelOrder.Rgb).CosineSimilarity(EmbedWithOrder(pair.PathB, ChannelOrder.Rgb)));
        Assert.True(rgb < GenuineMedianFloor, $"RGB genuine median {rgb:F4} reaches the floor {GenuineMedianFloor}: the floor cannot tell the orders apart");
    }

    private double GenuineMedian(Func<CorpusPair, double?> similarity)
    {
        var sample = corpus.Pairs.Where(p => p.Same && p.Source != "fgnet").Where((_, i) => i % 3 == 0).ToList();
        var scores = sample.Select(similarity).OfType<double>().Order().ToArray();
        Assert.True(scores.Length >= 0.9 * sample.Count, $"{scores.Length} of {sample.Count} pairs usable");
        return scores[scores.Length / 2];
    }

    private double? Similarity(CorpusPair pair, FaceAnalysisPurpose purpose)
    {
        var a = corpus.Analyze(pair.PathA, purpose);
        var b = corpus.Analyze(pair.PathB, purpose);
        return a.IsUsable && b.IsUsable ? a.Embedding!.CosineSimilarity(b.Embedding!) : null;
    }

    /// <summary>The analyzer's stages for a photo with one prominent face, with the embedding's channel order chosen.</summary>
    private FaceEmbedding EmbedWithOrder(string path, ChannelOrder order) =>
        Embeddings.GetOrAdd((path, order), key => EmbedWithOrder(corpus.Read(key.Path), key.Order));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, ChannelOrder Order), FaceEmbedding> Embeddings = new();

    private FaceEmbedding EmbedWithOrder(byte[] photo, ChannelOrder order)
    {
        var models = corpus.Services.GetRequiredService<FaceModels>();
        var quality = corpus.Services.GetRequiredService<IOptions<FaceQualityOptions>>().Value;
        using var image = ImageDecoder.Decode(photo, quality, quality.DecodeLongSidePixels, out _)!;
        var faces = FaceDetector.Detect(models.Detector, image, (float)quality.DetectorScoreThreshold);
        var box = faces.MaxBy(f => f.Box.Width * f.Box.Height).Box;
        var five = LandmarkDetector.FivePoints(LandmarkDetector.Detect(models.Landmark, image, box));
        using var aligned = FaceAligner.Warp(image, five);
        return FaceEmbedder.Embed(models.Feature, aligned, order);
    }

    private static string Quantise(FaceEmbedding embedding)
    {
        var values = embedding.Values;
        var max = 0f;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        var bytes = new byte[values.Length];
        for (var i = 0; i < values.Length; i++) bytes[i] = unchecked((byte)(sbyte)Math.Round(values[i] * 127 / max));
        return Convert.ToBase64String(bytes);
    }

    private static FaceEmbedding Dequantise(string base64) =>
        FaceEmbedding.FromRaw(Convert.FromBase64String(base64).Select(b => (float)(sbyte)b).ToArray());
}
