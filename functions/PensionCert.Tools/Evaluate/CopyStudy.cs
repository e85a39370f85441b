using System.Collections.Concurrent;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using PensionCert.Tests.Shared;
using static PensionCert.Tools.Evaluation;

namespace PensionCert.Tools;

/// <summary>
/// <c>evaluate --copies</c>: the replay check against copies of the reference photo that a fraudster can make (the
/// reference recompressed, noised, resized, cropped, turned, brightened, blurred like a photo of a screen, and
/// combinations), and its cost to genuine pensioners (different photos of the same person flagged as copies). Prints
/// (1) the candidate pixel fingerprints compared side by side (lowest copy score per transform, highest genuine
/// score), which chose <see cref="FaceFingerprint"/>'s correlation; (2) per transform, the copies sent to replay review
/// and approved before (embedding and mirrored tests only) and after the fingerprint test; (3) the false-flag rate on
/// the genuine pairs of PAIRS.csv and their highest fingerprint similarities.
/// </summary>
internal static class CopyStudy
{
    private sealed record Copy(string Source, string Label, FaceAnalysis Analysis);

    /// <summary>
    /// Genuine pairs of PAIRS.csv that are one photo, not two: 119_19 is a tighter crop of the same press photo as 119_1
    /// (same expression, glasses glint, hair and leaves; checked by eye). Flagging them is right; they are reported apart.
    /// </summary>
    internal static readonly HashSet<(string, string)> SamePhotoPairs = [("asian_faces/Cai_Gang/119_1.jpg", "asian_faces/Cai_Gang/119_19.jpg")];

    /// <summary>The transforms, by label; combinations chain them (each step re-encoded as the attacker's tools would).</summary>
    private static readonly (string Label, Func<byte[], byte[]> Make)[] Transforms =
    [
        ("q70", b => PhotoTransforms.Recompress(b, 70)),
        ("q50", b => PhotoTransforms.Recompress(b, 50)),
        ("q30", b => PhotoTransforms.Recompress(b, 30)),
        ("noise σ3", b => PhotoTransforms.AddNoise(b, 3, 11, 90)),
        ("noise σ8", b => PhotoTransforms.AddNoise(b, 8, 12, 90)),
        ("noise σ15", b => PhotoTransforms.AddNoise(b, 15, 13, 90)),
        ("resize 0.5", b => PhotoTransforms.Resize(b, 0.5)),
        ("resize 0.75", b => PhotoTransforms.Resize(b, 0.75)),
        ("resize 1.5", b => PhotoTransforms.Resize(b, 1.5)),
        ("crop 3%", b => PhotoTransforms.Crop(b, 0.03, 0.03, 0.03, 0.03)),
        ("shift 5%", b => PhotoTransforms.Crop(b, 0.05, 0.05, 0, 0)),
        ("shift 5% other", b => PhotoTransforms.Crop(b, 0, 0, 0.05, 0.05)),
        ("rotate +5°", b => PhotoTransforms.Rotate(b, 5)),
        ("rotate -5°", b => PhotoTransforms.Rotate(b, -5)),
        ("brighter", b => PhotoTransforms.Levels(b, 1.0, 30)),
        ("darker", b => PhotoTransforms.Levels(b, 0.8, -10)),
        ("contrast 1.3", b => PhotoTransforms.Levels(b, 1.3, -38)),
        ("contrast 0.7", b => PhotoTransforms.Levels(b, 0.7, 38)),
        ("blur 1", b => PhotoTransforms.Blur(b, 1f)),
        ("blur 2", b => PhotoTransforms.Blur(b, 2f)),
        ("mirror", b => PhotoTransforms.Mirror(b)),
        ("resize 0.75 q50", b => PhotoTransforms.Recompress(PhotoTransforms.Resize(b, 0.75), 50)),
        ("blur 1.5 noise σ5 q50", b => PhotoTransforms.AddNoise(PhotoTransforms.Blur(b, 1.5f), 5, 14, 50)),
        ("crop rotate 3° darker q50", b => PhotoTransforms.Levels(PhotoTransforms.Rotate(PhotoTransforms.Crop(b, 0.04, 0.02, 0.01, 0.03), 3), 0.85, 5, 50)),
        ("screen: blur 1 bright noise σ8 q70", b => PhotoTransforms.AddNoise(PhotoTransforms.Levels(PhotoTransforms.Blur(b, 1f), 1.1, 15), 8, 15, 70)),
        ("resize 0.5 noise σ10 q30", b => PhotoTransforms.AddNoise(PhotoTransforms.Resize(b, 0.5), 10, 16, 30)),
    ];

    /// <summary>Candidate fingerprints compared on the same thumbnails (the stored 28x28 grey levels).</summary>
    private static readonly (string Name, Func<FaceFingerprint, FaceFingerprint, double> Score)[] Candidates =
    [
        ("correlation 28x28 (chosen)", (a, b) => a.Similarity(b)),
        ("correlation 28x28, no shift", (a, b) => Math.Max(FaceFingerprint.BestCorrelation(a.Grey, b.Grey, false, 0), FaceFingerprint.BestCorrelation(a.Grey, b.Grey, true, 0))),
        ("correlation 28x28, shifts ±1", (a, b) => Math.Max(FaceFingerprint.BestCorrelation(a.Grey, b.Grey, false, 1), FaceFingerprint.BestCorrelation(a.Grey, b.Grey, true, 1))),
        ("correlation 28x28, shifts ±2", (a, b) => Math.Max(FaceFingerprint.BestCorrelation(a.Grey, b.Grey, false, 2), FaceFingerprint.BestCorrelation(a.Grey, b.Grey, true, 2))),
        ("correlation 28x28 unmirrored only", (a, b) => FaceFingerprint.BestCorrelation(a.Grey, b.Grey, false, FaceFingerprint.ShiftTolerance)),
        ("correlation 14x14", (a, b) => Pearson(Pool(a.Grey, 2), Pool(b.Grey, 2))),
        ("correlation 7x7", (a, b) => Pearson(Pool(a.Grey, 4), Pool(b.Grey, 4))),
        ("correlation inner 20x22", (a, b) => Pearson(Inner(a.Grey), Inner(b.Grey))),
        ("gradient correlation 28x28", (a, b) => Pearson(Gradient(a.Grey), Gradient(b.Grey))),
        ("DCT hash 63 bits (1 − 2·Hamming/63)", (a, b) => HashSimilarity(a.Grey, b.Grey)),
    ];

    public static async Task RunAsync(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, FaceAnalysisTimings Timings)> results,
        FaceAnalyzer analyzer, VerificationPolicy policy, VerificationOptions o, CancellationToken cancellationToken)
    {
        var root = corpus.Root.FullName;
        // Every 2nd reference photo of a genuine pair (each copy is decoded, transformed and analysed in full).
        var references = corpus.Pairs.Where(p => p.Same).Select(p => p.PathA).Distinct(StringComparer.Ordinal)
            .Where(p => results[p].Analysis.IsUsable).Where((_, i) => i % 2 == 0).ToList();
        var jobs = references.SelectMany(path => Transforms.Select(t => (Path: path, t.Label, t.Make))).ToList();
        var copies = new ConcurrentBag<Copy>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (job, ct) =>
        {
            var bytes = job.Make(await File.ReadAllBytesAsync(Path.Combine(root, job.Path), ct));
            copies.Add(new Copy(job.Path, job.Label, analyzer.Analyze(bytes, FaceAnalysisPurpose.Verification, out _, ct)));
        });
        var genuine = corpus.Pairs.Where(p => p.Same && results[p.PathA].Analysis.IsUsable && results[p.PathB].Analysis.IsUsable)
            .Where(p => !SamePhotoPairs.Contains((p.PathA, p.PathB))).Select(p => (p.PathA, p.PathB, A: results[p.PathA].Analysis, B: results[p.PathB].Analysis)).ToList();
        var order = Transforms.Select(t => t.Label).ToList();
        var groups = copies.GroupBy(c => c.Label).OrderBy(g => order.IndexOf(g.Key)).ToList();

        W(output, $"== Replays: copies of the reference photo as the selfie ({references.Count} references of genuine pairs, {Transforms.Length} transforms; {genuine.Count} usable genuine pairs of different photos) ==");
        // The copies that matter: usable and approved by the embedding tests alone (the others are refused or reviewed anyway).
        var approvedBefore = groups.SelectMany(g => g.Where(c => c.Analysis.IsUsable
            && policy.Decide(c.Analysis, [results[c.Source].Analysis.Embedding!]).Status == CertificationStatus.Approved)).ToList();
        W(output, $"  Candidate fingerprints of the aligned face (blocks outside the photo left out), on the {approvedBefore.Count} usable copies the embedding tests approve:");
        W(output, "  candidate | highest genuine pair of different photos | copies caught above it | above it + 0.01 | above it + 0.02 | lowest copy");
        foreach (var (name, score) in Candidates)
        {
            var genuineMax = genuine.Max(g => score(g.B.Fingerprint!, g.A.Fingerprint!));
            var copyScores = approvedBefore.Select(c => score(c.Analysis.Fingerprint!, results[c.Source].Analysis.Fingerprint!)).ToList();
            string Caught(double margin) => P(copyScores.Count(x => x > genuineMax + margin) / (double)copyScores.Count);
            W(output, $"  {name,-36} | {genuineMax:F4} | {Caught(0)} | {Caught(0.01)} | {Caught(0.02)} | {copyScores.Min():F4}");
        }
        W(output, "  threshold | genuine pairs of different photos flagged | approved copies caught (of " + approvedBefore.Count + ")");
        foreach (var t in new[] { 0.93, 0.94, 0.95, 0.955, 0.96, 0.965, 0.97, 0.975, 0.98, 0.99 }.Append(o.CopyFingerprintThreshold).Distinct().Order())
        {
            var flaggedAt = genuine.Count(g => g.B.Fingerprint!.Similarity(g.A.Fingerprint!) >= t);
            var caught = approvedBefore.Count(c => c.Analysis.Fingerprint!.Similarity(results[c.Source].Analysis.Fingerprint!) >= t);
            W(output, $"  {t,9:F3} | {flaggedAt} of {genuine.Count} | {caught} ({P(caught / (double)approvedBefore.Count)})");
        }

        W(output, $"  Per transform (fingerprint threshold {o.CopyFingerprintThreshold:F3}; replay threshold {o.ReplayThreshold:F3}, mirrored {o.MirroredReplayThreshold:F2} from {o.MirrorCheckFrom:F2}):");
        W(output, "  transform | usable | embedding similarity min-median | fingerprint min-median | copy detected: before / after | Approved: before / after");
        int usableAll = 0, beforeAll = 0, afterAll = 0, approvedBeforeAll = 0, approvedAfterAll = 0;
        foreach (var group in groups)
        {
            var usable = group.Where(c => c.Analysis.IsUsable).ToList();
            if (usable.Count == 0)
            {
                W(output, $"  {group.Key,-34} | 0 of {group.Count()} usable");
                continue;
            }
            var sims = usable.Select(c => c.Analysis.Embedding!.CosineSimilarity(results[c.Source].Analysis.Embedding!)).ToList();
            var prints = usable.Select(c => c.Analysis.Fingerprint!.Similarity(results[c.Source].Analysis.Fingerprint!)).ToList();
            var before = usable.Select(c => policy.Decide(c.Analysis, [results[c.Source].Analysis.Embedding!])).ToList();
            var after = usable.Select(c => policy.Decide(c.Analysis, [results[c.Source].Analysis.Embedding!], [results[c.Source].Analysis.Fingerprint!])).ToList();
            int Replays(List<VerificationDecision> d) => d.Count(x => x.Reasons.Contains(Reasons.ProbeMatchesReference));
            int Approved(List<VerificationDecision> d) => d.Count(x => x.Status == CertificationStatus.Approved);
            usableAll += usable.Count;
            beforeAll += Replays(before);
            afterAll += Replays(after);
            approvedBeforeAll += Approved(before);
            approvedAfterAll += Approved(after);
            W(output, $"  {group.Key,-34} | {usable.Count,2} of {group.Count()} | {sims.Min():F3}-{Median(sims):F3} | {prints.Min():F4}-{Median(prints):F4} | {Replays(before),2} / {Replays(after),2} ({P(Replays(after) / (double)usable.Count)}) | {Approved(before),2} / {Approved(after),2}");
        }
        W(output, $"  all usable copies: {usableAll}; detected before {beforeAll} ({P(beforeAll / (double)usableAll)}), after {afterAll} ({P(afterAll / (double)usableAll)}); Approved before {approvedBeforeAll}, after {approvedAfterAll}");

        // Genuine pairs: a different photo of the same person must never be taken for a copy.
        var scored = genuine.Select(g => (g.PathA, g.PathB, Print: g.B.Fingerprint!.Similarity(g.A.Fingerprint!), Sim: g.B.Embedding!.CosineSimilarity(g.A.Embedding!),
            Decision: policy.Decide(g.B, [g.A.Embedding!], [g.A.Fingerprint!]))).OrderByDescending(x => x.Print).ToList();
        var flagged = scored.Count(x => x.Print >= o.CopyFingerprintThreshold);
        var replays = scored.Count(x => x.Decision.Reasons.Contains(Reasons.ProbeMatchesReference));
        W(output, $"  genuine pairs ({scored.Count}): fingerprint ≥ {o.CopyFingerprintThreshold:F3} (falsely flagged as a copy): {flagged} ({P(flagged / (double)scored.Count)}); sent to replay review by any test: {replays}; fingerprint median {Median(scored.Select(x => x.Print)):F4}");
        W(output, "  highest fingerprint similarities of genuine pairs (a different photo of the same person):");
        foreach (var x in scored.Take(5))
            W(output, $"    {x.Print:F4} (embedding {x.Sim:F3}) {x.PathA} vs {x.PathB}");
        var trivial = new[] { ("deepface/img11.jpg", "deepface/img11_reflection.jpg"), ("face_recognition/obama2.jpg", "face_recognition/obama2_32bit.png") }.Concat(SamePhotoPairs);
        foreach (var (a, b) in trivial)
        {
            if (!results.TryGetValue(a, out var ra) || !results.TryGetValue(b, out var rb) || !ra.Analysis.IsUsable || !rb.Analysis.IsUsable) continue;
            W(output, $"  one photo stored twice in the corpus, {b} of {a}: fingerprint {rb.Analysis.Fingerprint!.Similarity(ra.Analysis.Fingerprint!):F4} → {policy.Decide(rb.Analysis, [ra.Analysis.Embedding!], [ra.Analysis.Fingerprint!]).Status}");
        }
        W(output, "");
    }

    private static double[] Pool(ReadOnlySpan<byte> grey, int k)
    {
        const int side = FaceFingerprint.Side;
        var n = side / k;
        var pooled = new double[n * n];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                pooled[y / k * n + x / k] += grey[y * side + x];
        return pooled;
    }

    private static double[] Inner(ReadOnlySpan<byte> grey)
    {
        const int side = FaceFingerprint.Side;
        var values = new List<double>();
        for (var y = 4; y < 26; y++)
            for (var x = 4; x < 24; x++)
                values.Add(grey[y * side + x]);
        return [.. values];
    }

    private static double[] Gradient(ReadOnlySpan<byte> grey)
    {
        const int side = FaceFingerprint.Side;
        var values = new List<double>();
        for (var y = 0; y < side - 1; y++)
        {
            for (var x = 0; x < side - 1; x++)
            {
                values.Add(grey[y * side + x + 1] - grey[y * side + x]);
                values.Add(grey[(y + 1) * side + x] - grey[y * side + x]);
            }
        }
        return [.. values];
    }

    /// <summary>pHash-style: DCT-II of the thumbnail, the 8x8 lowest frequencies but DC, one bit each against their median.</summary>
    private static double HashSimilarity(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var ha = Hash(a);
        var hb = Hash(b);
        var same = 0;
        for (var i = 0; i < ha.Length; i++) same += ha[i] == hb[i] ? 1 : 0;
        return 1 - 2.0 * (ha.Length - same) / ha.Length;
    }

    private static bool[] Hash(ReadOnlySpan<byte> grey)
    {
        const int n = FaceFingerprint.Side;
        var coefficients = new List<double>();
        for (var u = 0; u < 8; u++)
        {
            for (var v = 0; v < 8; v++)
            {
                if (u == 0 && v == 0) continue;
                double sum = 0;
                for (var y = 0; y < n; y++)
                    for (var x = 0; x < n; x++)
                        sum += grey[y * n + x] * Math.Cos((2 * y + 1) * u * Math.PI / (2 * n)) * Math.Cos((2 * x + 1) * v * Math.PI / (2 * n));
                coefficients.Add(sum);
            }
        }
        var median = Median(coefficients);
        return [.. coefficients.Select(c => c > median)];
    }

    private static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average(), cov = 0, va = 0, vb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return va <= 0 || vb <= 0 ? 0 : cov / Math.Sqrt(va * vb);
    }

    private static double Pct(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(x => x).ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
