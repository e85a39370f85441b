using System.Globalization;
using Azure.Data.Tables;
using PensionCert.Core.Audit;

namespace PensionCert.Infrastructure;

/// <summary>
/// The OperatorAudit table: insert-only (this class never updates or deletes a row). PartitionKey = pensioner id,
/// or <c>day-yyyyMMdd</c> (UTC) for actions on no pensioner; RowKey = <c>yyyyMMddHHmmssfffffff-{random}</c> so a
/// partition reads in time order.
/// </summary>
public sealed class TableAuditLog(StorageClients clients) : IAuditLog
{
    /// <inheritdoc />
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.OperatorAudit.AddEntityAsync(ToEntity(entry, RowKey(entry.At)), cancellationToken));

    /// <inheritdoc />
    /// <remarks>RowKey <c>{time}-{key}</c>: a repeat is refused by the table (409) and ignored, so the row is still never updated.</remarks>
    public Task AppendOnceAsync(AuditEntry entry, string key, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.OperatorAudit.AddEntityAsync(ToEntity(entry, TimeKey(entry.At) + "-" + key), cancellationToken);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 409)
            {
            }
        });

    private static TableEntity ToEntity(AuditEntry entry, string rowKey) => new(PartitionKey(entry), rowKey)
        {
            ["At"] = entry.At,
            ["Actor"] = entry.Actor,
            ["Role"] = entry.Role,
            ["Action"] = entry.Action,
            ["PensionerId"] = entry.PensionerId,
            ["Outcome"] = entry.Outcome,
            ["ProblemCode"] = entry.ProblemCode,
            ["Source"] = entry.Source,
            ["Detail"] = entry.Detail,
        };

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> ForPensionerAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entries = new List<AuditEntry>();
            await foreach (var e in clients.OperatorAudit.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"), cancellationToken: cancellationToken))
            {
                entries.Add(new AuditEntry(e.GetDateTimeOffset("At") ?? default, e.GetString("Actor"), e.GetString("Role") ?? "", e.GetString("Action"),
                    e.GetString("PensionerId"), e.GetInt32("Outcome") ?? 0, e.GetString("ProblemCode"), e.GetString("Source") ?? "", e.GetString("Detail")));
            }
            return (IReadOnlyList<AuditEntry>)entries;
        });

    private static string PartitionKey(AuditEntry entry) =>
        entry.PensionerId ?? "day-" + entry.At.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string RowKey(DateTimeOffset at) => TimeKey(at) + "-" + Guid.NewGuid().ToString("N")[..12];

    private static string TimeKey(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture);
}
