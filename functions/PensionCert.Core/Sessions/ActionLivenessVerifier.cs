using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;

namespace PensionCert.Core.Sessions;

/// <summary>The outcome of the action check of one session.</summary>
/// <param name="Reasons">Why the session fails; empty when every action was seen in order by one person.</param>
/// <param name="Anchor">The best frontal frame (highest passive liveness among frontal frames): the probe for 1:1; null when none.</param>
/// <param name="AnchorStep">Step of <paramref name="Anchor"/>.</param>
/// <param name="AnchorIndex">Frame index of <paramref name="Anchor"/> within its step.</param>
/// <param name="LivenessScore">Median passive liveness of the frontal frames; null when there are none.</param>
public sealed record ActionCheck(IReadOnlyList<Reason> Reasons, FrameReading? Anchor, int AnchorStep, int AnchorIndex, double? LivenessScore)
{
    public bool Passed => Reasons.Count == 0 && Anchor is not null;
}

/// <summary>
/// Checks the frames of an action challenge, step by step (one step per action, in the order asked):
/// <list type="number">
/// <item>every step has frames (<c>frames-missing</c>); no frame shows two faces (<c>multiple-faces</c>); fewer than half of
/// each step's frames are too noisy to judge liveness (<c>too-noisy</c>, a retake); at least half of each step's frames
/// show a face (<c>no-face</c>: a strong turn may lose the odd frame);</item>
/// <item>one person: every frontal frame matches the best frontal frame (<c>person-changed</c>). Turned frames are not
/// compared (the embedding is not made for profiles: 0.0-0.3 against the same man's frontal frames);</item>
/// <item>each step shows its action, where head pose needs fr_pose and the landmarks to agree (<c>action-not-seen</c>;
/// <c>action-wrong-order</c> when the missing action was done in another step).</item>
/// </list>
/// Passive liveness (median over frontal frames) and 1:1 are left to <see cref="VerificationPolicy"/> on <see cref="ActionCheck.Anchor"/>.
/// </summary>
public sealed class ActionLivenessVerifier(IOptions<ActionLivenessOptions> options)
{
    private readonly ActionLivenessOptions _o = options.Value;

    /// <summary>Checks <paramref name="steps"/> (frames of each step, in capture order) against <paramref name="actions"/>.</summary>
    public ActionCheck Check(IReadOnlyList<ChallengeAction> actions, IReadOnlyList<IReadOnlyList<FrameReading>> steps)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count != actions.Count || steps.Any(s => s.Count == 0)) return Fail(Reasons.FramesMissing);
        if (steps.Any(s => s.Any(f => f.Problem == Reasons.MultipleFaces))) return Fail(Reasons.MultipleFaces);
        // Noisy frames (a grain filter, or noise added to a replay so it looks live) are a retake, never read as faces.
        if (steps.Any(s => s.Count(f => f.Problem == Reasons.TooNoisy) * 2 >= s.Count)) return Fail(Reasons.TooNoisy);
        if (steps.Any(s => s.Count(f => f.HasFace) * 2 < s.Count)) return Fail(Reasons.NoFace);

        var frontal = steps.SelectMany((s, step) => s.Select((f, index) => (Frame: f, Step: step, Index: index))).Where(x => IsFrontal(x.Frame)).ToList();
        if (frontal.Count == 0) return Fail(Reasons.FaceNotFrontal);
        var anchor = frontal.MaxBy(x => x.Frame.LivenessScore);
        var liveness = Median(frontal.Select(x => x.Frame.LivenessScore));
        var reasons = new List<Reason>();
        if (frontal.Any(x => x.Frame.Embedding!.CosineSimilarity(anchor.Frame.Embedding!) < _o.SamePersonSimilarity))
            reasons.Add(Reasons.PersonChanged);

        for (var i = 0; i < actions.Count && reasons.Count == 0; i++)
        {
            if (Shows(steps[i], actions[i])) continue;
            var elsewhere = Enumerable.Range(0, steps.Count).Any(j => j != i && Shows(steps[j], actions[i]));
            reasons.Add(elsewhere ? Reasons.ActionWrongOrder : Reasons.ActionNotSeen);
        }
        return new ActionCheck(reasons, anchor.Frame, anchor.Step, anchor.Index, liveness);
    }

    /// <summary>True when fr_pose and the landmarks both say the face looks at the camera.</summary>
    public bool IsFrontal(FrameReading f) =>
        f.HasFace && Math.Abs(f.YawDegrees) <= _o.FrontalYawDegrees && Math.Abs(f.LandmarkYawDegrees) <= _o.LandmarkFrontalYawDegrees;

    /// <summary>True when the frames of one step show <paramref name="action"/>.</summary>
    public bool Shows(IReadOnlyList<FrameReading> frames, ChallengeAction action) => action switch
    {
        // The pensioner's left = the face turned towards the image's right: fr_pose yaw negative, landmark yaw positive.
        ChallengeAction.TurnLeft => frames.Count(f => f.HasFace && f.YawDegrees <= -_o.TurnYawDegrees && f.LandmarkYawDegrees >= _o.LandmarkTurnYawDegrees) >= _o.MinTurnFrames,
        ChallengeAction.TurnRight => frames.Count(f => f.HasFace && f.YawDegrees >= _o.TurnYawDegrees && f.LandmarkYawDegrees <= -_o.LandmarkTurnYawDegrees) >= _o.MinTurnFrames,
        ChallengeAction.Blink => frames.Any(f => IsFrontal(f) && f.EyesClosedProbability >= _o.EyesClosedProbability)
            && frames.Any(f => IsFrontal(f) && f.EyesClosedProbability <= _o.EyesOpenProbability),
        _ => false,
    };

    private static ActionCheck Fail(Reason reason) => new([reason], null, -1, -1, null);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
