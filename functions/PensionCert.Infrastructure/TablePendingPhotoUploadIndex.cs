using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Retention;

namespace PensionCert.Infrastructure;

/// <summary>
/// PendingPhotoUploads table: PartitionKey = UTC hour the upload began <c>yyyyMMddHH</c>, RowKey = the blob name with
/// <c>/</c> as <c>_</c> (a RowKey may not hold <c>/</c>), properties <c>UploadedAt</c>, <c>PensionerId</c>,
/// <c>RegionCode</c>, <c>BlobName</c>, <c>Kind</c> (ids only). The daily sweep reads the partitions up to the grace
/// cut-off (a range over a few small partitions: pending photos are rare operator actions, and entries leave once checked).
/// </summary>
public sealed class TablePendingPhotoUploadIndex(StorageClients clients) : IPendingPhotoUploadIndex
{
    /// <inheritdoc />
    public Task AddAsync(PendingPhotoUpload upload, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.PendingPhotoUploads.UpsertEntityAsync(
            new TableEntity(Partition(upload.UploadedAt), RowKey(upload.BlobName))
            {
                ["UploadedAt"] = upload.UploadedAt,
                ["PensionerId"] = upload.PensionerId,
                ["RegionCode"] = upload.RegionCode,
                ["BlobName"] = upload.BlobName,
                ["Kind"] = upload.Kind,
            }, TableUpdateMode.Replace, cancellationToken));

    /// <inheritdoc />
    public Task RemoveAsync(PendingPhotoUpload upload, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.PendingPhotoUploads.DeleteEntityAsync(Partition(upload.UploadedAt), RowKey(upload.BlobName), ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingPhotoUpload>> ListBeforeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey le {Partition(before)} and UploadedAt lt {before}");
            var entries = new List<PendingPhotoUpload>();
            await foreach (var e in clients.PendingPhotoUploads.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                entries.Add(new PendingPhotoUpload(e.GetDateTimeOffset("UploadedAt") ?? before, e.GetString("PensionerId"), e.GetString("RegionCode"), e.GetString("BlobName"), e.GetString("Kind")));
                if (entries.Count >= max) break;
            }
            return (IReadOnlyList<PendingPhotoUpload>)entries;
        });

    private static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static string RowKey(string blobName) => blobName.Replace('/', '_');
}
