using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Certification records, routed by the id's shape (<see cref="Ids.PensionerIdOf"/>). A certification id that names its
/// pensioner has its record in the Pensioners table, in the pensioner's partition, RowKey <c>certification-{id}</c>: the
/// row that indexes the certification under its pensioner (erasure finds it) is the record itself, the poll is one
/// point read, the worker reads it with the profile in one partition query, and the decision is written in the cycle
/// change's transaction (<see cref="TableCertificationRows"/>). A 33-character id of the old layout keeps its record in
/// the Certifications table (PartitionKey = certification id, RowKey <c>record</c>) and its index row (no record
/// properties) in the pensioner's partition: records written before the layout change are read and written there.
/// </summary>
public sealed class TableCertificationRepository(StorageClients clients, TablePensionerRepository pensioners) : ICertificationRepository
{
    private const string RecordRowKey = "record";

    /// <summary>Where a record is stored: table, PartitionKey and RowKey.</summary>
    private (TableClient Table, string PartitionKey, string RowKey) Locate(string certificationId) =>
        Ids.PensionerIdOf(certificationId) is { } pensionerId
            ? (clients.Pensioners, pensionerId, TableCertificationRows.CertificationRowPrefix + certificationId)
            : (clients.Certifications, certificationId, RecordRowKey);

    /// <inheritdoc />
    public Task<CertificationRecord?> GetAsync(string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var (table, partitionKey, rowKey) = Locate(certificationId);
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            return response.HasValue && IsRecord(response.Value!) ? ToRecord(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await Locate(record.CertificationId).Table.AddEntityAsync(ToEntity(record), cancellationToken);
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
                var response = await Locate(record.CertificationId).Table.UpdateEntityAsync(ToEntity(record), new ETag(record.ETag), TableUpdateMode.Replace, cancellationToken);
                return record with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The certification record changed or was deleted meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task DeleteAsync(string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var (table, partitionKey, rowKey) = Locate(certificationId);
            try
            {
                await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public Task<bool> TryDeleteAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (record.ETag is null) throw new ArgumentException("Only a stored record can be deleted conditionally.", nameof(record));
            var (table, partitionKey, rowKey) = Locate(record.CertificationId);
            try
            {
                await table.DeleteEntityAsync(partitionKey, rowKey, new ETag(record.ETag), cancellationToken);
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

    /// <inheritdoc />
    public Task<CertificationWithPensioner?> GetWithPensionerAsync(string certificationId, DateOnly fromDay, DateOnly throughDay, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (Ids.PensionerIdOf(certificationId) is not { } pensionerId) return null;
            // One partition query: the profile, the record and the failed-attempt rows of the days (RowKeys "failed-{day}-…").
            var rowKey = TableCertificationRows.CertificationRowPrefix + certificationId;
            var from = TableCertificationRows.FailedAttemptPrefix(fromDay);
            var through = TableCertificationRows.FailedAttemptPrefix(throughDay) + "~";
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {pensionerId} and (RowKey eq {TablePensionerRepository.ProfileRow} or RowKey eq {rowKey} or (RowKey ge {from} and RowKey lt {through}))");
            PensionerProfile? profile = null;
            CertificationRecord? record = null;
            var failed = new List<(DateOnly, string)>();
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (e.RowKey == TablePensionerRepository.ProfileRow) profile = pensioners.ToProfile(e);
                else if (e.RowKey == rowKey) record = IsRecord(e) ? ToRecord(e) : null;
                else if (TableCertificationRows.ParseFailedAttempt(e.RowKey) is { } attempt) failed.Add(attempt);
            }
            return new CertificationWithPensioner(record, profile, fromDay, throughDay, failed);
        });

    /// <summary>A record row (an old-layout index row in the pensioner's partition holds no status).</summary>
    private static bool IsRecord(TableEntity e) => e.ContainsKey("Status");

    /// <summary>The record's row (in the table <see cref="Locate"/> names).</summary>
    internal static TableEntity ToEntity(CertificationRecord r) => new(PartitionKeyOf(r.CertificationId), RowKeyOf(r.CertificationId))
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

    private static string PartitionKeyOf(string certificationId) => Ids.PensionerIdOf(certificationId) ?? certificationId;

    private static string RowKeyOf(string certificationId) =>
        Ids.PensionerIdOf(certificationId) is null ? RecordRowKey : TableCertificationRows.CertificationRowPrefix + certificationId;

    internal static CertificationRecord ToRecord(TableEntity e) => new()
    {
        CertificationId = e.RowKey == RecordRowKey ? e.PartitionKey : e.RowKey[TableCertificationRows.CertificationRowPrefix.Length..],
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
