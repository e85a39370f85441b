using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// InFlightCertifications table: PartitionKey = UTC hour of submission <c>yyyyMMddHH</c>, RowKey = certification id,
/// property <c>SubmittedAt</c>. The sweep reads the partitions up to a given hour (a range over a few small partitions:
/// the watch list is short). Row <c>sweep</c> / <c>dated-selfies</c> holds the sweep's watermark over dated selfie names.
/// </summary>
public sealed class TableInFlightCertificationIndex(StorageClients clients) : IInFlightCertificationIndex
{
    /// <inheritdoc />
    public Task AddAsync(InFlightCertification entry, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.InFlightCertifications.UpsertEntityAsync(
            new TableEntity(Partition(entry.SubmittedAt), entry.CertificationId) { ["SubmittedAt"] = entry.SubmittedAt }, TableUpdateMode.Replace, cancellationToken));

    /// <inheritdoc />
    public Task RemoveAsync(InFlightCertification entry, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.InFlightCertifications.DeleteEntityAsync(Partition(entry.SubmittedAt), entry.CertificationId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<InFlightCertification>> ListSubmittedBeforeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey le {Partition(before)} and SubmittedAt lt {before}");
            var entries = new List<InFlightCertification>();
            await foreach (var e in clients.InFlightCertifications.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                entries.Add(new InFlightCertification(e.GetDateTimeOffset("SubmittedAt") ?? before, e.RowKey));
                if (entries.Count >= max) break;
            }
            return (IReadOnlyList<InFlightCertification>)entries;
        });

    /// <inheritdoc />
    public Task<DateTimeOffset?> GetSweptUntilAsync(CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var row = await clients.InFlightCertifications.GetEntityIfExistsAsync<TableEntity>(WatermarkPartition, WatermarkRow, cancellationToken: cancellationToken);
            return row.HasValue ? row.Value!.GetDateTimeOffset("SweptUntil") : null;
        });

    /// <inheritdoc />
    public Task SetSweptUntilAsync(DateTimeOffset sweptUntil, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.InFlightCertifications.UpsertEntityAsync(
            new TableEntity(WatermarkPartition, WatermarkRow) { ["SweptUntil"] = sweptUntil }, TableUpdateMode.Replace, cancellationToken));

    /// <summary>The watermark's partition: letters sort after the digits of every hour partition, so range reads never see it.</summary>
    private const string WatermarkPartition = "sweep";
    private const string WatermarkRow = "dated-selfies";

    private static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}
