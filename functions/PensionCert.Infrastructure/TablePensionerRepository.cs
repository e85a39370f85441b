using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Protection;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Pensioners table: PartitionKey = pensioner id; RowKey <c>profile</c> holds the current profile and reference
/// embedding, RowKeys <c>reference-{version:D6}</c> the superseded references (with their templates, encrypted). PensionerIdentities table:
/// PartitionKey = keyed hash of the ID number, RowKey empty, value = pensioner id; RowKey <c>erased</c> = the tombstone
/// an erasure leaves (<see cref="ErasedIdentity"/>: dates, standing, staff ids, no personal data beyond the hash). In the pensioner's partition,
/// RowKeys <c>certification-{id}</c> index their certifications and <c>failed-{yyyy-MM-dd}-{id}</c> their rejections
/// per China day; erasure deletes the partition (the certification index rows once their certifications are erased).
/// The name, ID number and face templates are stored only AES-GCM encrypted (<c>NameProtected</c>,
/// <c>IdNumberProtected</c>, <c>ReferenceEmbeddingProtected</c>, <c>ReferenceFingerprintProtected</c>, <c>LiveReferencesProtected</c>, each bound to the
/// pensioner id and field), re-encrypted with the active key whenever the profile is saved; a row written before
/// templates were encrypted (plain <c>ReferenceEmbedding</c> bytes) still reads.
/// </summary>
public sealed class TablePensionerRepository(StorageClients clients, IPersonalDataProtector protector) : IPensionerRepository
{
    private const string ProfileRowKey = "profile";
    /// <summary>RowKey of an erased pensioner's tombstone in PensionerIdentities (beside the live mapping's empty RowKey).</summary>
    private const string ErasedRowKey = "erased";
    private const string ReferenceRowPrefix = "reference-";
    private const string CertificationRowPrefix = "certification-";
    private const string FailedAttemptRowPrefix = "failed-";
    private const int MaxErasePasses = 10;

    /// <inheritdoc />
    public Task<PensionerProfile?> GetAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, ProfileRowKey, cancellationToken: cancellationToken);
            return response.HasValue ? ToProfile(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<string?> FindIdAsync(string idNumberHash, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.PensionerIdentities.GetEntityIfExistsAsync<TableEntity>(idNumberHash, "", cancellationToken: cancellationToken);
            return response.HasValue ? response.Value!.GetString("PensionerId") : null;
        });

    /// <inheritdoc />
    public Task<string> ClaimIdAsync(string idNumberHash, string candidateId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.PensionerIdentities.AddEntityAsync(new TableEntity(idNumberHash, "") { ["PensionerId"] = candidateId }, cancellationToken);
                return candidateId;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var existing = await clients.PensionerIdentities.GetEntityAsync<TableEntity>(idNumberHash, "", cancellationToken: cancellationToken);
                return existing.Value.GetString("PensionerId");
            }
        });

    /// <inheritdoc />
    public Task SaveEnrollmentAsync(PensionerProfile profile, ReferenceHistoryEntry? superseded, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entity = ToEntity(profile);
            var actions = new List<TableTransactionAction>
            {
                profile.ETag is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(profile.ETag)),
            };
            if (superseded is not null)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(profile.PensionerId, ReferenceRowKey(superseded.ReferenceVersion))
                {
                    ["ReferenceVersion"] = superseded.ReferenceVersion,
                    ["ReferenceBlobName"] = superseded.ReferenceBlobName,
                    ["EnrolledAt"] = superseded.EnrolledAt,
                    ["ReplacedAt"] = superseded.ReplacedAt,
                    ["ReferenceSource"] = superseded.ReferenceSource,
                    ["ReferenceEmbeddingProtected"] = superseded.Embedding is null ? null
                        : protector.Protect(Convert.ToBase64String(superseded.Embedding.ToBytes()), HistoryTemplateContext(profile.PensionerId, superseded.ReferenceVersion)),
                }));
            }
            try
            {
                await clients.Pensioners.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                throw new ConcurrencyConflictException("The pensioner profile changed during enrollment.", ex);
            }
        });

    /// <inheritdoc />
    public Task UpdateAsync(PensionerProfile profile, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (profile.ETag is null) throw new ArgumentException("Only a stored profile can be updated.", nameof(profile));
            try
            {
                await clients.Pensioners.UpdateEntityAsync(ToEntity(profile), new ETag(profile.ETag), TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
                throw new ConcurrencyConflictException("The pensioner profile changed meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<ErasedIdentity?> GetErasedAsync(string idNumberHash, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.PensionerIdentities.GetEntityIfExistsAsync<TableEntity>(idNumberHash, ErasedRowKey, cancellationToken: cancellationToken);
            if (!response.HasValue) return null;
            var e = response.Value!;
            return new ErasedIdentity(idNumberHash, e.GetDateTimeOffset("ErasedAt") ?? default,
                Enum.TryParse<PensionerStanding>(e.GetString("Standing"), out var standing) ? standing : PensionerStanding.Deceased,
                e.GetString("ErasedBy") ?? "", e.GetString("ReEnrollmentRequestedBy"), e.GetString("ReEnrollmentRequestHash")) { ETag = e.ETag.ToString() };
        });

    /// <inheritdoc />
    public Task SaveErasedAsync(ErasedIdentity tombstone, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entity = new TableEntity(tombstone.IdNumberHash, ErasedRowKey)
            {
                ["ErasedAt"] = tombstone.ErasedAt,
                ["Standing"] = tombstone.Standing.ToString(),
                ["ErasedBy"] = tombstone.ErasedBy,
                ["ReEnrollmentRequestedBy"] = tombstone.ReEnrollmentRequestedBy,
                ["ReEnrollmentRequestHash"] = tombstone.ReEnrollmentRequestHash,
            };
            try
            {
                if (tombstone.ETag is null) await clients.PensionerIdentities.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
                else await clients.PensionerIdentities.UpdateEntityAsync(entity, new ETag(tombstone.ETag), TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
                throw new ConcurrencyConflictException("The tombstone changed meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<ReferenceHistoryEntry>> GetReferenceHistoryAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {ReferenceRowPrefix} and RowKey lt {ReferenceRowPrefix + "~"}");
            var entries = new List<ReferenceHistoryEntry>();
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                var version = e.GetInt32("ReferenceVersion") ?? 0;
                var embedding = e.GetString("ReferenceEmbeddingProtected") is { } template
                    ? FaceEmbedding.FromBytes(Convert.FromBase64String(protector.Unprotect(template, HistoryTemplateContext(pensionerId, version))))
                    : null;
                entries.Add(new ReferenceHistoryEntry(version, e.GetString("ReferenceBlobName"),
                    e.GetDateTimeOffset("EnrolledAt") ?? default, e.GetDateTimeOffset("ReplacedAt") ?? default, embedding, e.GetString("ReferenceSource")));
            }
            return (IReadOnlyList<ReferenceHistoryEntry>)entries;
        });

    /// <inheritdoc />
    public Task AddCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.Pensioners.UpsertEntityAsync(
            new TableEntity(pensionerId, CertificationRowPrefix + certificationId), TableUpdateMode.Replace, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListCertificationIdsAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {CertificationRowPrefix} and RowKey lt {CertificationRowPrefix + "~"}");
            var ids = new List<string>();
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
                ids.Add(e.RowKey[CertificationRowPrefix.Length..]);
            return (IReadOnlyList<string>)ids;
        });

    /// <inheritdoc />
    public Task RemoveCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.Pensioners.DeleteEntityAsync(pensionerId, CertificationRowPrefix + certificationId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public Task<int> DeleteAsync(string pensionerId, string idNumberHash, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var identity = await clients.PensionerIdentities.GetEntityIfExistsAsync<TableEntity>(idNumberHash, "", cancellationToken: cancellationToken);
            if (identity.HasValue && identity.Value!.GetString("PensionerId") == pensionerId)
            {
                try
                {
                    await clients.PensionerIdentities.DeleteEntityAsync(idNumberHash, "", identity.Value.ETag, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                    // Deleted or re-pointed meanwhile: either way it no longer maps to this pensioner's row we read.
                }
            }

            var deleted = 0;
            for (var attempt = 1; ; attempt++)
            {
                // The profile's ETag first: every writer that adds a row together with a profile change (cycle changes
                // and their outbox rows, failed attempts) changes it, so the conditional delete below fails if one
                // slipped in after the listing, and the partition is read again.
                var profile = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, ProfileRowKey, select: ["RowKey"], cancellationToken: cancellationToken);
                var rowKeys = new List<string>();
                await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}"), select: ["RowKey"], cancellationToken: cancellationToken))
                    if (e.RowKey != ProfileRowKey && !e.RowKey.StartsWith(CertificationRowPrefix, StringComparison.Ordinal)) rowKeys.Add(e.RowKey);
                // Everything but the profile first, in transactions of at most 100 (the service limit per batch).
                foreach (var chunk in rowKeys.Chunk(100))
                {
                    try
                    {
                        await clients.Pensioners.SubmitTransactionAsync(
                            chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pensionerId, k), ETag.All)), cancellationToken);
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == 404)
                    {
                        // A row went meanwhile (the worker removing a raced certification): one by one, 404s ignored.
                        foreach (var k in chunk)
                            await clients.Pensioners.DeleteEntityAsync(pensionerId, k, ETag.All, cancellationToken);
                    }
                }
                deleted += rowKeys.Count;
                if (!profile.HasValue) return deleted;
                try
                {
                    await clients.Pensioners.DeleteEntityAsync(pensionerId, ProfileRowKey, profile.Value!.ETag, cancellationToken);
                    return deleted + 1;
                }
                catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxErasePasses)
                {
                }
            }
        });

    /// <inheritdoc />
    public Task<bool> RecordFailedAttemptAsync(string pensionerId, DateOnly day, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                // The empty merge on the profile (If-Match *) makes the transaction fail when the profile is gone.
                await clients.Pensioners.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pensionerId, ProfileRowKey), ETag.All),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pensionerId, FailedAttemptPrefix(day) + certificationId)),
                ], cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<int> CountFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var prefix = FailedAttemptPrefix(day);
            var count = 0;
            await foreach (var _ in clients.Pensioners.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"), select: ["RowKey"], cancellationToken: cancellationToken))
                count++;
            return count;
        });

    /// <inheritdoc />
    public Task<(PensionerProfile? Profile, int FailedAttempts)> GetWithFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            // One partition query: the profile row and the day's rejection rows (RowKeys "failed-{day}-…").
            var prefix = FailedAttemptPrefix(day);
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {pensionerId} and (RowKey eq {ProfileRowKey} or (RowKey ge {prefix} and RowKey lt {prefix + "~"}))");
            PensionerProfile? profile = null;
            var failures = 0;
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (e.RowKey == ProfileRowKey) profile = ToProfile(e);
                else failures++;
            }
            return (profile, profile is null ? 0 : failures);
        });

    private static string FailedAttemptPrefix(DateOnly day) => TableCertificationRows.FailedAttemptPrefix(day);

    /// <inheritdoc />
    public Task<(PensionerProfile? Profile, CertificationIntent? Intent)> GetWithIntentAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            // One partition query: the profile row and the certification's index row (with the worker's decision, if written).
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and (RowKey eq {ProfileRowKey} or RowKey eq {CertificationRowPrefix + certificationId})");
            PensionerProfile? profile = null;
            CertificationIntent? intent = null;
            await foreach (var e in clients.Pensioners.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (e.RowKey == ProfileRowKey) profile = ToProfile(e);
                else intent = TableCertificationRows.IntentOf(e);
            }
            return (profile, intent);
        });

    private static string ReferenceRowKey(int version) => ReferenceRowPrefix + version.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>RowKey of the profile row in the pensioner's partition.</summary>
    internal const string ProfileRow = ProfileRowKey;

    /// <summary>The profile row, with the name and ID number encrypted (also used by the cycle store's transactions).</summary>
    internal TableEntity ToEntity(PensionerProfile p) => new(p.PensionerId, ProfileRowKey)
    {
        ["IdNumberHash"] = p.IdNumberHash,
        ["MaskedIdNumber"] = p.MaskedIdNumber,
        ["NameProtected"] = protector.Protect(p.Name, NameContext(p.PensionerId)),
        ["IdNumberProtected"] = p.IdNumber is null ? null : protector.Protect(p.IdNumber, IdNumberContext(p.PensionerId)),
        ["RegionCode"] = p.RegionCode,
        ["ReferenceVersion"] = p.ReferenceVersion,
        ["ReferenceBlobName"] = p.ReferenceBlobName,
        // Templates are biometric personal data (PIPL art. 28): encrypted like the name; the plain "ReferenceEmbedding"
        // of older rows disappears when the row is next replaced.
        ["ReferenceEmbeddingProtected"] = ProtectTemplate(p.ReferenceEmbedding, p.PensionerId),
        ["LiveReferencesProtected"] = p.LiveReferences.Count == 0 ? null : ProtectLiveReferences(p.LiveReferences, p.PensionerId),
        // The reference photo's pixel fingerprint (a low-resolution face: biometric too), for the replay check.
        ["ReferenceFingerprintProtected"] = p.ReferenceFingerprint is null ? null
            : protector.Protect(Convert.ToBase64String(p.ReferenceFingerprint.ToBytes()), FingerprintContext(p.PensionerId)),
        ["EnrolledAt"] = p.EnrolledAt,
        ["LastCertifiedAt"] = p.LastCertifiedAt,
        ["ValidUntil"] = p.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["Suspended"] = p.Suspended,
        ["Standing"] = p.Standing.ToString(),
        ["BirthMonth"] = p.BirthMonth,
        ["PreferredChannel"] = p.PreferredChannel,
        ["InvestigationOpenedOn"] = DateText(p.InvestigationOpenedOn),
        ["SuspendedOn"] = DateText(p.SuspendedOn),
        ["EndedOn"] = DateText(p.EndedOn),
        ["OpenHolds"] = string.Join(',', p.OpenHolds),
        ["FirstEnrolledAt"] = p.FirstEnrolledAt,
        ["ReferenceChangedBy"] = p.ReferenceChangedBy.Count == 0 ? null : string.Join('\n', p.ReferenceChangedBy),
        ["EnrollmentRequestHash"] = p.EnrollmentRequestHash,
        ["LastAutomaticReferenceChangeAt"] = p.LastAutomaticReferenceChangeAt,
        ["DeathReportCaseId"] = p.DeathReportCaseId,
        ["PaymentHeldOn"] = DateText(p.PaymentHeldOn),
        ["DeathReports"] = p.DeathReports == 0 ? null : (int?)p.DeathReports,
        ["ReferenceSource"] = p.ReferenceSource,
    };

    /// <summary>Associated data binding an encrypted name to its pensioner.</summary>
    private static string NameContext(string pensionerId) => pensionerId + "/name";

    /// <summary>Associated data binding an encrypted ID number to its pensioner.</summary>
    private static string IdNumberContext(string pensionerId) => pensionerId + "/idNumber";

    /// <summary>Associated data binding an encrypted reference template to its pensioner.</summary>
    private static string TemplateContext(string pensionerId) => pensionerId + "/referenceEmbedding";

    /// <summary>Associated data binding a superseded reference's encrypted template to its pensioner and version.</summary>
    private static string HistoryTemplateContext(string pensionerId, int version) =>
        pensionerId + "/reference-" + version.ToString(CultureInfo.InvariantCulture);

    /// <summary>Associated data binding an encrypted reference fingerprint to its pensioner.</summary>
    private static string FingerprintContext(string pensionerId) => pensionerId + "/referenceFingerprint";

    /// <summary>Associated data binding the encrypted live references to their pensioner.</summary>
    private static string LiveReferencesContext(string pensionerId) => pensionerId + "/liveReferences";

    private string ProtectTemplate(FaceEmbedding embedding, string pensionerId) =>
        protector.Protect(Convert.ToBase64String(embedding.ToBytes()), TemplateContext(pensionerId));

    /// <summary>
    /// One encrypted value for all live references: lines of <c>{certificationId} {addedAt:O} {base64 template}</c> and,
    /// when the selfie's fingerprint is known, <c> {base64 fingerprint}</c> (lines written before have three fields).
    /// </summary>
    private string ProtectLiveReferences(IReadOnlyList<LiveReference> references, string pensionerId) =>
        protector.Protect(string.Join('\n', references.Select(r =>
            $"{r.CertificationId} {r.AddedAt.ToString("O", CultureInfo.InvariantCulture)} {Convert.ToBase64String(r.Embedding.ToBytes())}"
            + (r.Fingerprint is null ? "" : " " + Convert.ToBase64String(r.Fingerprint.ToBytes())))), LiveReferencesContext(pensionerId));

    private LiveReference[] UnprotectLiveReferences(string value, string pensionerId) =>
        protector.Unprotect(value, LiveReferencesContext(pensionerId)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(f => new LiveReference(f[0], DateTimeOffset.ParseExact(f[1], "O", CultureInfo.InvariantCulture), FaceEmbedding.FromBytes(Convert.FromBase64String(f[2])),
                f.Length > 3 ? FaceFingerprint.FromBytes(Convert.FromBase64String(f[3])) : null))
            .ToArray();

    private static string? DateText(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text) => text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal PensionerProfile ToProfile(TableEntity e) => new()
    {
        PensionerId = e.PartitionKey,
        IdNumberHash = e.GetString("IdNumberHash"),
        MaskedIdNumber = e.GetString("MaskedIdNumber"),
        Name = protector.Unprotect(e.GetString("NameProtected") ?? "", NameContext(e.PartitionKey)),
        IdNumber = e.GetString("IdNumberProtected") is { } protectedId ? protector.Unprotect(protectedId, IdNumberContext(e.PartitionKey)) : null,
        RegionCode = e.GetString("RegionCode"),
        ReferenceVersion = e.GetInt32("ReferenceVersion") ?? 0,
        ReferenceBlobName = e.GetString("ReferenceBlobName"),
        // Rows written before templates were encrypted hold the plain bytes.
        ReferenceEmbedding = e.GetString("ReferenceEmbeddingProtected") is { } template
            ? FaceEmbedding.FromBytes(Convert.FromBase64String(protector.Unprotect(template, TemplateContext(e.PartitionKey))))
            : FaceEmbedding.FromBytes(e.GetBinary("ReferenceEmbedding")),
        LiveReferences = e.GetString("LiveReferencesProtected") is { } live ? UnprotectLiveReferences(live, e.PartitionKey) : [],
        // Null for references enrolled before fingerprints were kept (or of another fingerprint version): computed again.
        ReferenceFingerprint = e.GetString("ReferenceFingerprintProtected") is { } print
            ? FaceFingerprint.FromBytes(Convert.FromBase64String(protector.Unprotect(print, FingerprintContext(e.PartitionKey))))
            : null,
        EnrolledAt = e.GetDateTimeOffset("EnrolledAt") ?? default,
        LastCertifiedAt = e.GetDateTimeOffset("LastCertifiedAt"),
        ValidUntil = ParseDate(e.GetString("ValidUntil")),
        // Rows written before the cycle existed have only the Suspended flag.
        Standing = Enum.TryParse<PensionerStanding>(e.GetString("Standing"), out var standing) ? standing
            : e.GetBoolean("Suspended") == true ? PensionerStanding.Suspended : PensionerStanding.Active,
        BirthMonth = e.GetInt32("BirthMonth"),
        PreferredChannel = e.GetString("PreferredChannel"),
        InvestigationOpenedOn = ParseDate(e.GetString("InvestigationOpenedOn")),
        SuspendedOn = ParseDate(e.GetString("SuspendedOn")),
        EndedOn = ParseDate(e.GetString("EndedOn")),
        OpenHolds = (e.GetString("OpenHolds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        FirstEnrolledAt = e.GetDateTimeOffset("FirstEnrolledAt"),
        ReferenceChangedBy = (e.GetString("ReferenceChangedBy") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries),
        EnrollmentRequestHash = e.GetString("EnrollmentRequestHash"),
        LastAutomaticReferenceChangeAt = e.GetDateTimeOffset("LastAutomaticReferenceChangeAt"),
        DeathReportCaseId = e.GetString("DeathReportCaseId"),
        PaymentHeldOn = ParseDate(e.GetString("PaymentHeldOn")),
        DeathReports = e.GetInt32("DeathReports") ?? 0,
        ReferenceSource = e.GetString("ReferenceSource"),
        ETag = e.ETag.ToString(),
    };
}
