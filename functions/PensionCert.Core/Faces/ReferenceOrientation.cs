namespace PensionCert.Core.Faces;

/// <summary>How <see cref="ReferenceOrientation"/> reached its answer.</summary>
public enum ReferenceOrientationPath
{
    /// <summary>The upright analysis looked clearly upright (the cheap check): used as before, nothing else analysed.</summary>
    Upright,

    /// <summary>The upright analysis did not look clearly upright: the three turns were analysed and compared.</summary>
    Compared,
}

/// <summary>A reference photo's analysis in the orientation chosen for it.</summary>
/// <param name="Analysis">The chosen view's analysis; when refused, its <see cref="FaceAnalysis.Problems"/> say why.</param>
/// <param name="ClockwiseDegrees">0, 90, 180 or 270: how far the decoded (EXIF-corrected) photo was turned for <paramref name="Analysis"/>.</param>
/// <param name="Path">Whether the cheap check sufficed or the turns were compared.</param>
public sealed record ReferenceReading(FaceAnalysis Analysis, int ClockwiseDegrees, ReferenceOrientationPath Path);

/// <summary>
/// Which way up a reference photo is (tester6 F12). A photo stored sideways or upside down without an EXIF orientation
/// (a clerk's scanner or webcam pipeline, an upload stripped of EXIF) is read by the detector all the same, but its
/// landmarks and alignment are garbage: the stored template is of a misread face and every later genuine selfie is
/// "another person". Two measurements of the analysed face tell an upright face from a misread one (measured by
/// <c>PensionCert.Tools evaluate --reference-orientation</c>, README "Sideways reference photos"): the detector's face
/// probability (as a logit) and the <b>mirror consistency</b>, the cosine similarity of the aligned face's template
/// with its mirrored copy's (an upright face aligned well is nearly symmetric: 1st percentile 0.955; a misread one
/// median 0.935).
/// <para>
/// Rule: the upright analysis is used as before when it is usable and clearly upright (mirror consistency ≥
/// <see cref="UprightMirrorConsistency"/> and detector logit ≥ <see cref="UprightDetectorLogit"/>; costs one more
/// embedding, about 9 ms on one core). Otherwise the photo is analysed turned 90°, 270° and 180° too and the usable
/// views are ranked by <see cref="Score"/>. The upright view wins when it ranks first and its mirror consistency is at
/// least <see cref="WeakUprightMirrorConsistency"/>; a turned view wins only when it ranks first by at least
/// <see cref="Margin"/> and is itself clearly a face (mirror consistency ≥ <see cref="TurnedMirrorConsistency"/>,
/// logit ≥ <see cref="TurnedDetectorLogit"/>). When no view is usable the upright analysis's problems are answered,
/// as before; when views are usable but none wins, the photo is refused <c>face-orientation-unclear</c> (a retake).
/// </para>
/// </summary>
public static class ReferenceOrientation
{
    /// <summary>Cheap check of the upright analysis: least mirror consistency.</summary>
    public const double UprightMirrorConsistency = 0.975;

    /// <summary>Cheap check of the upright analysis: least detector logit (ln(p / (1 − p)); 9 ≈ p 0.99988).</summary>
    public const double UprightDetectorLogit = 9;

    /// <summary>A ranked-first upright view below this mirror consistency is not trusted (a misread upside-down photo).</summary>
    public const double WeakUprightMirrorConsistency = 0.95;

    /// <summary>A turned view must reach this mirror consistency to be enrolled.</summary>
    public const double TurnedMirrorConsistency = 0.96;

    /// <summary>A turned view must reach this detector logit to be enrolled.</summary>
    public const double TurnedDetectorLogit = 6;

    /// <summary>A turned view must rank this far (in <see cref="Score"/> points) ahead of the next usable view.</summary>
    public const double Margin = 1;

    /// <summary>The turns compared after the upright view, the two sideways ones first.</summary>
    private static readonly int[] Turns = [90, 270, 180];

    /// <summary>
    /// Analyses a reference photo (<paramref name="purpose"/> as the caller needs it: enrolment, or verification where
    /// the caller compares a new reference with the current one) in the orientation the rule above chooses.
    /// </summary>
    public static async Task<ReferenceReading> AnalyzeReferenceAsync(this IFaceAnalyzer analyzer, ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        var upright = await analyzer.AnalyzeAsync(photo, purpose, cancellationToken);
        // An analyzer that measures neither the detector score nor the mirrored face cannot tell: the upright analysis, as before.
        if (upright.IsUsable && (IsClearlyUpright(upright) || !Measurable(upright))) return new(upright, 0, ReferenceOrientationPath.Upright);

        var views = new List<(int Degrees, FaceAnalysis Analysis, double Score)>();
        if (upright.IsUsable) views.Add((0, upright, Score(upright)));
        foreach (var degrees in Turns)
        {
            var turned = await analyzer.AnalyzeAsync(photo, purpose, new FaceView(degrees), cancellationToken);
            if (turned.IsUsable && Measurable(turned)) views.Add((degrees, turned, Score(turned)));
        }
        if (views.Count == 0) return new(upright, 0, ReferenceOrientationPath.Compared);
        views.Sort((a, b) => b.Score.CompareTo(a.Score));
        var best = views[0];
        var lead = views.Count > 1 ? best.Score - views[1].Score : double.PositiveInfinity;
        if (best.Degrees == 0)
            return MirrorConsistency(best.Analysis) >= WeakUprightMirrorConsistency ? new(upright, 0, ReferenceOrientationPath.Compared) : Unclear(upright);
        if (lead >= Margin && MirrorConsistency(best.Analysis) >= TurnedMirrorConsistency && DetectorLogit(best.Analysis) >= TurnedDetectorLogit)
            return new(best.Analysis, best.Degrees, ReferenceOrientationPath.Compared);
        return upright.IsUsable ? Unclear(upright) : new(upright, 0, ReferenceOrientationPath.Compared);
    }

    /// <summary>The ranking of usable views: half the detector logit plus 100 × the mirror consistency.</summary>
    public static double Score(FaceAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return 0.5 * DetectorLogit(analysis) + 100 * MirrorConsistency(analysis);
    }

    /// <summary>Cosine similarity of the face's template with its mirrored copy's (computes the mirrored template: one embedding run).</summary>
    public static double MirrorConsistency(FaceAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return analysis is { Embedding: { } embedding, MirroredEmbedding: { } mirrored } ? embedding.CosineSimilarity(mirrored.Value) : 0;
    }

    /// <summary>ln(p / (1 − p)) of the detector's face probability, p clamped to [1e-9, 1 − 1e-9] (a float32 probability saturates at 1).</summary>
    public static double DetectorLogit(FaceAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var p = Math.Clamp(analysis.DetectorScore ?? 0, 1e-9, 1 - 1e-9);
        return Math.Log(p / (1 - p));
    }

    private static bool IsClearlyUpright(FaceAnalysis analysis) =>
        DetectorLogit(analysis) >= UprightDetectorLogit && MirrorConsistency(analysis) >= UprightMirrorConsistency;

    private static bool Measurable(FaceAnalysis analysis) => analysis.DetectorScore is not null && analysis.MirroredEmbedding is not null;

    private static ReferenceReading Unclear(FaceAnalysis upright) =>
        new(upright with { Problems = [Reasons.FaceOrientationUnclear], Embedding = null, MirroredEmbedding = null }, 0, ReferenceOrientationPath.Compared);
}
