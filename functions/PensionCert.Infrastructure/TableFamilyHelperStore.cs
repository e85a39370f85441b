using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.FamilyHelpers;
using PensionCert.Core.Protection;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// FamilyHelpers table: PartitionKey = pensioner id, RowKey = helper id. The helper's name and phone are stored only
/// AES-GCM encrypted (<c>NameProtected</c>, <c>PhoneProtected</c>, bound to the pensioner, helper and field).
/// </summary>
public sealed class TableFamilyHelperStore(StorageClients clients, IPersonalDataProtector protector) : IFamilyHelperStore
{
    /// <inheritdoc />
    public Task<bool> TryCreateAsync(FamilyHelper helper, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.FamilyHelpers.AddEntityAsync(ToEntity(helper), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<FamilyHelper?> GetAsync(string pensionerId, string helperId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (!Ids.IsPensionerId(pensionerId) || !FamilyHelperIds.IsWellFormed(helperId)) return null;
            var response = await clients.FamilyHelpers.GetEntityIfExistsAsync<TableEntity>(pensionerId, helperId, cancellationToken: cancellationToken);
            return response.HasValue ? ToHelper(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<FamilyHelper> UpdateAsync(FamilyHelper helper, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (helper.ETag is null) throw new ArgumentException("Only a stored binding can be updated.", nameof(helper));
            try
            {
                var response = await clients.FamilyHelpers.UpdateEntityAsync(ToEntity(helper), new ETag(helper.ETag), TableUpdateMode.Replace, cancellationToken);
                return helper with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The family helper binding changed or was deleted meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<FamilyHelper>> ListAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var list = new List<FamilyHelper>();
            await foreach (var e in clients.FamilyHelpers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"), cancellationToken: cancellationToken))
                list.Add(ToHelper(e));
            return (IReadOnlyList<FamilyHelper>)list.OrderBy(h => h.RequestedAt).ToArray();
        });

    /// <inheritdoc />
    public Task<int> DeleteForPensionerAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var deleted = 0;
            await foreach (var e in clients.FamilyHelpers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"),
                select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await clients.FamilyHelpers.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            return deleted;
        });

    private TableEntity ToEntity(FamilyHelper h) => new(h.PensionerId, h.HelperId)
    {
        ["RegionCode"] = h.RegionCode,
        ["State"] = h.State.ToString(),
        ["NameProtected"] = protector.Protect(h.Name, Context(h, "name")),
        ["PhoneProtected"] = protector.Protect(h.Phone, Context(h, "phone")),
        ["Relationship"] = h.Relationship,
        ["RequestedBy"] = h.RequestedBy,
        ["RequestedAt"] = h.RequestedAt,
        ["ApprovedBy"] = h.ApprovedBy,
        ["ApprovedAt"] = h.ApprovedAt,
        ["RevokedBy"] = h.RevokedBy,
        ["RevokedAt"] = h.RevokedAt,
    };

    private FamilyHelper ToHelper(TableEntity e) => new()
    {
        PensionerId = e.PartitionKey,
        HelperId = e.RowKey,
        RegionCode = e.GetString("RegionCode"),
        State = Enum.Parse<FamilyHelperState>(e.GetString("State")),
        Name = protector.Unprotect(e.GetString("NameProtected") ?? "", $"{e.PartitionKey}/helper/{e.RowKey}/name"),
        Phone = protector.Unprotect(e.GetString("PhoneProtected") ?? "", $"{e.PartitionKey}/helper/{e.RowKey}/phone"),
        Relationship = e.GetString("Relationship"),
        RequestedBy = e.GetString("RequestedBy") ?? "",
        RequestedAt = e.GetDateTimeOffset("RequestedAt") ?? default,
        ApprovedBy = e.GetString("ApprovedBy"),
        ApprovedAt = e.GetDateTimeOffset("ApprovedAt"),
        RevokedBy = e.GetString("RevokedBy"),
        RevokedAt = e.GetDateTimeOffset("RevokedAt"),
        ETag = e.ETag.ToString(),
    };

    private static string Context(FamilyHelper h, string field) => $"{h.PensionerId}/helper/{h.HelperId}/{field}";
}

/// <summary>AssistedApprovals table: PartitionKey = <c>{yyyyMM}-{regionCode}</c> (China month), RowKey = certification id.</summary>
public sealed class TableAssistedApprovalLog(StorageClients clients) : IAssistedApprovalLog
{
    /// <inheritdoc />
    public Task RecordAsync(AssistedApproval approval, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var month = PensionCert.Core.Cycle.ChinaTime.ToChinaDate(approval.ApprovedAt);
            try
            {
                await clients.AssistedApprovals.AddEntityAsync(new TableEntity($"{month:yyyyMM}-{approval.RegionCode}", approval.CertificationId)
                {
                    ["HelperId"] = approval.HelperId,
                    ["Channel"] = approval.Channel,
                    ["ApprovedAt"] = approval.ApprovedAt,
                }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Counted already (a redelivered decision).
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<AssistedApproval>> ListAsync(string regionPrefix, DateOnly month, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var prefix = month.ToString("yyyyMM", CultureInfo.InvariantCulture) + "-" + regionPrefix;
            var list = new List<AssistedApproval>();
            await foreach (var e in clients.AssistedApprovals.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}"), cancellationToken: cancellationToken))
                list.Add(new AssistedApproval(e.PartitionKey[7..], e.RowKey, e.GetString("HelperId"), e.GetString("Channel"), e.GetDateTimeOffset("ApprovedAt") ?? default));
            return (IReadOnlyList<AssistedApproval>)list;
        });
}
