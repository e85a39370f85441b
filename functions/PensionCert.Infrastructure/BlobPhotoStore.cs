using Azure;
using Azure.Storage.Blobs.Models;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Photos in private blob containers. An upload of unknown length (a request body) is read into memory up to
/// <see cref="SingleRequestBytes"/> and sent as one Put Blob (the SDK sends a stream of unknown length as Put Block plus
/// Put Block List: two round trips); a larger photo streams on in blocks without being held whole.
/// </summary>
public sealed class BlobPhotoStore(StorageClients clients) : IPhotoStore
{
    /// <summary>The largest upload sent in one request (and the block size beyond it).</summary>
    public const int SingleRequestBytes = 4 * 1024 * 1024;

    /// <inheritdoc />
    public Task UploadAsync(PhotoContainer container, string blobName, Stream content, string contentType, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var options = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumConcurrency = 1, InitialTransferSize = SingleRequestBytes, MaximumTransferSize = SingleRequestBytes },
            };
            var blob = clients.Container(container).GetBlobClient(blobName);
            if (content.CanSeek)
            {
                await blob.UploadAsync(content, options, cancellationToken);
                return;
            }
            var head = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while (head.Length <= SingleRequestBytes && (read = await content.ReadAsync(buffer, cancellationToken)) > 0) head.Write(buffer, 0, read);
            head.Position = 0;
            if (head.Length <= SingleRequestBytes)
                await blob.UploadAsync(head, options, cancellationToken);
            else
                await blob.UploadAsync(new PrefixedStream(head, content), options, cancellationToken);
        });

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
    public async IAsyncEnumerable<string> ListNamesAsync(PhotoContainer container, string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = clients.Container(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).AsPages(pageSizeHint: 5000);
        await using var pageEnumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(async () => await pageEnumerator.MoveNextAsync()))
        {
            foreach (var blob in pageEnumerator.Current.Values) yield return blob.Name;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDirectoriesAsync(PhotoContainer container, string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = clients.Container(container).GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Prefix = prefix, Delimiter = "/" }, cancellationToken).AsPages(pageSizeHint: 5000);
        await using var pageEnumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(async () => await pageEnumerator.MoveNextAsync()))
        {
            foreach (var item in pageEnumerator.Current.Values)
                if (item.IsPrefix) yield return item.Prefix;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.Container(container).GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken));
}

/// <summary>A forward-only stream: the bytes of <paramref name="head"/>, then the rest of <paramref name="rest"/>.</summary>
internal sealed class PrefixedStream(MemoryStream head, Stream rest) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = head.Read(buffer, offset, count);
        return n > 0 ? n : rest.Read(buffer, offset, count);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = head.Read(buffer.Span);
        return n > 0 ? n : await rest.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
