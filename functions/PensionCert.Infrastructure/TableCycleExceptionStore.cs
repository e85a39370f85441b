using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;

namespace PensionCert.Infrastructure;

/// <summary>
/// CycleExceptions table: PartitionKey = region code (<see cref="CycleException.UnknownRegion"/> when the profile row has
/// none), RowKey = pensioner id. The region is read from the profile row's plain <c>RegionCode</c> column only, so an
/// exception is filed under its region even when the profile cannot be decrypted.
/// </summary>
public sealed class TableCycleExceptionStore(StorageClients clients) : ICycleExceptionStore
{
    /// <inheritdoc />
    public Task<CycleException> RecordAsync(string pensionerId, DateOnly dueOn, string errorType, DateTimeOffset at, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var profile = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, TablePensionerRepository.ProfileRow, select: ["RegionCode"], cancellationToken: cancellationToken);
            var region = profile.HasValue && profile.Value!.GetString("RegionCode") is { Length: 6 } code ? code : CycleException.UnknownRegion;
            var existing = await clients.CycleExceptions.GetEntityIfExistsAsync<TableEntity>(region, pensionerId, cancellationToken: cancellationToken);
            var exception = existing.HasValue
                ? ToException(existing.Value!) with { LastFailedAt = at, Attempts = (existing.Value!.GetInt32("Attempts") ?? 0) + 1, ErrorType = errorType }
                : new CycleException(region, pensionerId, dueOn, at, at, 1, errorType);
            await clients.CycleExceptions.UpsertEntityAsync(ToEntity(exception), TableUpdateMode.Replace, cancellationToken);
            return exception;
        });

    /// <inheritdoc />
    public Task RemoveAsync(CycleException exception, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.CycleExceptions.DeleteEntityAsync(exception.RegionCode, exception.PensionerId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<CycleException> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = clients.CycleExceptions.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken).AsPages();
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(() => enumerator.MoveNextAsync().AsTask()))
            foreach (var e in enumerator.Current.Values)
                yield return ToException(e);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CycleException>> ListAsync(string regionPrefix, int max, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            // Region codes are digits, so every code with the prefix sorts before the prefix followed by '~'.
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {regionPrefix} and PartitionKey lt {regionPrefix + "~"}");
            var items = new List<CycleException>();
            await foreach (var e in clients.CycleExceptions.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                items.Add(ToException(e));
                if (items.Count >= max) break;
            }
            return (IReadOnlyList<CycleException>)items.OrderBy(x => x.FirstFailedAt).ToArray();
        });

    private static TableEntity ToEntity(CycleException x) => new(x.RegionCode, x.PensionerId)
    {
        ["DueOn"] = x.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["FirstFailedAt"] = x.FirstFailedAt,
        ["LastFailedAt"] = x.LastFailedAt,
        ["Attempts"] = x.Attempts,
        ["ErrorType"] = x.ErrorType,
    };

    private static CycleException ToException(TableEntity e) => new(
        e.PartitionKey, e.RowKey,
        DateOnly.ParseExact(e.GetString("DueOn"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        e.GetDateTimeOffset("FirstFailedAt") ?? default, e.GetDateTimeOffset("LastFailedAt") ?? default,
        e.GetInt32("Attempts") ?? 0, e.GetString("ErrorType") ?? "");
}
