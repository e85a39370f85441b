using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Checks that each container, queue and table exists and answers, in one round trip: one listing request per service
/// (Blob, Queue, Table), sent together, instead of a request per resource. Served through the health report cache
/// (PensionCert.Http <c>HealthReportCache</c>), so at most once per probe interval.
/// </summary>
public sealed class StorageHealthCheck(StorageClients clients) : IHealthProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(
            MissingAsync("blob", clients.Containers.Select(c => c.Name), async ct =>
                (await clients.BlobService.GetBlobContainersAsync(cancellationToken: ct).AsPages(pageSizeHint: 1000).FirstAsync(ct)).Values.Select(c => c.Name), cancellationToken),
            MissingAsync("queue", clients.Queues.Select(q => q.Name), async ct =>
                (await clients.QueueService.GetQueuesAsync(cancellationToken: ct).AsPages(pageSizeHint: 1000).FirstAsync(ct)).Values.Select(q => q.Name), cancellationToken),
            MissingAsync("table", clients.Tables.Select(t => t.Name), async ct =>
                (await clients.TableService.QueryAsync(maxPerPage: 1000, cancellationToken: ct).AsPages().FirstAsync(ct)).Values.Select(t => t.Name), cancellationToken));
        return results.SelectMany(r => r).ToArray();
    }

    /// <summary>The expected names the listing lacks (each as <c>kind:name</c>); all of them when the service does not answer.</summary>
    private static async Task<IEnumerable<string>> MissingAsync(string kind, IEnumerable<string> expected, Func<CancellationToken, Task<IEnumerable<string>>> list, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var present = (await list(timeout.Token)).ToHashSet(StringComparer.Ordinal);
            return expected.Where(name => !present.Contains(name)).Select(name => $"{kind}:{name}").ToArray();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return expected.Select(name => $"{kind}:{name}").ToArray();
        }
    }
}

/// <summary>First page of an SDK listing.</summary>
internal static class AsyncPageExtensions
{
    public static async Task<Azure.Page<T>> FirstAsync<T>(this IAsyncEnumerable<Azure.Page<T>> pages, CancellationToken cancellationToken) where T : notnull
    {
        await foreach (var page in pages.WithCancellation(cancellationToken)) return page;
        return Azure.Page<T>.FromValues([], null, null!);
    }
}
