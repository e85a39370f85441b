using Azure;
using Azure.Storage.Blobs.Models;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Photos in private blob containers; uploads stream (no buffering of the whole photo).</summary>
public sealed class BlobPhotoStore(StorageClients clients) : IPhotoStore
{
    /// <inheritdoc />
    public Task UploadAsync(PhotoContainer container, string blobName, Stream content, string contentType, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.Container(container).GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumConcurrency = 1, InitialTransferSize = 4 * 1024 * 1024, MaximumTransferSize = 4 * 1024 * 1024 },
        }, cancellationToken));

    /// <inheritdoc />
    public Task<bool> ExistsAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () => (await clients.Container(container).GetBlobClient(blobName).ExistsAsync(cancellationToken)).Value);

    /// <inheritdoc />
    public Task<byte[]?> DownloadAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                var result = await clients.Container(container).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
                return result.Value.Content.ToArray();
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return (byte[]?)null;
            }
        });

    /// <inheritdoc />
    public Task<int> DeleteByPrefixAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var client = clients.Container(container);
            var deleted = 0;
            await foreach (var blob in client.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                if ((await client.GetBlobClient(blob.Name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value) deleted++;
            }
            return deleted;
        });

    /// <inheritdoc />
    public Task DeleteAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.Container(container).GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken));
}
