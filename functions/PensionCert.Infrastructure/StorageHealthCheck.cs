using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Checks that each container, queue and table answers.</summary>
public sealed class StorageHealthCheck(StorageClients clients) : IHealthProbe
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        var probes = new List<(string Name, Func<Task> Probe)>();
        probes.AddRange(clients.Containers.Select(c => ($"blob:{c.Name}", (Func<Task>)(() => c.GetPropertiesAsync(cancellationToken: cancellationToken)))));
        probes.AddRange(clients.Queues.Select(q => ($"queue:{q.Name}", (Func<Task>)(() => q.GetPropertiesAsync(cancellationToken)))));
        probes.AddRange(clients.Tables.Select(t => ($"table:{t.Name}", (Func<Task>)(() => t.QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken).MoveNextAsync().AsTask()))));
        var results = await Task.WhenAll(probes.Select(async p =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await p.Probe().WaitAsync(timeout.Token);
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return p.Name;
            }
        }));
        return results.OfType<string>().ToArray();
    }
}
