using System.Text.RegularExpressions;
using PensionCert.Core.Faces;

namespace PensionCert.Tools;

/// <summary>
/// Simulates references that age with the pensioner on FG-NET (file names <c>SSSAyy</c>: subject, age): for each
/// genuine pair A (young reference) → B (older probe) with a photo C of the same subject taken between them, B is
/// compared with A alone and with the best of {A, C}, as the product does once an approved live certification added
/// C's template. C counts only when it would itself have been kept as a live reference: scoring against A at least
/// <see cref="VerificationOptions.LiveReferenceMargin"/> above the accept threshold; liveness is not simulated (FG-NET
/// photos are scanned prints).
/// </summary>
internal static partial class AgeingSimulator
{
    [GeneratedRegex(@"^fgnet/(?<subject>\d+)A(?<age>\d+)[a-z]?\.jpg$", RegexOptions.IgnoreCase)]
    private static partial Regex FgnetName();

    public static AgeingSimulation? Run(TextWriter output, FaceCorpus corpus, IReadOnlyDictionary<string, (FaceAnalysis Analysis, PensionCert.FaceMatching.FaceAnalysisTimings Timings)> results, VerificationOptions o)
    {
        static (string Subject, int Age)? Parse(string path)
        {
            var m = FgnetName().Match(path);
            return m.Success ? (m.Groups["subject"].Value, int.Parse(m.Groups["age"].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
        }

        FaceEmbedding? Embedding(string path) => results.TryGetValue(path, out var r) && r.Analysis.IsUsable ? r.Analysis.Embedding : null;
        var photos = corpus.Manifest.Select(m => m.Path).Where(p => Parse(p) is not null).ToList();
        var single = new List<double>();
        var multi = new List<double>();
        foreach (var pair in corpus.Pairs.Where(p => p.Same && p.Source == "fgnet"))
        {
            if (Parse(pair.PathA) is not { } a || Parse(pair.PathB) is not { } b || a.Subject != b.Subject) continue;
            var (young, old) = a.Age <= b.Age ? (pair.PathA, pair.PathB) : (pair.PathB, pair.PathA);
            var (youngAge, oldAge) = (Math.Min(a.Age, b.Age), Math.Max(a.Age, b.Age));
            if (Embedding(young) is not { } reference || Embedding(old) is not { } probe) continue;
            // The most recent photo between them that would have been approved against the reference with the margin.
            var intermediate = photos
                .Select(p => (Path: p, Info: Parse(p)!.Value))
                .Where(p => p.Info.Subject == a.Subject && p.Info.Age > youngAge && p.Info.Age < oldAge)
                .OrderByDescending(p => p.Info.Age)
                .Select(p => Embedding(p.Path))
                .FirstOrDefault(c => c is not null && c.CosineSimilarity(reference) >= o.AcceptThreshold + o.LiveReferenceMargin);
            if (intermediate is null) continue;
            single.Add(probe.CosineSimilarity(reference));
            multi.Add(Math.Max(probe.CosineSimilarity(reference), probe.CosineSimilarity(intermediate)));
        }

        Evaluation.W(output, $"== Ageing references (fgnet): B against A alone and against the best of {{A, C}} ({single.Count} pairs with an approved intermediate photo C) ==");
        if (single.Count == 0)
        {
            Evaluation.W(output, "  (no fgnet triples)");
            Evaluation.W(output, "");
            return null;
        }

        var result = new AgeingSimulation(single.Count, o.AcceptThreshold, o.ReviewThreshold,
            single.Count(s => s >= o.AcceptThreshold) / (double)single.Count, multi.Count(s => s >= o.AcceptThreshold) / (double)multi.Count,
            single.Count(s => s < o.ReviewThreshold) / (double)single.Count, multi.Count(s => s < o.ReviewThreshold) / (double)multi.Count);
        Evaluation.W(output, $"  TAR at accept {o.AcceptThreshold:F2}: A alone {Evaluation.P(result.TarSingleReference)}, best of {{A, C}} {Evaluation.P(result.TarWithIntermediate)}; " +
            $"below review {o.ReviewThreshold:F2}: {Evaluation.P(result.RejectedSingleReference)} → {Evaluation.P(result.RejectedWithIntermediate)}; median similarity {Evaluation.Median(single):F3} → {Evaluation.Median(multi):F3}");
        Evaluation.W(output, "");
        return result;
    }
}
