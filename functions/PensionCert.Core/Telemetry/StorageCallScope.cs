namespace PensionCert.Core.Telemetry;

/// <summary>
/// Counts the storage round trips (HTTP requests to Blob, Queue or Table storage, retries included) made in one async
/// flow, e.g. one verification: the Azure SDK pipeline policy of PensionCert.Infrastructure (<c>StorageCallCounter</c>)
/// adds every request to the scopes open on the calling flow. Scopes nest; a request counts in each open one.
/// </summary>
public sealed class StorageCallScope : IDisposable
{
    private static readonly AsyncLocal<StorageCallScope?> CurrentScope = new();
    private readonly StorageCallScope? _outer;
    private long _calls;
    private bool _disposed;

    private StorageCallScope(StorageCallScope? outer) => _outer = outer;

    /// <summary>Requests counted so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Opens a scope on the current async flow (and the flows it starts).</summary>
    public static StorageCallScope Begin()
    {
        var scope = new StorageCallScope(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Counts one request in every scope open on the current flow (called by the pipeline policy).</summary>
    public static void CountRequest()
    {
        for (var scope = CurrentScope.Value; scope is not null; scope = scope._outer)
            if (!scope._disposed) Interlocked.Increment(ref scope._calls);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (ReferenceEquals(CurrentScope.Value, this)) CurrentScope.Value = _outer;
    }
}
