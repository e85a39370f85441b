using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PensionCert.Infrastructure;

/// <summary>
/// Creates the containers (private), queues (with their <c>-poison</c> queues) and tables at start-up when
/// <see cref="StorageOptions.CreateResources"/> is on. In Azure the Bicep templates create them.
/// </summary>
public sealed class StorageProvisioner(StorageClients clients, IOptions<StorageOptions> options) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.CreateResources) return;
        await EnsureCreatedAsync(clients, cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// True when <paramref name="exception"/> says storage could not be reached or answered 5xx (a connection refused,
    /// a timeout): trying again later may work. A 4xx answer (e.g. a rejected key) is not such a failure.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => StorageErrors.IsUnavailable(exception);

    /// <summary>Creates every resource if missing (idempotent).</summary>
    public static async Task EnsureCreatedAsync(StorageClients clients, CancellationToken cancellationToken)
    {
        foreach (var container in clients.Containers)
            await container.CreateIfNotExistsAsync(Azure.Storage.Blobs.Models.PublicAccessType.None, cancellationToken: cancellationToken);
        foreach (var queue in clients.Queues)
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        foreach (var table in clients.Tables)
            await table.CreateIfNotExistsAsync(cancellationToken);
    }
}
