using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// ReviewCases table: PartitionKey = six-digit region code (a region's reviewers read their own partitions; a
/// province reads the range of its prefix), RowKey = <c>{yyyy-MM-dd}-{pensionerId}-{reason}</c> (upsert = one case).
/// </summary>
public sealed class TableReviewCaseStore(StorageClients clients) : IReviewCaseStore
{
    /// <inheritdoc />
    public Task OpenAsync(ReviewCase reviewCase, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.ReviewCases.UpsertEntityAsync(new TableEntity(reviewCase.RegionCode, RowKey(reviewCase))
        {
            ["Day"] = Day(reviewCase.Day),
            ["PensionerId"] = reviewCase.PensionerId,
            ["Reason"] = reviewCase.Reason,
            ["OpenedAt"] = reviewCase.OpenedAt,
        }, TableUpdateMode.Merge, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<ReviewCase>> ListAsync(DateOnly day, IReadOnlyCollection<string> regionPrefixes, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var cases = new List<ReviewCase>();
            var dayPrefix = Day(day) + "-";
            foreach (var prefix in regionPrefixes.Distinct(StringComparer.Ordinal))
            {
                var filter = TableClient.CreateQueryFilter(
                    $"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and RowKey ge {dayPrefix} and RowKey lt {dayPrefix + "~"}");
                await foreach (var e in clients.ReviewCases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                {
                    cases.Add(new ReviewCase(e.PartitionKey, DateOnly.ParseExact(e.GetString("Day"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                        e.GetString("PensionerId"), e.GetString("Reason"), e.GetDateTimeOffset("OpenedAt") ?? default));
                }
            }
            return (IReadOnlyList<ReviewCase>)cases;
        });

    /// <inheritdoc />
    public Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var deleted = 0;
            await foreach (var e in clients.ReviewCases.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {regionCode} and PensionerId eq {pensionerId}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await clients.ReviewCases.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            return deleted;
        });

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string RowKey(ReviewCase c) => $"{Day(c.Day)}-{c.PensionerId}-{c.Reason}";
}
