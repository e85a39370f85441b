using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Certifications table: PartitionKey = certification id (point reads, even spread), RowKey <c>record</c>.</summary>
public sealed class TableCertificationRepository(StorageClients clients) : ICertificationRepository
{
    private const string RecordRowKey = "record";

    /// <inheritdoc />
    public Task<CertificationRecord?> GetAsync(string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.Certifications.GetEntityIfExistsAsync<TableEntity>(certificationId, RecordRowKey, cancellationToken: cancellationToken);
            return response.HasValue ? ToRecord(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.Certifications.AddEntityAsync(ToEntity(record), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<CertificationRecord> UpdateAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (record.ETag is null) throw new ArgumentException("Only a stored record can be updated.", nameof(record));
            try
            {
                var response = await clients.Certifications.UpdateEntityAsync(ToEntity(record), new ETag(record.ETag), TableUpdateMode.Replace, cancellationToken);
                return record with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The certification record changed or was deleted meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task DeleteAsync(string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.Certifications.DeleteEntityAsync(certificationId, RecordRowKey, ETag.All, cancellationToken));

    /// <inheritdoc />
    public Task<bool> TryDeleteAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (record.ETag is null) throw new ArgumentException("Only a stored record can be deleted conditionally.", nameof(record));
            try
            {
                await clients.Certifications.DeleteEntityAsync(record.CertificationId, RecordRowKey, new ETag(record.ETag), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                return false;
            }
        });

    private static TableEntity ToEntity(CertificationRecord r) => new(r.CertificationId, RecordRowKey)
    {
        ["PensionerId"] = r.PensionerId,
        ["Channel"] = r.Channel.ToWireName(),
        ["Status"] = r.Status.ToString(),
        ["SelfieBlobName"] = r.SelfieBlobName,
        ["SubmittedAt"] = r.SubmittedAt,
        ["ProcessingStartedAt"] = r.ProcessingStartedAt,
        ["DecidedAt"] = r.DecidedAt,
        ["Similarity"] = r.Similarity,
        ["AcceptThreshold"] = r.AcceptThreshold,
        ["ReviewThreshold"] = r.ReviewThreshold,
        ["LivenessScore"] = r.LivenessScore,
        ["ReasonCodes"] = string.Join(',', r.ReasonCodes),
        ["Attempts"] = r.Attempts,
        ["SelfieDeleteOn"] = r.SelfieDeleteOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["SelfieDeletedAt"] = r.SelfieDeletedAt,
        ["SessionId"] = r.SessionId,
        ["IntendedStatus"] = r.IntendedStatus?.ToString(),
        ["RequeuedAt"] = r.RequeuedAt,
        ["SubmittedBy"] = r.SubmittedBy,
        ["DecidedBy"] = r.DecidedBy,
        ["DecisionSource"] = r.DecisionSource,
        ["Guidance"] = r.Guidance,
        ["ReviewCaseId"] = r.ReviewCaseId,
        ["CapturedBy"] = r.CapturedBy,
        ["ServicePoint"] = r.ServicePoint,
        ["IdDocumentChecked"] = r.IdDocumentChecked,
        ["HomeVisitId"] = r.HomeVisitId,
        ["AssistedBy"] = r.AssistedBy,
    };

    private static CertificationRecord ToRecord(TableEntity e) => new()
    {
        CertificationId = e.PartitionKey,
        PensionerId = e.GetString("PensionerId"),
        Channel = CertificationChannels.TryParse(e.GetString("Channel"), out var channel) ? channel : CertificationChannel.App,
        Status = Enum.Parse<CertificationStatus>(e.GetString("Status")),
        SelfieBlobName = e.GetString("SelfieBlobName"),
        SubmittedAt = e.GetDateTimeOffset("SubmittedAt") ?? default,
        ProcessingStartedAt = e.GetDateTimeOffset("ProcessingStartedAt"),
        DecidedAt = e.GetDateTimeOffset("DecidedAt"),
        Similarity = e.GetDouble("Similarity"),
        AcceptThreshold = e.GetDouble("AcceptThreshold"),
        ReviewThreshold = e.GetDouble("ReviewThreshold"),
        LivenessScore = e.GetDouble("LivenessScore"),
        ReasonCodes = (e.GetString("ReasonCodes") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        Attempts = e.GetInt32("Attempts") ?? 0,
        SelfieDeleteOn = e.GetString("SelfieDeleteOn") is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
        SelfieDeletedAt = e.GetDateTimeOffset("SelfieDeletedAt"),
        SessionId = e.GetString("SessionId"),
        IntendedStatus = Enum.TryParse<CertificationStatus>(e.GetString("IntendedStatus"), out var intended) ? intended : null,
        RequeuedAt = e.GetDateTimeOffset("RequeuedAt"),
        SubmittedBy = e.GetString("SubmittedBy"),
        DecidedBy = e.GetString("DecidedBy"),
        DecisionSource = e.GetString("DecisionSource"),
        Guidance = e.GetString("Guidance"),
        ReviewCaseId = e.GetString("ReviewCaseId"),
        CapturedBy = e.GetString("CapturedBy"),
        ServicePoint = e.GetString("ServicePoint"),
        IdDocumentChecked = e.GetBoolean("IdDocumentChecked"),
        HomeVisitId = e.GetString("HomeVisitId"),
        AssistedBy = e.GetString("AssistedBy"),
        ETag = e.ETag.ToString(),
    };
}
