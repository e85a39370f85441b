using System.Collections.Concurrent;
using PensionCert.Core.Sessions;

namespace PensionCert.IntegrationTests.Sessions;

/// <summary>Challenges in the order tests ask for them.</summary>
public sealed class ScriptedChallenges : IChallengeSource
{
    private readonly ConcurrentQueue<IReadOnlyList<ChallengeAction>> _next = new();

    public void Enqueue(IReadOnlyList<ChallengeAction> actions) => _next.Enqueue(actions);

    public IReadOnlyList<ChallengeAction> Next() =>
        _next.TryDequeue(out var actions) ? actions : throw new InvalidOperationException("The test did not script this session's challenge.");
}
