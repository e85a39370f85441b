using System.Collections.Concurrent;
using System.Diagnostics;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using PensionCert.Tests.Shared;
using static PensionCert.Tools.Evaluation;

namespace PensionCert.Tools;

/// <summary>
/// <c>evaluate --attacks</c>: presentation attacks made at run time from the corpus (tester findings F3 and F6), and
/// what they do to genuine photos. (1) Noise: every spoof with Gaussian noise σ 8-50 (2 seeds, JPEG q80 and q95), and
/// the genuine probes with σ 4 and 8 (a phone in a dim room), against the noise gate
/// (<see cref="FaceQualityOptions.MaxNoiseLevel"/>): BPCER/APCER before and after, and a threshold table.
/// (2) Replay: each genuine pair's reference mirrored, recompressed (q50), with noise σ 5 and rotated 3°, submitted as
/// the selfie; decided with the similarity-only replay test (before) and with the mirrored comparison (after); and the
/// genuine pairs' mirrored similarities.
/// </summary>
internal static class AttackStudy
{
    private static readonly double[] SpoofSigmas = [8, 12, 15, 18, 20, 22, 25, 35, 50];
    private static readonly int[] Seeds = [1, 2];
    private static readonly int[] Qualities = [80, 95];
    private static readonly double[] GenuineSigmas = [8];
    private static readonly double[] Thresholds = [3, 4, 5, 6, 7, 8, 9, 10, 12, 15];

    private sealed record Variant(string Source, string Label, double Sigma, FaceAnalysis Analysis);

    public static async Task RunAsync(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results,
        FaceAnalyzer analyzer, VerificationPolicy policy, VerificationOptions o, FaceQualityOptions quality, CancellationToken cancellationToken)
    {
        var root = corpus.Root.FullName;
        var spoofs = corpus.Manifest.Where(m => m.Kind == "spoof").Select(m => m.Path).ToList();
        var jobs = new List<(string Path, string Label, double Sigma, Func<byte[], byte[]> Make)>();
        foreach (var path in spoofs)
            foreach (var sigma in SpoofSigmas)
                foreach (var seed in Seeds)
                    foreach (var q in Qualities)
                        jobs.Add((path, $"spoof σ{sigma} seed{seed} q{q}", sigma, b => PhotoTransforms.AddNoise(b, sigma, seed, q)));
        // Every 2nd genuine probe (about 100) with sensor-like noise σ 8 (the tester's "dim room" transform).
        var probes = corpus.Pairs.Where(p => p.Same).Select(p => p.PathB).Distinct(StringComparer.Ordinal)
            .Where(p => results[p].Analysis.IsUsable).Where((_, i) => i % 2 == 0).ToList();
        foreach (var path in probes)
            foreach (var sigma in GenuineSigmas)
                jobs.Add((path, $"genuine σ{sigma}", sigma, b => PhotoTransforms.AddNoise(b, sigma, 7, 80)));
        var noisy = await AnalyseAsync(root, jobs, analyzer, cancellationToken);

        NoiseReport(output, corpus, results, noisy, o, quality);
        F2Report(output, results, noisy, policy, o);
        await ReplayReportAsync(output, corpus, results, analyzer, policy, o, cancellationToken);
    }

    private static async Task<List<Variant>> AnalyseAsync(string root, List<(string Path, string Label, double Sigma, Func<byte[], byte[]> Make)> jobs,
        FaceAnalyzer analyzer, CancellationToken cancellationToken)
    {
        var bag = new ConcurrentBag<Variant>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (job, ct) =>
        {
            var bytes = job.Make(await File.ReadAllBytesAsync(Path.Combine(root, job.Path), ct));
            // Ungated: liveness and noise are measured even where a gate would refuse; Problems still lists too-noisy.
            bag.Add(new Variant(job.Path, job.Label, job.Sigma, analyzer.AnalyzeUngated(bytes, FaceAnalysisPurpose.Verification, out _)));
        });
        return [.. bag];
    }

    private static void NoiseReport(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results,
        List<Variant> noisy, VerificationOptions o, FaceQualityOptions quality)
    {
        var live = corpus.Manifest.Where(m => m.Kind == "live" && results[m.Path].Analysis.NoiseLevel is not null)
            .Select(m => (m.Path, m.Source, Noise: results[m.Path].Analysis.NoiseLevel!.Value, Liveness: results[m.Path].Analysis.LivenessScore!.Value)).ToList();
        var spoofOriginals = corpus.Manifest.Where(m => m.Kind == "spoof").Select(m => results[m.Path].Analysis).ToList();
        var spoofVariants = noisy.Where(v => v.Label.StartsWith("spoof", StringComparison.Ordinal) && v.Analysis.LivenessScore is not null).ToList();
        var genuineNoisy = noisy.Where(v => v.Label.StartsWith("genuine", StringComparison.Ordinal) && v.Analysis.NoiseLevel is not null).ToList();

        W(output, $"== Attacks: noise (Immerkær mask, median estimate, face box of the liveness input; grey levels) ==");
        W(output, $"  live photos ({live.Count}): noise median {Median(live.Select(l => l.Noise)):F2}, p95 {Pct(live.Select(l => l.Noise), 0.95):F2}, p99 {Pct(live.Select(l => l.Noise), 0.99):F2}, max {live.Max(l => l.Noise):F2} ({live.MaxBy(l => l.Noise).Path})");
        foreach (var group in live.GroupBy(l => l.Source).OrderBy(g => g.Key, StringComparer.Ordinal))
            W(output, $"    {group.Key,-17} n {group.Count(),3}: median {Median(group.Select(l => l.Noise)):F2}, max {group.Max(l => l.Noise):F2}");
        W(output, $"  spoofs as stored: noise {string.Join(", ", spoofOriginals.Select(a => F(a.NoiseLevel)))}; liveness {string.Join(", ", spoofOriginals.Select(a => F(a.LivenessScore, "F4")))}");
        foreach (var sigma in SpoofSigmas)
        {
            var set = spoofVariants.Where(v => v.Sigma == sigma).ToList();
            W(output, $"  spoofs + σ{sigma,-2} ({set.Count}): noise {set.Min(v => v.Analysis.NoiseLevel):F2}-{set.Max(v => v.Analysis.NoiseLevel):F2}, liveness max {set.Max(v => v.Analysis.LivenessScore):F3}, liveness ≥ reject {set.Count(v => v.Analysis.LivenessScore >= o.LivenessRejectThreshold)}, ≥ review {set.Count(v => v.Analysis.LivenessScore >= o.LivenessReviewThreshold)}");
        }
        foreach (var sigma in GenuineSigmas)
        {
            var set = genuineNoisy.Where(v => v.Sigma == sigma).ToList();
            W(output, $"  genuine probes + σ{sigma} q80 ({set.Count}): noise median {Median(set.Select(v => v.Analysis.NoiseLevel!.Value)):F2}, max {set.Max(v => v.Analysis.NoiseLevel):F2}; liveness < reject {set.Count(v => v.Analysis.LivenessScore < o.LivenessRejectThreshold)}, < review {set.Count(v => v.Analysis.LivenessScore < o.LivenessReviewThreshold)} (the same photos unmodified: {set.Count(v => results[v.Source].Analysis.LivenessScore < o.LivenessRejectThreshold)}, {set.Count(v => results[v.Source].Analysis.LivenessScore < o.LivenessReviewThreshold)})");
        }

        W(output, "  threshold | live photos refused too-noisy | genuine probes + σ8 refused | spoof variants passing liveness (APCER) | of them refused too-noisy");
        foreach (var t in Thresholds.Append(quality.MaxNoiseLevel).Where(t => t > 0).Distinct().Order())
        {
            var passing = spoofVariants.Where(v => v.Analysis.LivenessScore >= o.LivenessRejectThreshold).ToList();
            var stillPassing = passing.Count(v => v.Analysis.NoiseLevel <= t);
            W(output, $"  {t,9:F1} | {live.Count(l => l.Noise > t),3} of {live.Count} ({P(live.Count(l => l.Noise > t) / (double)live.Count)}) | {genuineNoisy.Count(v => v.Analysis.NoiseLevel > t)} of {genuineNoisy.Count} | {stillPassing} of {spoofVariants.Count} ({P(stillPassing / (double)spoofVariants.Count)}) | {passing.Count - stillPassing}");
        }

        if (quality.MaxNoiseLevel > 0)
        {
            var passingGate = spoofVariants.Where(v => v.Analysis.LivenessScore >= o.LivenessRejectThreshold && v.Analysis.NoiseLevel <= quality.MaxNoiseLevel).ToList();
            W(output, $"  spoof variants passing liveness and the noise gate {quality.MaxNoiseLevel:F1}: {passingGate.Count} ({string.Join("; ", passingGate.Select(v => $"{v.Source} {v.Label} noise {v.Analysis.NoiseLevel:F2} liveness {v.Analysis.LivenessScore:F3} → {(v.Analysis.LivenessScore < o.LivenessReviewThreshold ? "review" : "liveness passes")}"))})");
        }

        // Before: liveness alone. After: liveness and the configured noise gate (too-noisy is a retake, not an attack verdict).
        var gate = quality.MaxNoiseLevel;
        bool Refused(FaceAnalysis a, bool withGate) => a.LivenessScore < o.LivenessRejectThreshold || (withGate && gate > 0 && a.NoiseLevel > gate);
        var attacks = spoofOriginals.Concat(spoofVariants.Select(v => v.Analysis)).Where(a => a.LivenessScore is not null).ToList();
        W(output, $"  MaxNoiseLevel {gate:F1}: APCER (attack not refused) before {P(attacks.Count(a => !Refused(a, false)) / (double)attacks.Count)}, after {P(attacks.Count(a => !Refused(a, true)) / (double)attacks.Count)} of {attacks.Count} attacks (4 stored spoofs and their noise variants)");
        W(output, $"  MaxNoiseLevel {gate:F1}: live photos refused (face-not-live or too-noisy) before {P(live.Count(l => l.Liveness < o.LivenessRejectThreshold) / (double)live.Count)}, after {P(live.Count(l => l.Liveness < o.LivenessRejectThreshold || (gate > 0 && l.Noise > gate)) / (double)live.Count)} (of which too-noisy {live.Count(l => gate > 0 && l.Noise > gate)}: a retake, not counted)");
        W(output, "");
    }

    /// <summary>The tester's scenario: image_F2 (screen replay) with noise, decided against image_T1 (the same woman, live).</summary>
    private static void F2Report(TextWriter output, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results, List<Variant> noisy,
        VerificationPolicy policy, VerificationOptions o)
    {
        const string reference = "silent_face/image_T1.jpg", spoof = "silent_face/image_F2.jpg";
        if (!results.TryGetValue(reference, out var t1) || !t1.Analysis.IsUsable) return;
        var variants = noisy.Where(v => v.Source == spoof).ToList();
        string Decide(FaceAnalysis a, bool gated)
        {
            // Gated: the analysis as the product sees it (too-noisy refuses it before any comparison).
            var probe = gated || a.Problems.Count == 0 ? a : a with { Problems = a.Problems.Where(p => p != Reasons.TooNoisy).ToList() };
            var d = policy.Decide(probe, t1.Analysis.Embedding!);
            return d.Status + (d.Reasons.Count > 0 ? " " + string.Join('+', d.Reasons.Select(r => r.Code)) : "");
        }

        W(output, $"== Attacks: {spoof} + noise decided against {reference} ==");
        foreach (var group in variants.GroupBy(v => v.Sigma).OrderBy(g => g.Key))
        {
            var before = group.GroupBy(v => Decide(v.Analysis, false)).Select(g => $"{g.Key} {g.Count()}");
            var after = group.GroupBy(v => Decide(v.Analysis, true)).Select(g => $"{g.Key} {g.Count()}");
            W(output, $"  σ{group.Key,-2}: without the noise gate {string.Join(", ", before)} | with it {string.Join(", ", after)}");
        }
        W(output, "");
    }

    private static async Task ReplayReportAsync(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results,
        FaceAnalyzer analyzer, VerificationPolicy policy, VerificationOptions o, CancellationToken cancellationToken)
    {
        // Every 4th reference of a genuine pair (about 50; each copy is decoded, transformed and analysed in full).
        var references = corpus.Pairs.Where(p => p.Same).Select(p => p.PathA).Distinct(StringComparer.Ordinal).Where(p => results[p].Analysis.IsUsable)
            .Where((_, i) => i % 4 == 0).ToList();
        var jobs = new List<(string Path, string Label, double Sigma, Func<byte[], byte[]> Make)>();
        foreach (var path in references)
        {
            jobs.Add((path, "mirror", 0, b => PhotoTransforms.Mirror(b)));
            jobs.Add((path, "mirror q50", 0, b => PhotoTransforms.Mirror(b, 50)));
            jobs.Add((path, "q90", 0, b => PhotoTransforms.Recompress(b, 90)));
            jobs.Add((path, "q50", 0, b => PhotoTransforms.Recompress(b, 50)));
            jobs.Add((path, "noise σ5", 0, b => PhotoTransforms.AddNoise(b, 5, 3, 90)));
            jobs.Add((path, "rotate 3°", 0, b => PhotoTransforms.Rotate(b, 3)));
        }
        var copies = new ConcurrentBag<Variant>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (job, ct) =>
        {
            var bytes = job.Make(await File.ReadAllBytesAsync(Path.Combine(corpus.Root.FullName, job.Path), ct));
            copies.Add(new Variant(job.Path, job.Label, 0, analyzer.Analyze(bytes, FaceAnalysisPurpose.Verification, out _, ct)));
        });

        W(output, $"== Attacks: the reference itself, modified, as the selfie ({references.Count} references of genuine pairs) ==");
        W(output, "  modification | usable | similarity min-max | mirrored similarity min-max | before: replay review / Approved | after: replay review / Approved");
        foreach (var group in copies.GroupBy(c => c.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var usable = group.Where(c => c.Analysis.IsUsable).ToList();
            var sims = usable.Select(c => c.Analysis.Embedding!.CosineSimilarity(results[c.Source].Analysis.Embedding!)).ToList();
            var mirrored = usable.Select(c => c.Analysis.MirroredEmbedding!.Value.CosineSimilarity(results[c.Source].Analysis.Embedding!)).ToList();
            var after = usable.Select(c => policy.Decide(c.Analysis, results[c.Source].Analysis.Embedding!)).ToList();
            var beforeReplay = sims.Count(s => s >= o.ReplayThreshold);
            var beforeApproved = usable.Zip(sims).Count(x => x.Second < o.ReplayThreshold && x.Second >= o.AcceptThreshold
                && x.First.Analysis.LivenessScore >= o.LivenessReviewThreshold);
            var afterReplay = after.Count(d => d.Reasons.Contains(Reasons.ProbeMatchesReference));
            var afterApproved = after.Count(d => d.Status == CertificationStatus.Approved);
            W(output, $"  {group.Key,-11} | {usable.Count,3} of {group.Count()} | {(sims.Count == 0 ? "-" : $"{sims.Min():F3}-{sims.Max():F3}")} | {(mirrored.Count == 0 ? "-" : $"{mirrored.Min():F3}-{mirrored.Max():F3}")} | {beforeReplay} / {beforeApproved} | {afterReplay} / {afterApproved}");
        }

        // Genuine pairs: never a replay. And the cost of the mirrored comparison where it runs.
        var genuine = corpus.Pairs.Where(p => p.Same && results[p.PathA].Analysis.IsUsable && results[p.PathB].Analysis.IsUsable).ToList();
        var checkedPairs = genuine.Where(p => results[p.PathB].Analysis.Embedding!.CosineSimilarity(results[p.PathA].Analysis.Embedding!) >= o.MirrorCheckFrom).ToList();
        var mirroredGenuine = genuine.Select(p => (Pair: p, Sim: results[p.PathB].Analysis.MirroredEmbedding!.Value.CosineSimilarity(results[p.PathA].Analysis.Embedding!))).ToList();
        var top = mirroredGenuine.MaxBy(x => x.Sim);
        var replayed = genuine.Count(p => policy.IsReplay(results[p.PathB].Analysis, [results[p.PathA].Analysis.Embedding!],
            results[p.PathB].Analysis.Embedding!.CosineSimilarity(results[p.PathA].Analysis.Embedding!)));
        var times = new List<double>();
        foreach (var path in references.Take(20))
        {
            var again = analyzer.Analyze(await File.ReadAllBytesAsync(Path.Combine(corpus.Root.FullName, path), cancellationToken), FaceAnalysisPurpose.Verification, out _, cancellationToken);
            var watch = Stopwatch.StartNew();
            _ = again.MirroredEmbedding!.Value;
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        W(output, $"  genuine pairs ({genuine.Count} usable): best similarity ≥ MirrorCheckFrom {o.MirrorCheckFrom:F2} (mirrored embedding computed): {checkedPairs.Count} ({P(checkedPairs.Count / (double)genuine.Count)}); highest mirrored similarity {top.Sim:F4} ({top.Pair.PathA} vs {top.Pair.PathB}); sent to replay review: {replayed}");
        W(output, $"  mirrored embedding, when computed: median {Median(times):F1} ms, max {times.Max():F1} ms over {times.Count} photos (one fr_feature run; {Environment.ProcessorCount} cores, shared machine)");
        W(output, "");
    }

    private static double Pct(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(x => x).ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }

    private static string F(double? value, string format = "F2") => value?.ToString(format, System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
