using System.Security.Cryptography;

namespace PensionCert.Core.Sessions;

/// <summary>
/// One action of a liveness challenge. Directions are the pensioner's own: "turn left" is a turn to the pensioner's
/// left, which a front camera (unmirrored frames) sees as the face turning towards the image's right.
/// Nod and open-mouth are not offered: no real recording here shows them, so they cannot be calibrated or tested.
/// </summary>
public enum ChallengeAction
{
    TurnLeft,
    TurnRight,
    Blink,
}

/// <summary>Wire names (turn-left, turn-right, blink) and the random challenge.</summary>
public static class ChallengeActions
{
    /// <summary>The stable wire name of an action.</summary>
    public static string ToWireName(this ChallengeAction action) => action switch
    {
        ChallengeAction.TurnLeft => "turn-left",
        ChallengeAction.TurnRight => "turn-right",
        ChallengeAction.Blink => "blink",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out ChallengeAction action)
    {
        foreach (var candidate in Enum.GetValues<ChallengeAction>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                action = candidate;
                return true;
            }
        }
        action = default;
        return false;
    }

    /// <summary>
    /// True when <paramref name="actions"/> is a challenge this service may ask: 2 or 3 actions, none twice, at least one head turn.
    /// </summary>
    public static bool IsValidChallenge(IReadOnlyList<ChallengeAction> actions) =>
        actions.Count is 2 or 3 && actions.Distinct().Count() == actions.Count && actions.Any(a => a != ChallengeAction.Blink);

    /// <summary>
    /// A random challenge of 2 or 3 actions (cryptographic randomness): each head turn at most once, the blink at most
    /// once, and always at least one head turn, so a blink is never the only proof of life (fr_eye misreads open eyes
    /// behind glasses as closed: shared/MODELS.md).
    /// </summary>
    public static IReadOnlyList<ChallengeAction> NewChallenge()
    {
        var actions = new List<ChallengeAction> { ChallengeAction.TurnLeft, ChallengeAction.TurnRight, ChallengeAction.Blink };
        RandomNumberGenerator.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(actions));
        var count = RandomNumberGenerator.GetInt32(2, 4);
        var chosen = actions.Take(count).ToList();
        // Two actions drawn from three always hold a turn unless they are {blink, x}: x is then a turn. Three hold both.
        return chosen;
    }
}

/// <summary>Where challenges come from: <see cref="RandomChallengeSource"/> in production; tests script theirs.</summary>
public interface IChallengeSource
{
    /// <summary>The actions of a new session, in the order they will be asked.</summary>
    IReadOnlyList<ChallengeAction> Next();
}

/// <summary>Cryptographically random challenges (<see cref="ChallengeActions.NewChallenge"/>).</summary>
public sealed class RandomChallengeSource : IChallengeSource
{
    /// <inheritdoc />
    public IReadOnlyList<ChallengeAction> Next() => ChallengeActions.NewChallenge();
}
