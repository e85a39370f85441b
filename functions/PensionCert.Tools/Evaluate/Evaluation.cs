using Microsoft.Extensions.Configuration;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;

namespace PensionCert.Tools;

/// <summary>
/// The <c>evaluate</c> command: analyses every photo of the corpus once (as a verification probe, so liveness is scored
/// too), then reports verification accuracy on PAIRS.csv and liveness accuracy on the live and spoof photos, against the
/// shipped thresholds of <see cref="VerificationOptions"/>.
/// </summary>
internal static class Evaluation
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(DirectoryInfo facesDir, bool thresholdReport, FileInfo? json, TextWriter output, CancellationToken cancellationToken, bool attacks = false, bool copies = false)
    {
        if (!File.Exists(Path.Combine(facesDir.FullName, "MANIFEST.csv")) || !File.Exists(Path.Combine(facesDir.FullName, "PAIRS.csv")))
        {
            await output.WriteLineAsync($"No MANIFEST.csv and PAIRS.csv in {facesDir.FullName}.");
            return 2;
        }

        var corpus = FaceCorpus.Load(facesDir);
        using var models = new FaceModels(Options.Create(new FaceModelOptions()), NullLogger<FaceModels>.Instance);
        if (!models.IsLoaded)
        {
            await output.WriteLineAsync($"Models missing: {string.Join(", ", models.Missing)}");
            return 2;
        }

        models.WarmUp();
        var quality = QualityOptions();
        var analyzer = new FaceAnalyzer(models, Options.Create(quality), NullLogger<FaceAnalyzer>.Instance);
        var policy = new VerificationPolicy(Options.Create(new VerificationOptions()));

        // Each image analysed once, in parallel (also exercises thread safety).
        var paths = corpus.Manifest.Select(m => m.Path).Concat(corpus.Pairs.SelectMany(p => new[] { p.PathA, p.PathB })).Distinct().ToList();
        var results = new ConcurrentDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(facesDir.FullName, path), ct);
            var analysis = analyzer.Analyze(bytes, FaceAnalysisPurpose.Verification, out var timings, ct);
            results[path] = (analysis, timings);
        });
        var elapsed = DateTime.UtcNow - started;

        var o = new VerificationOptions();
        W(output, $"Corpus {facesDir.FullName}: {corpus.Manifest.Count} photos, {corpus.Pairs.Count} pairs; {paths.Count} photos analysed in {elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} threads.");
        W(output, $"Shipped thresholds: accept {o.AcceptThreshold:F2}, review {o.ReviewThreshold:F2}, liveness reject {o.LivenessRejectThreshold:F3}, liveness review {o.LivenessReviewThreshold:F3}.");
        W(output, "");

        ReportPhotos(output, corpus, results);
        var scored = ScorePairs(output, corpus, results, policy);
        var all = ReportVerification(output, "ALL", scored, corpus.Pairs, o);
        var sources = new List<CohortSummary>();
        foreach (var group in scored.GroupBy(s => s.Pair.Source).OrderBy(g => g.Key, StringComparer.Ordinal))
            sources.Add(ReportVerification(output, group.Key, group.ToList(), corpus.Pairs.Where(p => p.Source == group.Key).ToList(), o));
        ReportLiveness(output, corpus, results, o);
        ReportQuality(output, corpus, results);
        ReportTimings(output, results.Values.Select(r => r.Timings).ToList());
        var ageing = AgeingSimulator.Run(output, corpus, results, o);
        await SecondLookStudy.RunAsync(output, corpus, results, analyzer, policy, cancellationToken);
        if (thresholdReport) ReportThresholds(output, scored);
        if (attacks) await AttackStudy.RunAsync(output, corpus, results, analyzer, policy, o, quality, cancellationToken);
        if (attacks || copies) await CopyStudy.RunAsync(output, corpus, results, analyzer, policy, o, cancellationToken);
        if (json is not null)
        {
            await new EvaluationSummary(facesDir.FullName, "corpus", paths.Count, corpus.Pairs.Count, all, sources, Ageing: ageing).WriteAsync(json, cancellationToken);
            W(output, $"Summary written to {json.FullName}");
        }

        return 0;
    }

    /// <summary>
    /// The quality settings evaluate runs with: the shipped defaults, overridden by environment variables in the
    /// configuration's form (<c>PensionCert__Quality__FlipFusion=true</c>), so a setting's effect can be measured.
    /// </summary>
    internal static FaceQualityOptions QualityOptions()
    {
        var options = new FaceQualityOptions();
        Microsoft.Extensions.Configuration.EnvironmentVariablesExtensions.AddEnvironmentVariables(new Microsoft.Extensions.Configuration.ConfigurationBuilder()).Build()
            .GetSection(FaceQualityOptions.SectionName).Bind(options); // ConfigurationBinder
        return options;
    }

    internal sealed record ScoredPair(PairRow Pair, double Similarity, VerificationDecision Decision);

    private static void ReportPhotos(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results)
    {
        W(output, "== Photos by kind: outcome (problem codes) ==");
        foreach (var kind in corpus.Manifest.GroupBy(m => m.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var outcomes = kind.GroupBy(m => Outcome(results[m.Path].Analysis)).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Key} {g.Count()}");
            W(output, $"  {kind.Key,-10} {kind.Count(),4}: {string.Join(", ", outcomes)}");
        }

        foreach (var row in corpus.Manifest.Where(m => m.Kind == "live" && !results[m.Path].Analysis.IsUsable))
            W(output, $"  unusable live photo: {row.Path} -> {Outcome(results[row.Path].Analysis)}");
        foreach (var row in corpus.Manifest.Where(m => m.Kind is "noface" or "multiface" or "rotated" or "spoof"))
            W(output, $"  {row.Kind,-10} {row.Path} -> {Outcome(results[row.Path].Analysis)} (faces {results[row.Path].Analysis.FaceCount}, liveness {F(results[row.Path].Analysis.LivenessScore, "F4")})");
        W(output, "");
    }

    private static List<ScoredPair> ScorePairs(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results, VerificationPolicy policy)
    {
        var scored = new List<ScoredPair>();
        var unusable = new Dictionary<string, int>(StringComparer.Ordinal);
        int unusableGenuine = 0, unusableImpostor = 0;
        foreach (var pair in corpus.Pairs)
        {
            var a = results[pair.PathA].Analysis;
            var b = results[pair.PathB].Analysis;
            if (!a.IsUsable || !b.IsUsable)
            {
                if (pair.Same) unusableGenuine++;
                else unusableImpostor++;
                foreach (var bad in new[] { a, b }.Where(x => !x.IsUsable))
                    unusable[Outcome(bad)] = unusable.GetValueOrDefault(Outcome(bad)) + 1;
                continue;
            }

            // Reference = path_a (enrolment), probe = path_b (verification selfie, with its liveness score).
            var decision = policy.Decide(b, a.Embedding!);
            scored.Add(new ScoredPair(pair, b.Embedding!.CosineSimilarity(a.Embedding!), decision));
        }

        var genuine = corpus.Pairs.Count(p => p.Same);
        W(output, "== Pairs ==");
        W(output, $"  genuine {genuine} (usable {genuine - unusableGenuine}, unusable {unusableGenuine}); impostor {corpus.Pairs.Count - genuine} (usable {corpus.Pairs.Count - genuine - unusableImpostor}, unusable {unusableImpostor})");
        if (unusable.Count > 0) W(output, $"  unusable pair sides by reason: {string.Join(", ", unusable.Select(kv => $"{kv.Key} {kv.Value}"))}");
        W(output, "");
        return scored;
    }

    private static CohortSummary ReportVerification(TextWriter output, string label, IReadOnlyList<ScoredPair> scored, IReadOnlyList<PairRow> pairs, VerificationOptions o)
    {
        var genuine = scored.Where(s => s.Pair.Same).Select(s => s.Similarity).OrderBy(x => x).ToArray();
        var impostor = scored.Where(s => !s.Pair.Same).Select(s => s.Similarity).OrderByDescending(x => x).ToArray();
        var summary = Summarise(label, scored, pairs, o);
        W(output, $"== Verification: {label} ({genuine.Length} genuine, {impostor.Length} impostor usable pairs) ==");
        if (genuine.Length == 0 || impostor.Length == 0)
        {
            W(output, "  (not enough pairs)");
            W(output, "");
            return summary;
        }

        var (eer, eerThreshold) = VerificationMetrics.Eer(genuine, impostor);
        var allowed = (int)Math.Floor(0.01 * impostor.Length);
        var farThreshold = allowed < impostor.Length ? impostor[allowed] : -1;
        var tarAtFar = genuine.Count(g => g > farThreshold) / (double)genuine.Length;
        var tarAccept = genuine.Count(g => g >= o.AcceptThreshold) / (double)genuine.Length;
        var farAccept = impostor.Count(i => i >= o.AcceptThreshold) / (double)impostor.Length;
        var top = scored.Where(s => !s.Pair.Same).MaxBy(s => s.Similarity)!;
        var low = scored.Where(s => s.Pair.Same).MinBy(s => s.Similarity)!;
        var high = scored.Where(s => s.Pair.Same).MaxBy(s => s.Similarity)!;
        W(output, $"  EER {P(eer)} (at {eerThreshold:F3}); TAR@FAR=1e-2 {P(tarAtFar)} (threshold > {farThreshold:F3}); genuine median similarity {Median(genuine):F3}");
        W(output, $"  at accept {o.AcceptThreshold:F2}: TAR {P(tarAccept)}, FAR {P(farAccept)}");
        W(output, $"  highest impostor {top.Similarity:F4} ({top.Pair.PathA} vs {top.Pair.PathB}); lowest genuine {low.Similarity:F4} ({low.Pair.PathA} vs {low.Pair.PathB}); highest genuine {high.Similarity:F4} (replay threshold {o.ReplayThreshold:F2})");
        W(output, $"  similarity bands  genuine: {Bands(genuine, o)}; impostor: {Bands(impostor, o)}");
        W(output, $"  policy decisions  genuine: {Decisions(scored.Where(s => s.Pair.Same))}; impostor: {Decisions(scored.Where(s => !s.Pair.Same))}");
        W(output, "");
        return summary;
    }

    /// <summary>The machine-readable figures of a cohort: similarity figures over its usable pairs, decision shares of those pairs.</summary>
    internal static CohortSummary Summarise(string label, IReadOnlyList<ScoredPair> scored, IReadOnlyList<PairRow> pairs, VerificationOptions o)
    {
        var genuine = scored.Where(s => s.Pair.Same).Select(s => s.Similarity).OrderBy(x => x).ToArray();
        var impostor = scored.Where(s => !s.Pair.Same).Select(s => s.Similarity).ToArray();
        var asPairs = scored.Select(s => new VerificationMetrics.ScoredPair(s.Pair.Same, s.Similarity, 0)).ToArray();
        DecisionShares Shares(IEnumerable<ScoredPair> set)
        {
            var list = set.ToList();
            double Share(CertificationStatus status) => list.Count == 0 ? double.NaN : list.Count(p => p.Decision.Status == status) / (double)list.Count;
            return new DecisionShares(Share(CertificationStatus.Approved), Share(CertificationStatus.NeedsReview), Share(CertificationStatus.Rejected));
        }

        return new CohortSummary(label, pairs.Count(p => p.Same), pairs.Count(p => !p.Same), genuine.Length, impostor.Length,
            VerificationMetrics.Eer(genuine, impostor).Eer, VerificationMetrics.TarAtFar(asPairs, 1e-2).Tar, o.AcceptThreshold,
            genuine.Length == 0 ? double.NaN : genuine.Count(g => g >= o.AcceptThreshold) / (double)genuine.Length,
            impostor.Length == 0 ? double.NaN : impostor.Count(i => i >= o.AcceptThreshold) / (double)impostor.Length,
            genuine.Length == 0 ? null : Median(genuine), impostor.Length == 0 ? null : impostor.Max(), genuine.Length == 0 ? null : genuine.Min(),
            Shares(scored.Where(s => s.Pair.Same)), Shares(scored.Where(s => !s.Pair.Same)));
    }

    private static void ReportLiveness(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results, VerificationOptions o)
    {
        double[] Scores(string kind) => corpus.Manifest.Where(m => m.Kind == kind)
            .Select(m => results[m.Path].Analysis.LivenessScore).OfType<double>().OrderBy(x => x).ToArray();
        var live = Scores("live");
        var spoof = Scores("spoof");
        W(output, $"== Liveness ({live.Length} scored live photos, {spoof.Length} scored spoofs) ==");
        W(output, $"  live below 0.003: {live.Count(x => x < 0.003)}, 0.01: {live.Count(x => x < 0.01)}, 0.05: {live.Count(x => x < 0.05)}, 0.1: {live.Count(x => x < 0.1)}, 0.5: {live.Count(x => x < 0.5)}; median {Median(live):F3}");
        var lowBySource = corpus.Manifest.Where(m => m.Kind == "live" && results[m.Path].Analysis.LivenessScore < o.LivenessReviewThreshold)
            .GroupBy(m => m.Source).Select(g => $"{g.Key} {g.Count()}");
        W(output, $"  live below the review threshold by source: {string.Join(", ", lowBySource)}");
        W(output, $"  spoof scores: {string.Join(", ", spoof.Select(x => x.ToString("F5", Inv)))}");
        var bpcerReject = live.Count(x => x < o.LivenessRejectThreshold) / (double)Math.Max(1, live.Length);
        var liveReview = live.Count(x => x >= o.LivenessRejectThreshold && x < o.LivenessReviewThreshold) / (double)Math.Max(1, live.Length);
        var apcerPass = spoof.Count(x => x >= o.LivenessRejectThreshold) / (double)Math.Max(1, spoof.Length);
        var apcerAuto = spoof.Count(x => x >= o.LivenessReviewThreshold) / (double)Math.Max(1, spoof.Length);
        W(output, $"  at reject {o.LivenessRejectThreshold:F3}: BPCER (live rejected) {P(bpcerReject)}, APCER (spoof not rejected) {P(apcerPass)}");
        W(output, $"  at review {o.LivenessReviewThreshold:F3}: live sent to review {P(liveReview)}, spoof passing without review {P(apcerAuto)}");
        W(output, "");
    }

    private static void ReportQuality(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results)
    {
        var q = corpus.Manifest.Where(m => m.Kind == "live").Select(m => results[m.Path].Analysis.Quality).OfType<FaceQuality>().Where(x => x.Brightness > 0).ToList();
        if (q.Count == 0) return;
        W(output, $"== Quality of live photos ({q.Count} measured) ==");
        W(output, $"  face width px min {q.Min(x => x.FaceWidthPixels):F0}, median {Median(q.Select(x => x.FaceWidthPixels)):F0}");
        W(output, $"  brightness min {q.Min(x => x.Brightness):F1}, max {q.Max(x => x.Brightness):F1}; sharpness min {q.Min(x => x.Sharpness):F1}, p5 {Percentile(q.Select(x => x.Sharpness), 0.05):F1}, median {Median(q.Select(x => x.Sharpness)):F1}");
        W(output, $"  |yaw| max {q.Max(x => Math.Abs(x.YawDegrees)):F1}, p95 {Percentile(q.Select(x => Math.Abs(x.YawDegrees)), 0.95):F1}; pitch min {q.Min(x => x.PitchDegrees):F1}, max {q.Max(x => x.PitchDegrees):F1}, median {Median(q.Select(x => x.PitchDegrees)):F1}");
        W(output, "");
    }

    private static void ReportTimings(TextWriter output, IReadOnlyList<FaceAnalysisTimings> timings)
    {
        var full = timings.Where(t => t.LivenessMs > 0).ToList();
        W(output, $"== Stage timings, median ms over {full.Count} fully analysed photos ({Environment.ProcessorCount} concurrent analyses) ==");
        W(output, $"  decode {Median(full.Select(t => t.DecodeMs)):F1}, detect {Median(full.Select(t => t.DetectMs)):F1}, landmarks {Median(full.Select(t => t.LandmarksMs)):F1}, align+quality {Median(full.Select(t => t.AlignMs)):F1}, embed {Median(full.Select(t => t.EmbedMs)):F1}, liveness {Median(full.Select(t => t.LivenessMs)):F1}, total {Median(full.Select(t => t.TotalMs)):F1}");
        W(output, "");
    }

    private static void ReportThresholds(TextWriter output, IReadOnlyList<ScoredPair> scored)
    {
        W(output, "== Threshold report (similarity only) ==");
        W(output, "  threshold   FAR      FRR      FRR(fgnet)  impostors>=  genuine<");
        var genuine = scored.Where(s => s.Pair.Same).ToList();
        var impostor = scored.Where(s => !s.Pair.Same).ToList();
        var fgnet = genuine.Where(s => s.Pair.Source == "fgnet").ToList();
        for (var t = 0.10; t <= 0.701; t += 0.02)
        {
            var fa = impostor.Count(s => s.Similarity >= t);
            var fr = genuine.Count(s => s.Similarity < t);
            var frFg = fgnet.Count(s => s.Similarity < t);
            W(output, $"  {t,9:F2}   {P(fa / (double)impostor.Count),-7}  {P(fr / (double)genuine.Count),-7}  {P(frFg / (double)Math.Max(1, fgnet.Count)),-10}  {fa,10}  {fr,8}");
        }

        W(output, "");
    }

    private static string Bands(IReadOnlyCollection<double> scores, VerificationOptions o) =>
        $"approve {P(scores.Count(s => s >= o.AcceptThreshold) / (double)scores.Count)} / review {P(scores.Count(s => s >= o.ReviewThreshold && s < o.AcceptThreshold) / (double)scores.Count)} / reject {P(scores.Count(s => s < o.ReviewThreshold) / (double)scores.Count)}";

    internal static string Decisions(IEnumerable<ScoredPair> pairs)
    {
        var list = pairs.ToList();
        string Share(CertificationStatus status) => P(list.Count(p => p.Decision.Status == status) / (double)list.Count);
        var notLive = list.Count(p => p.Decision.Reasons.Contains(Reasons.FaceNotLive));
        return $"Approved {Share(CertificationStatus.Approved)} / NeedsReview {Share(CertificationStatus.NeedsReview)} / Rejected {Share(CertificationStatus.Rejected)} (of which face-not-live {notLive})";
    }

    internal static string Outcome(FaceAnalysis analysis) => analysis.IsUsable ? "usable" : string.Join('+', analysis.Problems.Select(p => p.Code));

    internal static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    private static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(x => x).ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }

    internal static string P(double share) => share.ToString("P1", Inv);

    private static string F(double? value, string format) => value?.ToString(format, Inv) ?? "-";

    internal static void W(TextWriter output, string line) => output.WriteLine(line);
}
