namespace PensionCert.Tools;

/// <summary>
/// Verification accuracy measures over similarity scores, as the field reports them. A pair that could not be scored
/// (no face found on a side) has a null score. In TAR at FAR it is never accepted; in the k-fold accuracy it is an
/// error whatever its label (the protocol decides every one of LFW's 6,000 pairs).
/// </summary>
internal static class VerificationMetrics
{
    /// <summary>One pair's label, score (null = not scored) and fold (0 when the corpus has no folds).</summary>
    public readonly record struct ScoredPair(bool Same, double? Score, int Fold);

    /// <summary>Equal error rate: the threshold where FAR (impostors ≥ t) and FRR (genuine &lt; t) are closest; their mean.</summary>
    public static (double Eer, double Threshold) Eer(IReadOnlyList<double> genuine, IReadOnlyList<double> impostor)
    {
        var best = (Gap: double.MaxValue, Eer: 1.0, Threshold: 0.0);
        if (genuine.Count == 0 || impostor.Count == 0) return (double.NaN, double.NaN);
        foreach (var t in genuine.Concat(impostor).Distinct())
        {
            var far = impostor.Count(i => i >= t) / (double)impostor.Count;
            var frr = genuine.Count(g => g < t) / (double)genuine.Count;
            var gap = Math.Abs(far - frr);
            if (gap < best.Gap) best = (gap, (far + frr) / 2, t);
        }

        return (best.Eer, best.Threshold);
    }

    /// <summary>
    /// TAR at a target FAR: the threshold lets at most floor(<paramref name="far"/> × impostors) impostor scores through
    /// (accept when score &gt; threshold); TAR is the share of all genuine pairs above it, unscored ones counting as rejected.
    /// </summary>
    public static (double Tar, double Threshold) TarAtFar(IReadOnlyList<ScoredPair> pairs, double far)
    {
        var impostor = pairs.Where(p => !p.Same && p.Score is not null).Select(p => p.Score!.Value).OrderByDescending(x => x).ToArray();
        var impostorTotal = pairs.Count(p => !p.Same);
        var genuine = pairs.Where(p => p.Same).ToArray();
        if (genuine.Length == 0 || impostorTotal == 0) return (double.NaN, double.NaN);
        var allowed = (int)Math.Floor(far * impostorTotal);
        var threshold = allowed < impostor.Length ? impostor[allowed] : -1.0;
        var tar = genuine.Count(g => g.Score > threshold) / (double)genuine.Length;
        return (tar, threshold);
    }

    /// <summary>Result of the k-fold protocol.</summary>
    /// <param name="Folds">The fold labels, in order.</param>
    /// <param name="FoldAccuracies">Accuracy on each test fold, in fold order.</param>
    /// <param name="FoldThresholds">The threshold chosen on the other folds for each test fold.</param>
    public sealed record FoldResult(IReadOnlyList<int> Folds, IReadOnlyList<double> FoldAccuracies, IReadOnlyList<double> FoldThresholds)
    {
        public double Mean => FoldAccuracies.Average();

        /// <summary>Population standard deviation of the fold accuracies (as LFW results are usually reported).</summary>
        public double Std => Math.Sqrt(FoldAccuracies.Select(a => (a - Mean) * (a - Mean)).Average());
    }

    /// <summary>
    /// LFW view-2 style k-fold accuracy: for each fold, the threshold that maximises accuracy on the other folds is
    /// applied to it; accuracy counts every pair of the fold, unscored pairs as errors.
    /// </summary>
    public static FoldResult KFold(IReadOnlyList<ScoredPair> pairs)
    {
        var folds = pairs.Select(p => p.Fold).Distinct().Order().ToArray();
        if (folds.Length < 2) throw new ArgumentException("The k-fold protocol needs at least two folds.", nameof(pairs));
        var accuracies = new List<double>();
        var thresholds = new List<double>();
        foreach (var fold in folds)
        {
            var threshold = BestThreshold(pairs.Where(p => p.Fold != fold).ToArray());
            var test = pairs.Where(p => p.Fold == fold).ToArray();
            accuracies.Add(test.Count(p => Correct(p, threshold)) / (double)test.Length);
            thresholds.Add(threshold);
        }

        return new FoldResult(folds, accuracies, thresholds);
    }

    /// <summary>The threshold (accept when score ≥ t) with the most correct decisions; ties go to the midpoint of the best run.</summary>
    internal static double BestThreshold(IReadOnlyList<ScoredPair> train)
    {
        var scored = train.Where(p => p.Score is not null).OrderBy(p => p.Score).ToArray();
        if (scored.Length == 0) return 0;
        // Sweep candidate thresholds between consecutive scores: below t rejected, at or above accepted.
        var genuineBelow = 0;
        var impostorBelow = 0;
        var genuineTotal = scored.Count(p => p.Same);
        var best = (Correct: genuineTotal, Threshold: scored[0].Score!.Value - 1e-6); // below every score: all accepted
        for (var i = 0; i < scored.Length; i++)
        {
            if (scored[i].Same) genuineBelow++;
            else impostorBelow++;
            if (i + 1 < scored.Length && scored[i + 1].Score == scored[i].Score) continue;
            var correct = impostorBelow + (genuineTotal - genuineBelow);
            var next = i + 1 < scored.Length ? scored[i + 1].Score!.Value : scored[i].Score!.Value + 1e-6;
            if (correct > best.Correct) best = (correct, (scored[i].Score!.Value + next) / 2);
        }

        return best.Threshold;
    }

    private static bool Correct(ScoredPair pair, double threshold) =>
        pair.Score is { } score && (pair.Same ? score >= threshold : score < threshold);
}
