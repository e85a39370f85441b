using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;

namespace PensionCert.Tools;

/// <summary>
/// <c>evaluate --reference-orientation</c> (tester6 F12): every live photo of the corpus, as stored and turned 90°, 180°
/// and 270° clockwise without EXIF (a clerk's scanner or webcam pipeline, a stripped upload), analysed as a reference
/// photo before (the upright analysis only, as enrolment did) and after (<see cref="ReferenceOrientation"/>). Reports
/// per turn the photos enrolled in the right orientation, in a wrong one (a template of a misread face) and refused,
/// the first enrolments the liveness gate would refuse, then the genuine and impostor pairs of PAIRS.csv decided
/// (upright probes) against each chosen reference, and the time of the upright path. <c>--orientation-csv</c> also
/// writes the evidence of every view of every turned photo (the data the rule's thresholds were chosen on).
/// </summary>
internal static class ReferenceOrientationStudy
{
    private static readonly int[] Turns = [0, 90, 180, 270];

    private sealed record Outcome(string Path, int Turn, FaceAnalysis Before, ReferenceReading After, double BeforeMs, double AfterMs, double CheckMs);

    public static async Task<int> RunAsync(TextWriter output, DirectoryInfo facesDir, FileInfo? csv, CancellationToken cancellationToken)
    {
        var corpus = FaceCorpus.Load(facesDir);
        var modelOptions = new FaceModelOptions();
        using var models = new FaceModels(Options.Create(modelOptions), NullLogger<FaceModels>.Instance);
        if (!models.IsLoaded)
        {
            await output.WriteLineAsync($"Models missing: {string.Join(", ", models.Missing)}");
            return 2;
        }
        models.WarmUp();
        var quality = Evaluation.QualityOptions();
        var analyzer = new FaceAnalyzer(models, Options.Create(quality), NullLogger<FaceAnalyzer>.Instance);
        var policy = new VerificationPolicy(Options.Create(new VerificationOptions()));
        var live = corpus.Manifest.Where(m => m.Kind == "live").Select(m => m.Path).ToList();

        var started = Stopwatch.GetTimestamp();
        var outcomes = new ConcurrentBag<Outcome>();
        await Parallel.ForEachAsync(live, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var original = await File.ReadAllBytesAsync(Path.Combine(facesDir.FullName, path), ct);
            foreach (var turn in Turns)
            {
                var bytes = turn == 0 ? original : SecondLookStudy.Encode(SecondLookStudy.Turn(original, turn), 90);
                var t0 = Stopwatch.GetTimestamp();
                var before = await analyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Enrollment, ct);
                var tc = Stopwatch.GetTimestamp();
                if (before.IsUsable) _ = ReferenceOrientation.MirrorConsistency(before); // the cheap check's own cost: one more embedding
                var checkMs = Stopwatch.GetElapsedTime(tc).TotalMilliseconds;
                var t1 = Stopwatch.GetTimestamp();
                var after = await analyzer.AnalyzeReferenceAsync(bytes, FaceAnalysisPurpose.Enrollment, ct);
                var t2 = Stopwatch.GetTimestamp();
                outcomes.Add(new Outcome(path, turn, before, after, Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds, checkMs));
            }
        });
        Evaluation.W(output, $"== Reference photos turned without EXIF (ReferenceOrientation): {live.Count} live photos x {Turns.Length} turns in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s on {Environment.ProcessorCount} threads ==");
        Evaluation.W(output, "  right = enrolled as the face upright; wrong = enrolled from a misread face; not live = a first live-capture enrolment refused reference-not-live");
        foreach (var turn in Turns)
        {
            var of = outcomes.Where(o => o.Turn == turn).ToList();
            Evaluation.W(output, $"  turned {turn,3}°  before: {Tally(of.Select(o => (o.Before, (360 - turn) % 360 == 0 ? 0 : -1)), policy)}");
            Evaluation.W(output, $"               after:  {Tally(of.Select(o => (o.After.Analysis, (o.After.ClockwiseDegrees + turn) % 360 == 0 ? 0 : -1)), policy)}; compared the turns for {of.Count(o => o.After.Path == ReferenceOrientationPath.Compared)}");
        }
        var upright = outcomes.Where(o => o.Turn == 0).ToList();
        var changed = upright.Where(o => o.Before.IsUsable != o.After.Analysis.IsUsable || o.After.ClockwiseDegrees != 0
            || (o.Before.IsUsable && o.Before.Embedding!.CosineSimilarity(o.After.Analysis.Embedding!) < 0.9999)).Select(o => o.Path).ToList();
        Evaluation.W(output, $"  upright photos whose enrolment changed: {changed.Count}{(changed.Count > 0 ? " (" + string.Join(", ", changed) + ")" : "")}");
        ReportTimes(output, upright);
        ReportPairs(output, corpus, outcomes, analyzer, policy);
        if (csv is not null) await WriteEvidenceAsync(csv, live, facesDir, analyzer, cancellationToken);
        Evaluation.W(output, "");
        return 0;
    }

    /// <summary>right / wrong / refused (codes) / not live; <c>Item2</c> is 0 when the analysis is of the face upright.</summary>
    private static string Tally(IEnumerable<(FaceAnalysis Analysis, int Offset)> readings, VerificationPolicy policy)
    {
        var list = readings.ToList();
        var usable = list.Where(r => r.Analysis.IsUsable).ToList();
        var refused = list.Where(r => !r.Analysis.IsUsable).SelectMany(r => r.Analysis.Problems.Take(1)).GroupBy(p => p.Code)
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        var notLive = usable.Count(r => !(r.Analysis.LivenessScore >= policy.LivenessRejectThreshold));
        return $"right {usable.Count(r => r.Offset == 0)}, wrong {usable.Count(r => r.Offset != 0)}, refused {list.Count - usable.Count} ({string.Join(", ", refused)}); of the enrolled, not live {notLive}";
    }

    private static void ReportTimes(TextWriter output, List<Outcome> upright)
    {
        static string Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? "-" : $"{sorted[sorted.Count / 2]:F1} ms (n {sorted.Count})";
        }
        var fast = upright.Where(o => o.After.Path == ReferenceOrientationPath.Upright && o.Before.IsUsable).ToList();
        var compared = upright.Where(o => o.After.Path == ReferenceOrientationPath.Compared).ToList();
        Evaluation.W(output, $"  time of the upright photos (median, {Environment.ProcessorCount} analyses in parallel): plain analysis {Median(upright.Select(o => o.BeforeMs))}; "
            + $"the cheap check alone (mirrored embedding) {Median(upright.Where(o => o.Before.IsUsable).Select(o => o.CheckMs))}; "
            + $"with the orientation rule, cheap check passed {Median(fast.Select(o => o.AfterMs))} against {Median(fast.Select(o => o.BeforeMs))} without; turns compared {Median(compared.Select(o => o.AfterMs))}");
    }

    /// <summary>Genuine and impostor pairs whose reference is a live photo: the upright probe decided against the reference chosen for each turn.</summary>
    private static void ReportPairs(TextWriter output, FaceCorpus corpus, ConcurrentBag<Outcome> outcomes, FaceAnalyzer analyzer, VerificationPolicy policy)
    {
        var readings = outcomes.ToDictionary(o => (o.Path, o.Turn));
        var probes = new ConcurrentDictionary<string, FaceAnalysis>(StringComparer.Ordinal);
        var pairs = corpus.Pairs.Where(p => readings.ContainsKey((p.PathA, 0))).ToList();
        Parallel.ForEach(pairs.Select(p => p.PathB).Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
            probes[path] = analyzer.Analyze(File.ReadAllBytes(Path.Combine(corpus.Root.FullName, path)), FaceAnalysisPurpose.Verification, out _));
        Evaluation.W(output, "  PAIRS.csv, the upright probe decided against the reference as enrolled (a refused reference: no certification possible)");
        foreach (var turn in Turns)
        {
            foreach (var same in new[] { true, false })
            {
                string Line(Func<Outcome, FaceAnalysis> reference)
                {
                    int approved = 0, review = 0, rejected = 0, none = 0;
                    foreach (var pair in pairs.Where(p => p.Same == same))
                    {
                        var analysis = reference(readings[(pair.PathA, turn)]);
                        if (!analysis.IsUsable) { none++; continue; }
                        var decision = policy.Decide(probes[pair.PathB], analysis.Embedding!);
                        if (decision.Status == CertificationStatus.Approved) approved++;
                        else if (decision.Status == CertificationStatus.NeedsReview) review++;
                        else rejected++;
                    }
                    return $"Approved {approved} / NeedsReview {review} / Rejected {rejected} / no reference {none}";
                }
                var kind = same ? "genuine " : "impostor";
                Evaluation.W(output, $"    turned {turn,3}° {kind} before: {Line(o => o.Before)}");
                Evaluation.W(output, $"                    after:  {Line(o => o.After.Analysis)}");
            }
        }
    }

    /// <summary>Every view of every turned photo with its orientation evidence (detector logit, mirror consistency, eye-line roll, fr_pose).</summary>
    private static async Task WriteEvidenceAsync(FileInfo csv, List<string> live, DirectoryInfo facesDir, FaceAnalyzer analyzer, CancellationToken cancellationToken)
    {
        var modelOptions = new FaceModelOptions();
        using var models = new FaceModels(Options.Create(modelOptions), NullLogger<FaceModels>.Instance);
        using var actions = new ActionModels(Options.Create(modelOptions));
        var quality = Evaluation.QualityOptions();
        var lines = new ConcurrentBag<(string Path, int Turn, int View, string Line)>();
        var inv = CultureInfo.InvariantCulture;
        await Parallel.ForEachAsync(live, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var original = await File.ReadAllBytesAsync(Path.Combine(facesDir.FullName, path), ct);
            FaceEmbedding? upright = null;
            foreach (var turn in Turns)
            {
                var bytes = turn == 0 ? original : SecondLookStudy.Encode(SecondLookStudy.Turn(original, turn), 90);
                foreach (var view in Turns)
                {
                    var a = analyzer.Analyze(bytes, FaceAnalysisPurpose.Enrollment, new FaceView(view), out _, ct);
                    if (turn == 0 && view == 0) upright = a.Embedding;
                    var g = OrientationReader.Read(models, actions.Pose, quality, bytes, view);
                    var sim = upright is not null && a.Embedding is not null ? a.Embedding.CosineSimilarity(upright) : (double?)null;
                    var mirror = a.Embedding is null ? "" : ReferenceOrientation.MirrorConsistency(a).ToString("F4", inv);
                    var line = string.Create(inv, $"{path},{turn},{view},{((turn + view) % 360 == 0 ? 1 : 0)},{(a.IsUsable ? 1 : 0)},{string.Join('+', a.Problems.Select(p => p.Code))},{a.LivenessScore:F4},"
                        + $"{g?.Faces},{g?.DetectorScore:F4},{g?.EyeRoll:F1},{g?.Pose.Yaw:F1},{g?.Pose.Pitch:F1},{g?.Pose.Roll:F1},{g?.LandmarkYaw:F1},{g?.LandmarkPitch:F1},{g?.FaceWidth:F0},{sim:F3},"
                        + $"{g?.Logit:F3},{g?.Aspect:F3},{g?.Support},{g?.SupportLogitSum:F2},{mirror}");
                    lines.Add((path, turn, view, line));
                }
            }
        });
        var sb = new StringBuilder("path,turn,view,correct,usable,problems,liveness,faces,det,eyeroll,poseyaw,posepitch,poseroll,lmyaw,lmpitch,width,sim,logit,aspect,support,supportlogit,mirror\n");
        foreach (var l in lines.OrderBy(l => l.Path, StringComparer.Ordinal).ThenBy(l => l.Turn).ThenBy(l => l.View)) sb.Append(l.Line).Append('\n');
        await File.WriteAllTextAsync(csv.FullName, sb.ToString(), cancellationToken);
    }
}
