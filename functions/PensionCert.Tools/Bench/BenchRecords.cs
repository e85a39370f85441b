using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using PensionCert.Infrastructure;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Every certification record with its id, for the benchmarks' polls: records in their pensioner's partition
/// (RowKey <c>certification-{id}</c>, the current layout) and records of the old layout (Certifications table).
/// </summary>
internal static class BenchRecords
{
    private const string Prefix = "certification-";

    public static async IAsyncEnumerable<(string CertificationId, TableEntity Record)> QueryAsync(StorageClients clients, string[] properties,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {Prefix} and RowKey lt {"certification."}");
        await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, select: new[] { "RowKey", "Status" }.Concat(properties).Distinct().ToArray(), cancellationToken: cancellationToken))
            if (e.ContainsKey("Status")) yield return (e.RowKey[Prefix.Length..], e);
        await foreach (var e in clients.Certifications.QueryAsync<TableEntity>(select: ["PartitionKey", .. properties], cancellationToken: cancellationToken))
            yield return (e.PartitionKey, e);
    }
}
