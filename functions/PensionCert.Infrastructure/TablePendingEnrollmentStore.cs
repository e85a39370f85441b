using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Protection;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Pending ID-photo enrolments: Pensioners table, PartitionKey = the pensioner id claimed for the ID number, RowKey
/// <c>pending-enrollment</c> (beside where the profile will be, so an erasure of the pensioner removes it too). The
/// name and ID number are stored only AES-GCM encrypted (<c>NameProtected</c>, <c>IdNumberProtected</c>, bound to the
/// pensioner id and field), like a profile's.
/// </summary>
public sealed class TablePendingEnrollmentStore(StorageClients clients, IPersonalDataProtector protector) : IPendingEnrollmentStore
{
    private const string RowKey = "pending-enrollment";

    /// <inheritdoc />
    public Task<PendingEnrollment?> GetAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, RowKey, cancellationToken: cancellationToken);
            if (!response.HasValue) return null;
            var e = response.Value!;
            return new PendingEnrollment
            {
                PensionerId = pensionerId,
                IdNumberHash = e.GetString("IdNumberHash"),
                IdNumber = protector.Unprotect(e.GetString("IdNumberProtected") ?? "", IdNumberContext(pensionerId)),
                MaskedIdNumber = e.GetString("MaskedIdNumber"),
                Name = protector.Unprotect(e.GetString("NameProtected") ?? "", NameContext(pensionerId)),
                RegionCode = e.GetString("RegionCode"),
                PhotoBlobName = e.GetString("PhotoBlobName"),
                RequestHash = e.GetString("RequestHash"),
                CaseId = e.GetString("CaseId"),
                RequestedBy = e.GetString("RequestedBy"),
                RequestedAt = e.GetDateTimeOffset("RequestedAt") ?? default,
                ETag = e.ETag.ToString(),
            };
        });

    /// <inheritdoc />
    public Task SaveAsync(PendingEnrollment pending, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entity = new TableEntity(pending.PensionerId, RowKey)
            {
                ["IdNumberHash"] = pending.IdNumberHash,
                ["IdNumberProtected"] = protector.Protect(pending.IdNumber, IdNumberContext(pending.PensionerId)),
                ["MaskedIdNumber"] = pending.MaskedIdNumber,
                ["NameProtected"] = protector.Protect(pending.Name, NameContext(pending.PensionerId)),
                ["RegionCode"] = pending.RegionCode,
                ["PhotoBlobName"] = pending.PhotoBlobName,
                ["RequestHash"] = pending.RequestHash,
                ["CaseId"] = pending.CaseId,
                ["RequestedBy"] = pending.RequestedBy,
                ["RequestedAt"] = pending.RequestedAt,
            };
            try
            {
                if (pending.ETag is null) await clients.Pensioners.AddEntityAsync(entity, cancellationToken);
                else await clients.Pensioners.UpdateEntityAsync(entity, new ETag(pending.ETag), TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The pending enrolment changed meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task DeleteAsync(string pensionerId, string caseId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, RowKey, select: ["CaseId"], cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value!.GetString("CaseId") != caseId) return;
            try
            {
                await clients.Pensioners.DeleteEntityAsync(pensionerId, RowKey, response.Value.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Gone, or replaced by a newer request meanwhile: that one is not ours to delete.
            }
        });

    /// <summary>Associated data binding an encrypted name to its pending enrolment (not the profile's context, so neither decrypts as the other).</summary>
    private static string NameContext(string pensionerId) => pensionerId + "/pending-enrollment/name";

    /// <summary>Associated data binding an encrypted ID number to its pending enrolment.</summary>
    private static string IdNumberContext(string pensionerId) => pensionerId + "/pending-enrollment/idNumber";
}
