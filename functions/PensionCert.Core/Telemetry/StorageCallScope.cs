using System.Collections.Concurrent;

namespace PensionCert.Core.Telemetry;

/// <summary>
/// Counts the storage round trips (HTTP requests to Blob, Queue or Table storage, retries included) made in one async
/// flow, e.g. one verification: the Azure SDK pipeline policy of PensionCert.Infrastructure (<c>StorageCallCounter</c>)
/// adds every request to the scopes open on the calling flow. Scopes nest; a request counts in each open one.
/// A scope begun with <c>describe: true</c> also keeps a short description of each request (method, resource and the
/// kind of row, no keys), for tests and benchmarks that list the round trips.
/// </summary>
public sealed class StorageCallScope : IDisposable
{
    private static readonly AsyncLocal<StorageCallScope?> CurrentScope = new();
    private readonly StorageCallScope? _outer;
    private readonly ConcurrentQueue<string>? _requests;
    private long _calls;
    private bool _disposed;

    private StorageCallScope(StorageCallScope? outer, bool describe)
    {
        _outer = outer;
        if (describe) _requests = new ConcurrentQueue<string>();
    }

    /// <summary>Requests counted so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>The requests counted so far, described (empty unless the scope was begun with <c>describe: true</c>).</summary>
    public IReadOnlyList<string> Requests => _requests?.ToArray() ?? [];

    /// <summary>True when any open scope of the current flow keeps descriptions (the policy describes requests only then).</summary>
    public static bool Describing
    {
        get
        {
            for (var scope = CurrentScope.Value; scope is not null; scope = scope._outer)
                if (!scope._disposed && scope._requests is not null) return true;
            return false;
        }
    }

    /// <summary>Opens a scope on the current async flow (and the flows it starts).</summary>
    public static StorageCallScope Begin(bool describe = false)
    {
        var scope = new StorageCallScope(CurrentScope.Value, describe);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Counts one request in every scope open on the current flow (called by the pipeline policy).</summary>
    public static void CountRequest(string? description = null)
    {
        for (var scope = CurrentScope.Value; scope is not null; scope = scope._outer)
        {
            if (scope._disposed) continue;
            Interlocked.Increment(ref scope._calls);
            if (description is not null) scope._requests?.Enqueue(description);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (ReferenceEquals(CurrentScope.Value, this)) CurrentScope.Value = _outer;
    }
}
