using Azure.Core;
using Azure.Core.Pipeline;
using PensionCert.Core.Telemetry;

namespace PensionCert.Infrastructure;

/// <summary>
/// An Azure SDK pipeline policy on every storage client (<see cref="StorageClients"/>), per retry: counts each HTTP
/// request sent to Blob, Queue or Table storage, in total (<see cref="Total"/>) and in the <see cref="StorageCallScope"/>s
/// open on the calling flow. Measured, not estimated: what <c>bench drain</c> and <c>bench ingest</c> print.
/// </summary>
public sealed class StorageCallCounter : HttpPipelineSynchronousPolicy
{
    private long _total;

    /// <summary>Requests sent by this process's storage clients since start.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        StorageCallScope.CountRequest();
    }
}
