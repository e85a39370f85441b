using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.HomeVisits;
using PensionCert.Core.Protection;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// HomeVisits table: PartitionKey = the pensioner's six-digit region code (a region's list is one partition; a
/// prefecture or province reads the range of its prefix), RowKey = visit id. The contact phone and address are stored
/// only AES-GCM encrypted (<c>ContactPhoneProtected</c>, <c>AddressProtected</c>, and the reason for the visit, which
/// is health data, <c>ReasonProtected</c>; each bound to the visit id and field).
/// <c>IsOpen</c> lets the daily sweep read only open visits (a filter the Table service evaluates).
/// </summary>
public sealed class TableHomeVisitStore(StorageClients clients, IPersonalDataProtector protector) : IHomeVisitStore
{
    private const string RowVersion = "1";

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(HomeVisit visit, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.HomeVisits.AddEntityAsync(ToEntity(visit), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<HomeVisit?> GetAsync(string visitId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (!HomeVisitIds.TryParse(visitId, out var region)) return null;
            var response = await clients.HomeVisits.GetEntityIfExistsAsync<TableEntity>(region, visitId, cancellationToken: cancellationToken);
            return response.HasValue ? ToVisit(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<HomeVisit> UpdateAsync(HomeVisit visit, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (visit.ETag is null) throw new ArgumentException("Only a stored visit can be updated.", nameof(visit));
            try
            {
                var response = await clients.HomeVisits.UpdateEntityAsync(ToEntity(visit), new ETag(visit.ETag), TableUpdateMode.Replace, cancellationToken);
                return visit with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The home visit changed or was deleted meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<ResultPage<HomeVisit>> ListAsync(HomeVisitQuery query, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = query.RegionPrefix.Length == 6
                ? TableClient.CreateQueryFilter($"PartitionKey eq {query.RegionPrefix}")
                : TableClient.CreateQueryFilter($"PartitionKey ge {query.RegionPrefix} and PartitionKey lt {query.RegionPrefix + "~"}");
            if (query.State is { } state) filter += " and " + TableClient.CreateQueryFilter($"State eq {state.ToString()}");
            if (query.ScheduledOn is { } on) filter += " and " + TableClient.CreateQueryFilter($"ScheduledOn eq {Date(on)}");
            if (query.Staff is { } staff) filter += " and " + TableClient.CreateQueryFilter($"AssignedStaff eq {staff}");
            // The token names the region it was issued for: a made-up one, or another region's, is 400 (not an empty page).
            var tableToken = query.ContinuationToken is null ? null : RegionContinuationTokens.Read(query.ContinuationToken, query.RegionPrefix);
            try
            {
                await foreach (var page in clients.HomeVisits.QueryAsync<TableEntity>(filter, maxPerPage: query.PageSize, cancellationToken: cancellationToken)
                                   .AsPages(tableToken, query.PageSize))
                    return new ResultPage<HomeVisit>(page.Values.Select(ToListedVisit).ToArray(), RegionContinuationTokens.Issue(query.RegionPrefix, page.ContinuationToken));
                return new ResultPage<HomeVisit>([], null);
            }
            catch (RequestFailedException ex) when (ex.Status == 400 && query.ContinuationToken is not null)
            {
                throw new ProblemException(ProblemTypes.InvalidContinuationToken);
            }
            catch (ArgumentException) when (query.ContinuationToken is not null)
            {
                throw new ProblemException(ProblemTypes.InvalidContinuationToken);
            }
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListOpenIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = clients.HomeVisits.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"IsOpen eq {true}"), maxPerPage: 1000,
            select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages();
        await using var e = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(async () => await e.MoveNextAsync()))
            foreach (var entity in e.Current.Values)
                yield return entity.RowKey;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HomeVisit>> ListForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var list = new List<HomeVisit>();
            await foreach (var e in clients.HomeVisits.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {regionCode} and PensionerId eq {pensionerId}"), cancellationToken: cancellationToken))
                list.Add(ToVisit(e));
            return (IReadOnlyList<HomeVisit>)list;
        });

    /// <inheritdoc />
    public Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var deleted = 0;
            await foreach (var e in clients.HomeVisits.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {regionCode} and PensionerId eq {pensionerId}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await clients.HomeVisits.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            return deleted;
        });

    private TableEntity ToEntity(HomeVisit v) => new(v.RegionCode, v.VisitId)
    {
        ["RowVersion"] = RowVersion,
        ["PensionerId"] = v.PensionerId,
        ["State"] = v.State.ToString(),
        ["IsOpen"] = v.IsOpen,
        // Why a visit is needed (bedridden, disabled) is health data: encrypted like the contact data.
        ["ReasonProtected"] = protector.Protect(v.Reason, Context(v.VisitId, "reason")),
        ["ContactPhoneProtected"] = protector.Protect(v.ContactPhone, Context(v.VisitId, "contactPhone")),
        ["AddressProtected"] = protector.Protect(v.Address, Context(v.VisitId, "address")),
        ["PreferredDates"] = string.Join(',', v.PreferredDates.Select(Date)),
        ["RequestedByKind"] = v.RequestedBy.Kind,
        ["RequestedById"] = v.RequestedBy.Id,
        ["RequestedAt"] = v.RequestedAt,
        ["Version"] = v.Version,
        ["ScheduledOn"] = v.ScheduledOn is { } on ? Date(on) : null,
        ["AssignedStaff"] = v.AssignedStaff,
        ["ScheduledBy"] = v.ScheduledBy,
        ["CertificationId"] = v.CertificationId,
        ["OutcomeReason"] = v.OutcomeReason,
        ["ClosedAt"] = v.ClosedAt,
        ["ClosedBy"] = v.ClosedBy,
        ["EscalatedAt"] = v.EscalatedAt,
        ["UpdatedAt"] = v.UpdatedAt,
        ["LastEvent"] = v.LastEvent,
    };

    private HomeVisit ToVisit(TableEntity e) => new()
    {
        VisitId = e.RowKey,
        RegionCode = e.PartitionKey,
        PensionerId = e.GetString("PensionerId"),
        State = Enum.Parse<HomeVisitState>(e.GetString("State")),
        Reason = Unprotect(e.GetString("ReasonProtected"), Context(e.RowKey, "reason")),
        ContactPhone = Unprotect(e.GetString("ContactPhoneProtected"), Context(e.RowKey, "contactPhone")),
        Address = Unprotect(e.GetString("AddressProtected"), Context(e.RowKey, "address")),
        PreferredDates = (e.GetString("PreferredDates") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseDate).ToArray(),
        RequestedBy = new VisitRequester(e.GetString("RequestedByKind") ?? VisitRequester.Operator, e.GetString("RequestedById") ?? ""),
        RequestedAt = e.GetDateTimeOffset("RequestedAt") ?? default,
        Version = e.GetInt32("Version") ?? 1,
        ScheduledOn = e.GetString("ScheduledOn") is { } on ? ParseDate(on) : null,
        AssignedStaff = e.GetString("AssignedStaff"),
        ScheduledBy = e.GetString("ScheduledBy"),
        CertificationId = e.GetString("CertificationId"),
        OutcomeReason = e.GetString("OutcomeReason"),
        ClosedAt = e.GetDateTimeOffset("ClosedAt"),
        ClosedBy = e.GetString("ClosedBy"),
        EscalatedAt = e.GetDateTimeOffset("EscalatedAt"),
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
        LastEvent = e.GetString("LastEvent") ?? HomeVisitEvents.Requested,
        ETag = e.ETag.ToString(),
    };

    /// <summary>
    /// A visit as lists show it: without the contact phone and address (lists never carry them, so they are not
    /// decrypted), and with an empty reason when the reason cannot be decrypted (a data key removed from the
    /// configuration): one unreadable visit must not make the whole region's list fail.
    /// </summary>
    private HomeVisit ToListedVisit(TableEntity e)
    {
        var listed = new TableEntity(e) { ["ContactPhoneProtected"] = null, ["AddressProtected"] = null };
        try
        {
            return ToVisit(listed);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
        {
            listed["ReasonProtected"] = null;
            return ToVisit(listed);
        }
    }

    /// <summary>The decrypted value; empty when none is stored (a list row, whose contact data is not read).</summary>
    private string Unprotect(string? protectedValue, string context) =>
        string.IsNullOrEmpty(protectedValue) ? "" : protector.Unprotect(protectedValue, context);

    private static string Context(string visitId, string field) => $"{visitId}/{field}";

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
