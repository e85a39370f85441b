using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>
/// Where and how the nightly table export (<see cref="TableExporter"/>) writes. The archive is a connection of its
/// own, <c>PensionCertAuditArchive</c> (<see cref="ConnectionSettingName"/>), in the same forms as the storage
/// connections: a connection string, or identity-based <c>PensionCertAuditArchive__blobServiceUri</c> with
/// <c>__credential</c> = <c>managedidentity</c> and <c>__clientId</c>. In Azure it is the immutable audit archive
/// account (infra/modules/auditstorage.bicep). When it is absent and the data storage connection is a connection
/// string (local runs, tests), the export goes to the container <see cref="Core.Definitions.StorageNames.TableExportsContainer"/>
/// of that same account (Azurite); when the data storage is identity-based (Azure), a missing archive connection
/// fails start-up: an export kept in the account it protects would not survive that account's mistakes.
/// The remaining settings are in the section <c>PensionCert:TableExport</c>.
/// </summary>
public sealed class TableExportOptions : IValidatableObject
{
    /// <summary>The connection setting (and configuration section) of the audit archive account.</summary>
    public const string ConnectionSettingName = "PensionCertAuditArchive";

    /// <summary>Section of the remaining settings.</summary>
    public const string SectionName = "PensionCert:TableExport";

    /// <summary>Entities per export blob (<c>&lt;n&gt;.jsonl</c>); a larger table is written as several blobs.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntitiesPerBlob { get; set; } = 250_000;

    /// <summary>Entities per query page (the Table service returns at most 1,000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>The archive connection string, when the archive is reached with one (Azurite).</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>PensionCertAuditArchive__blobServiceUri</c>, e.g. <c>https://stpcaudit.blob.core.windows.net</c>.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary><c>PensionCertAuditArchive__credential</c>: <c>managedidentity</c>, or empty for <c>DefaultAzureCredential</c>.</summary>
    public string? Credential { get; set; }

    /// <summary><c>PensionCertAuditArchive__clientId</c>: the user-assigned identity's client id.</summary>
    public string? ClientId { get; set; }

    /// <summary>True when the archive connection was not configured and the data storage's connection string is used.</summary>
    public bool UsesDataStorage { get; private set; }

    private string? _readError;

    /// <summary>
    /// Reads <c>PensionCertAuditArchive</c>; without it, takes <paramref name="dataStorage"/>'s connection string when
    /// it has one (local runs), else leaves the connection empty (a validation error).
    /// </summary>
    public void ReadConnection(IConfigurationSection archive, StorageOptions dataStorage)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(dataStorage);
        ConnectionString = Blank(archive.Value);
        Credential = Blank(archive["credential"]);
        ClientId = Blank(archive["clientId"]);
        if (Blank(archive["blobServiceUri"]) is { } uri)
        {
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
                BlobServiceUri = parsed;
            else
                _readError = $"'{ConnectionSettingName}__blobServiceUri' must be an absolute http(s) URI.";
        }
        if (ConnectionString is null && BlobServiceUri is null && _readError is null && dataStorage.UsesConnectionString)
        {
            ConnectionString = dataStorage.ConnectionString;
            UsesDataStorage = true;
        }
    }

    /// <summary>The storage options whose credential settings stand for the archive's (<see cref="StorageCredentials.Create"/>).</summary>
    public StorageOptions CredentialSettings() => new() { Credential = Credential, ClientId = ClientId };

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (_readError is not null)
        {
            yield return new ValidationResult(_readError, [nameof(BlobServiceUri)]);
            yield break;
        }
        if (ConnectionString is null && BlobServiceUri is null)
            yield return new ValidationResult(
                $"The setting '{ConnectionSettingName}' is missing: the nightly table export needs the audit archive account. Set " +
                $"'{ConnectionSettingName}__blobServiceUri' (with '__credential' = 'managedidentity' and '__clientId'), or a connection string.",
                [nameof(BlobServiceUri)]);
        if (Credential is not null && !string.Equals(Credential, StorageOptions.ManagedIdentityCredentialValue, StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult($"'{ConnectionSettingName}__credential' must be '{StorageOptions.ManagedIdentityCredentialValue}' or absent.", [nameof(Credential)]);
        if (ClientId is not null && !Guid.TryParse(ClientId, out _))
            yield return new ValidationResult($"'{ConnectionSettingName}__clientId' must be the managed identity's client id (a GUID).", [nameof(ClientId)]);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
