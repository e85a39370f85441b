using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;

namespace PensionCert.Tools;

/// <summary>
/// <c>evaluate --protocol lfw</c>: LFW view 2's 10-fold protocol over a folder whose PAIRS.csv has a <c>fold</c> column
/// (pairs 1-300 of the same person and 1-300 of different people are fold 1, and so on). The matcher is measured
/// apart from the policy: every pair is scored (the quality gates are reported, not applied; a side where no face is
/// found at all makes the pair an error), the threshold is chosen on nine folds and tested on the tenth. Then the
/// shipped policy's decisions on the same pairs, gates applied, as the product would decide them.
/// </summary>
internal static class LfwProtocol
{
    public static async Task<int> RunAsync(DirectoryInfo facesDir, FileInfo? json, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(facesDir.FullName, "PAIRS.csv")))
        {
            await output.WriteLineAsync($"No PAIRS.csv in {facesDir.FullName}.");
            return 2;
        }

        var pairs = FaceCorpus.LoadPairs(facesDir);
        if (pairs.Select(p => p.Fold).Distinct().Count() < 2)
        {
            await output.WriteLineAsync("PAIRS.csv needs a fold column with at least two folds for --protocol lfw.");
            return 2;
        }

        using var models = new FaceModels(Options.Create(new FaceModelOptions()), NullLogger<FaceModels>.Instance);
        if (!models.IsLoaded)
        {
            await output.WriteLineAsync($"Models missing: {string.Join(", ", models.Missing)}");
            return 2;
        }

        models.WarmUp();
        var quality = Evaluation.QualityOptions();
        var analyzer = new FaceAnalyzer(models, Options.Create(quality), NullLogger<FaceAnalyzer>.Instance);
        var o = new VerificationOptions();
        var policy = new VerificationPolicy(Options.Create(o));

        var paths = pairs.SelectMany(p => new[] { p.PathA, p.PathB }).Distinct(StringComparer.Ordinal).ToList();
        var results = new ConcurrentDictionary<string, FaceAnalysis>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var full = Path.Combine(facesDir.FullName, path);
            results[path] = File.Exists(full)
                ? analyzer.AnalyzeUngated(await File.ReadAllBytesAsync(full, ct), FaceAnalysisPurpose.Verification, out _)
                : FaceAnalysis.Failed(Reasons.PhotoUnavailable);
        });
        var elapsed = DateTime.UtcNow - started;

        var scored = pairs.Select(p => new VerificationMetrics.ScoredPair(p.Same, Similarity(results[p.PathA], results[p.PathB]), p.Fold)).ToList();
        var folds = VerificationMetrics.KFold(scored);
        var (tar3, t3) = VerificationMetrics.TarAtFar(scored, 1e-3);
        var (tar2, t2) = VerificationMetrics.TarAtFar(scored, 1e-2);
        var scoredCount = scored.Count(s => s.Score is not null);

        Evaluation.W(output, $"LFW protocol on {facesDir.FullName}: {pairs.Count} pairs in {folds.Folds.Count} folds, {paths.Count} photos analysed in {elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} threads (flip fusion {(quality.FlipFusion ? "on" : "off")}).");
        Evaluation.W(output, "");
        Evaluation.W(output, "== Matcher (quality gates reported, not applied; a side without any face is an error) ==");
        var noFace = paths.Where(p => results[p].Embedding is null).ToList();
        Evaluation.W(output, $"  photos without a face: {noFace.Count}{(noFace.Count > 0 ? " (" + string.Join(", ", noFace.Take(10)) + (noFace.Count > 10 ? ", …" : "") + ")" : "")}");
        var gates = paths.SelectMany(p => results[p].Embedding is null ? [] : results[p].Problems.Select(r => r.Code))
            .GroupBy(c => c).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
        Evaluation.W(output, $"  photos a quality gate would refuse (scored anyway): {(gates.Count == 0 ? "none" : string.Join(", ", gates.Select(g => $"{g.Key} {g.Value}")))}");
        for (var i = 0; i < folds.Folds.Count; i++)
            Evaluation.W(output, $"  fold {folds.Folds[i],2}: threshold {folds.FoldThresholds[i]:F3}, accuracy {folds.FoldAccuracies[i]:P2}");
        Evaluation.W(output, $"  10-fold accuracy {folds.Mean:P2} ± {folds.Std:P2}; TAR@FAR=1e-3 {tar3:P2} (threshold > {t3:F3}); TAR@FAR=1e-2 {tar2:P2} (threshold > {t2:F3})");
        Evaluation.W(output, "");

        // The shipped policy, gates applied: reference = path_a, probe = path_b (with its liveness), as the product decides.
        var decided = new List<Evaluation.ScoredPair>();
        var refusedByGate = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        foreach (var pair in pairs)
        {
            var a = results[pair.PathA];
            var b = results[pair.PathB];
            if (!a.IsUsable || !b.IsUsable)
            {
                refusedByGate[pair.Same]++;
                continue;
            }

            decided.Add(new Evaluation.ScoredPair(pair, b.Embedding!.CosineSimilarity(a.Embedding!), policy.Decide(b, a.Embedding!)));
        }

        var genuineTotal = pairs.Count(p => p.Same);
        var impostorTotal = pairs.Count - genuineTotal;
        Evaluation.W(output, $"== Shipped policy (accept {o.AcceptThreshold:F2}, review {o.ReviewThreshold:F2}, quality gates and liveness applied) ==");
        Evaluation.W(output, $"  refused by a quality gate (retake): genuine {refusedByGate[true]} of {genuineTotal}, impostor {refusedByGate[false]} of {impostorTotal}");
        Evaluation.W(output, $"  decided pairs  genuine: {Evaluation.Decisions(decided.Where(d => d.Pair.Same))}; impostor: {Evaluation.Decisions(decided.Where(d => !d.Pair.Same))}");
        var atAccept = scored.Where(s => s.Score is not null).ToList();
        Evaluation.W(output, $"  similarity alone at accept {o.AcceptThreshold:F2} (all scored pairs): TAR {Share(atAccept.Where(s => s.Same), s => s.Score >= o.AcceptThreshold)}, FAR {Share(atAccept.Where(s => !s.Same), s => s.Score >= o.AcceptThreshold)}");
        Evaluation.W(output, "");
        Evaluation.W(output, string.Create(CultureInfo.InvariantCulture, $"lfw-10fold accuracy={folds.Mean:F4} std={folds.Std:F4} scored={scoredCount}/{pairs.Count}"));

        if (json is not null)
        {
            var all = Evaluation.Summarise("ALL", decided, pairs, o);
            var sources = decided.GroupBy(d => d.Pair.Source).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Evaluation.Summarise(g.Key, g.ToList(), pairs.Where(p => p.Source == g.Key).ToList(), o)).ToList();
            var protocol = new ProtocolSummary("lfw", folds.Mean, folds.Std, scoredCount, pairs.Count, folds.FoldAccuracies, folds.FoldThresholds, tar3, tar2, gates);
            await new EvaluationSummary(facesDir.FullName, "lfw", paths.Count, pairs.Count, all, sources, protocol).WriteAsync(json, cancellationToken);
            Evaluation.W(output, $"Summary written to {json.FullName}");
        }

        return 0;
    }

    private static double? Similarity(FaceAnalysis a, FaceAnalysis b) =>
        a.Embedding is not null && b.Embedding is not null ? a.Embedding.CosineSimilarity(b.Embedding) : null;

    private static string Share<T>(IEnumerable<T> items, Func<T, bool> predicate)
    {
        var list = items.ToList();
        return list.Count == 0 ? "-" : (list.Count(predicate) / (double)list.Count).ToString("P1", CultureInfo.InvariantCulture);
    }
}
