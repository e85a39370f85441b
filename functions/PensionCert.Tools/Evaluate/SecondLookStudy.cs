using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using SkiaSharp;

namespace PensionCert.Tools;

/// <summary>
/// The second look of a refused probe (<see cref="ProbeVerifier"/>), measured on PAIRS.csv: every pair is decided as
/// the policy decided it before the second look ("before": the upright analysis only, no cut-face or dim-face retake) and as the worker decides it ("after": with the
/// turned views, the other faces of the frame, the cut-face and dim-face retakes), on the untouched probes and on probes
/// transformed as tester6 did (turned 90° clockwise without EXIF, top 30 % cut away, a helper's face in front, a dim room).
/// Reports the genuine and impostor decision counts, how many rejections use the daily budget (counted: not retake-only),
/// and the impostors approved after (must be 0).
/// </summary>
internal static class SecondLookStudy
{
    private sealed record Tally(int Approved, int Review, int Rejected, int Counted)
    {
        public static Tally Of(IEnumerable<VerificationDecision> decisions)
        {
            var list = decisions.ToList();
            return new Tally(list.Count(d => d.Status == CertificationStatus.Approved), list.Count(d => d.Status == CertificationStatus.NeedsReview),
                list.Count(d => d.Status == CertificationStatus.Rejected),
                list.Count(d => d.Status == CertificationStatus.Rejected && !Reasons.AreRetakeOnly(d.Reasons.Select(r => r.Code).ToArray())));
        }

        public override string ToString() => $"Approved {Approved} / NeedsReview {Review} / Rejected {Rejected} (counted {Counted})";
    }

    private sealed record Outcome(PairRow Pair, VerificationDecision Before, VerificationDecision After);

    public static async Task RunAsync(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results,
        FaceAnalyzer analyzer, VerificationPolicy policy, CancellationToken cancellationToken)
    {
        var cached = new CachingAnalyzer(analyzer);
        var verifier = new ProbeVerifier(cached, policy);
        var transforms = new (string Name, Func<PairRow, byte[], byte[]>? Apply)[]
        {
            ("untouched", null),
            ("turned 90° clockwise, no EXIF", (_, bytes) => Encode(Turn(bytes, 90), 90)),
            ("top 30 % cut away", (_, bytes) => Encode(TopCut(bytes, 0.30), 90)),
            ("helper's face in front (probe at 55 % height beside it)", (pair, bytes) => Encode(HelperFront(corpus, pair, bytes), 90)),
            ("dim room (x0.5, noise σ 8, q75)", (pair, bytes) => Encode(LowLight(bytes, pair.PathB), 75)),
        };
        Evaluation.W(output, "== Second look on refusal (ProbeVerifier): before = upright analysis only, after = as the worker decides ==");
        foreach (var (name, apply) in transforms)
        {
            var started = DateTime.UtcNow;
            var probes = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
            var outcomes = new ConcurrentBag<Outcome>();
            var pairs = corpus.Pairs.Where(p => results[p.PathA].Analysis.IsUsable).ToList();
            await Parallel.ForEachAsync(pairs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (pair, ct) =>
            {
                var key = apply is null ? pair.PathB : pair.PathB + "|" + HelperFor(pair);
                var bytes = probes.GetOrAdd(key, _ =>
                {
                    var original = File.ReadAllBytes(Path.Combine(corpus.Root.FullName, pair.PathB));
                    return apply is null ? original : apply(pair, original);
                });
                FaceEmbedding[] references = [results[pair.PathA].Analysis.Embedding!];
                var upright = apply is null ? results[pair.PathB].Analysis : await cached.AnalyzeAsync(bytes, FaceAnalysisPurpose.Verification, ct);
                // Before: the policy without the cut-face and dim-face retakes, on the upright analysis only.
                var before = policy.Decide(upright with { FaceCutByFrame = false, Dim = false }, references);
                var after = await verifier.ReconsiderAsync(bytes, policy.Decide(upright, references), references, ct);
                outcomes.Add(new Outcome(pair, before, after));
            });
            var genuine = outcomes.Where(o => o.Pair.Same).ToList();
            var impostor = outcomes.Where(o => !o.Pair.Same).ToList();
            Evaluation.W(output, $"  {name} ({genuine.Count} genuine, {impostor.Count} impostor pairs with a usable reference; {(DateTime.UtcNow - started).TotalSeconds:F0} s)");
            Evaluation.W(output, $"    genuine  before: {Tally.Of(genuine.Select(o => o.Before))}");
            Evaluation.W(output, $"    genuine  after:  {Tally.Of(genuine.Select(o => o.After))}; reasons of the rejections: {Codes(genuine.Select(o => o.After))}");
            Evaluation.W(output, $"    impostor before: {Tally.Of(impostor.Select(o => o.Before))}");
            Evaluation.W(output, $"    impostor after:  {Tally.Of(impostor.Select(o => o.After))}; reasons of the rejections: {Codes(impostor.Select(o => o.After))}");
            var turned = impostor.Where(o => o.After.TurnedDegrees != 0).ToList();
            var bestTurned = impostor.Where(o => o.Before.Status == CertificationStatus.Rejected).Select(o => o.After.TurnedDegrees != 0 ? o.After.Similarity : null).OfType<double>().DefaultIfEmpty(double.NaN).Max();
            Evaluation.W(output, $"    impostors decided on a turned view: {turned.Count} (NeedsReview {turned.Count(o => o.After.Status == CertificationStatus.NeedsReview)}, Approved {turned.Count(o => o.After.Status == CertificationStatus.Approved)}; highest turned similarity {bestTurned:F3}); impostors approved after: {impostor.Count(o => o.After.Status == CertificationStatus.Approved)}");
        }

        // The spoofs: a presentation attack must stay face-not-live (counted), never a dim-face retake or a turned approval.
        var spoofs = corpus.Manifest.Where(m => m.Kind == "spoof").ToList();
        foreach (var spoof in spoofs)
        {
            var analysis = results[spoof.Path].Analysis;
            var reference = corpus.Manifest.Where(m => m.Kind == "live" && m.Identity == spoof.Identity && results[m.Path].Analysis.IsUsable).Select(m => results[m.Path].Analysis.Embedding!).FirstOrDefault()
                ?? results.Values.Select(r => r.Analysis).First(a => a.IsUsable).Embedding!;
            var bytes = await File.ReadAllBytesAsync(Path.Combine(corpus.Root.FullName, spoof.Path), cancellationToken);
            var after = await verifier.ReconsiderAsync(bytes, policy.Decide(analysis, reference), [reference], cancellationToken);
            Evaluation.W(output, $"  spoof {spoof.Path}: brightness {analysis.Quality?.Brightness:F1}, dim {analysis.Dim}, after {after.Status} {string.Join('+', after.Reasons.Select(r => r.Code))}");
        }
        Evaluation.W(output, "");
    }

    private static string Codes(IEnumerable<VerificationDecision> decisions) =>
        string.Join(", ", decisions.Where(d => d.Status == CertificationStatus.Rejected).SelectMany(d => d.Reasons.Select(r => r.Code))
            .GroupBy(c => c).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));

    /// <summary>The helper of the composite: deepface/img12.jpg, or an LFW face when the pair is img12's own identity.</summary>
    private static string HelperFor(PairRow pair) =>
        pair.PathA.StartsWith("deepface/", StringComparison.Ordinal) ? "lfw/Christopher_Walken/Christopher_Walken_0001.jpg" : "deepface/img12.jpg";

    private static SKBitmap Load(byte[] bytes)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        var decoded = SKBitmap.Decode(codec);
        var info = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        if (codec.EncodedOrigin == SKEncodedOrigin.TopLeft) return decoded;
        // Corpus photos with an EXIF orientation: upright them first, as a phone's gallery would show them.
        var swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var upright = new SKBitmap(swap ? info.Height : info.Width, swap ? info.Width : info.Height);
        using (var canvas = new SKCanvas(upright))
        {
            canvas.SetMatrix(codec.EncodedOrigin switch
            {
                SKEncodedOrigin.RightTop => SKMatrix.CreateRotationDegrees(90).PostConcat(SKMatrix.CreateTranslation(decoded.Height, 0)),
                SKEncodedOrigin.LeftBottom => SKMatrix.CreateRotationDegrees(270).PostConcat(SKMatrix.CreateTranslation(0, decoded.Width)),
                SKEncodedOrigin.BottomRight => SKMatrix.CreateRotationDegrees(180).PostConcat(SKMatrix.CreateTranslation(decoded.Width, decoded.Height)),
                _ => SKMatrix.Identity,
            });
            using var image = SKImage.FromBitmap(decoded);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        }
        decoded.Dispose();
        return upright;
    }

    internal static SKBitmap Turn(byte[] bytes, int clockwiseDegrees)
    {
        using var source = Load(bytes);
        var swap = clockwiseDegrees % 180 != 0;
        var result = new SKBitmap(swap ? source.Height : source.Width, swap ? source.Width : source.Height);
        using var canvas = new SKCanvas(result);
        canvas.Translate(result.Width / 2f, result.Height / 2f);
        canvas.RotateDegrees(clockwiseDegrees);
        canvas.Translate(-source.Width / 2f, -source.Height / 2f);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return result;
    }

    private static SKBitmap TopCut(byte[] bytes, double share)
    {
        using var source = Load(bytes);
        var top = (int)(source.Height * share);
        var result = new SKBitmap(source.Width, source.Height - top);
        using var canvas = new SKCanvas(result);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, -top, new SKSamplingOptions(SKFilterMode.Nearest));
        return result;
    }

    private static SKBitmap HelperFront(FaceCorpus corpus, PairRow pair, byte[] bytes)
    {
        using var helper = Load(File.ReadAllBytes(Path.Combine(corpus.Root.FullName, HelperFor(pair))));
        using var pensioner = Load(bytes);
        const int height = 600;
        var helperWidth = helper.Width * height / helper.Height;
        var pensionerHeight = (int)(height * 0.55);
        var pensionerWidth = pensioner.Width * pensionerHeight / pensioner.Height;
        var result = new SKBitmap(helperWidth + pensionerWidth + 80, height + 40);
        using var canvas = new SKCanvas(result);
        canvas.Clear(new SKColor(110, 110, 110));
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var helperImage = SKImage.FromBitmap(helper);
        using var pensionerImage = SKImage.FromBitmap(pensioner);
        canvas.DrawImage(helperImage, SKRect.Create(0, 20, helperWidth, height), sampling);
        canvas.DrawImage(pensionerImage, SKRect.Create(helperWidth + 40, 60, pensionerWidth, pensionerHeight), sampling);
        return result;
    }

    /// <summary>Brightness halved, Gaussian sensor noise σ 8 (seeded by the path), as tester6's <c>lowlight</c>.</summary>
    private static SKBitmap LowLight(byte[] bytes, string seed)
    {
        var source = Load(bytes);
        var result = source.Copy(SKColorType.Rgba8888);
        source.Dispose();
        var hash = 2166136261u; // FNV-1a of the path: the same noise in every run (string.GetHashCode is randomised per process)
        foreach (var c in seed) hash = (hash ^ c) * 16777619u;
        var random = new Random((int)(hash & 0x7fffffff));
        var pixels = result.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i++)
        {
            if (i % 4 == 3) continue;
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var noise = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * 8;
            pixels[i] = (byte)Math.Clamp(Math.Round(pixels[i] * 0.5 + noise), 0, 255);
        }
        return result;
    }

    internal static byte[] Encode(SKBitmap bitmap, int quality)
    {
        using (bitmap)
        using (var image = SKImage.FromBitmap(bitmap))
        using (var data = image.Encode(SKEncodedImageFormat.Jpeg, quality))
            return data.ToArray();
    }

    /// <summary>Each (photo bytes, view) analysed once: the turned views of a probe serve every pair it is in.</summary>
    private sealed class CachingAnalyzer(FaceAnalyzer inner) : IFaceAnalyzer
    {
        private readonly ConcurrentDictionary<(byte[] Photo, FaceView View), Lazy<Task<FaceAnalysis>>> _cache = new();

        public Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, CancellationToken cancellationToken) =>
            AnalyzeAsync(photo, purpose, FaceView.Upright, cancellationToken);

        public Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, FaceView view, CancellationToken cancellationToken)
        {
            if (!MemoryMarshal.TryGetArray(photo, out var segment) || segment.Offset != 0 || segment.Count != segment.Array!.Length)
                return inner.AnalyzeAsync(photo, purpose, view, cancellationToken);
            return _cache.GetOrAdd((segment.Array, view), key => new Lazy<Task<FaceAnalysis>>(() => inner.AnalyzeAsync(key.Photo, purpose, key.View, CancellationToken.None))).Value;
        }
    }
}
