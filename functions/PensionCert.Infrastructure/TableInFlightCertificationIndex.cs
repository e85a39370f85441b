using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// InFlightCertifications table: PartitionKey = UTC hour of submission <c>yyyyMMddHH</c>, RowKey = certification id,
/// property <c>SubmittedAt</c>. The sweep reads the partitions up to a given hour (a range over a few small partitions:
/// entries leave with their decision).
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

    private static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}
