using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace PensionCert.Infrastructure;

/// <summary>
/// Storage account settings: the one options class for both connection styles. The connection is the Functions
/// host's own <c>AzureWebJobsStorage</c> setting, so the app and its queue trigger always use the same account,
/// and the setting names are the same ones the Functions host reads:
/// <list type="bullet">
/// <item>Locally: <c>AzureWebJobsStorage</c> = a connection string (Azurite: <c>UseDevelopmentStorage=true</c>).</item>
/// <item>In Azure, identity-based (no keys): <c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>,
/// <c>__tableServiceUri</c> (or <c>__accountName</c>, which stands for
/// <c>https://{account}.{blob|queue|table}.core.windows.net</c>), with <c>__credential</c> = <c>managedidentity</c>
/// and <c>__clientId</c> = the user-assigned identity's client id. Without <c>__credential</c>,
/// <c>DefaultAzureCredential</c> is used (a developer's Azure CLI login, for example).</item>
/// </list>
/// A connection string wins when both are present, as in the Functions host. The remaining settings live in the
/// section <c>PensionCert:Storage</c>. <see cref="Validate"/> names every missing or invalid setting.
/// <para>In Azure the app's data lives in its own account, apart from the Functions host's account: the connection
/// <c>PensionCertStorage</c> (<see cref="DataConnectionSettingName"/>, same forms as above, e.g.
/// <c>PensionCertStorage__tableServiceUri</c>) is then read instead of <c>AzureWebJobsStorage</c>, and the queue
/// trigger listens on it too. Without it (local runs, tests) <c>AzureWebJobsStorage</c> serves both.</para>
/// </summary>
public sealed partial class StorageOptions : IValidatableObject
{
    /// <summary>The setting (and configuration section) of the storage connection.</summary>
    public const string ConnectionSettingName = "AzureWebJobsStorage";

    /// <summary>
    /// The setting (and configuration section) of the app's data account, when it is not the host's account
    /// (infra/: host storage and data storage are split). Queue triggers use it as their <c>Connection</c>.
    /// </summary>
    public const string DataConnectionSettingName = "PensionCertStorage";

    /// <summary>The data connection section when it is configured, else <c>AzureWebJobsStorage</c>.</summary>
    /// <param name="configuration">The app's configuration.</param>
    public static IConfigurationSection ConnectionSection(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var data = configuration.GetSection(DataConnectionSettingName);
        return data.Exists() ? data : configuration.GetSection(ConnectionSettingName);
    }

    /// <summary>The connection setting that was read: <c>PensionCertStorage</c> or <c>AzureWebJobsStorage</c>.</summary>
    public string ConnectionName { get; private set; } = ConnectionSettingName;

    /// <summary>Section for the remaining storage settings.</summary>
    public const string SectionName = "PensionCert:Storage";

    /// <summary>The only accepted value of <c>AzureWebJobsStorage__credential</c>.</summary>
    public const string ManagedIdentityCredentialValue = "managedidentity";

    /// <summary>Connection string: the value of <c>AzureWebJobsStorage</c> itself, when set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>AzureWebJobsStorage__accountName</c>: the account name, for the public-cloud endpoints.</summary>
    public string? AccountName { get; set; }

    /// <summary><c>AzureWebJobsStorage__blobServiceUri</c>, e.g. <c>https://stpc.blob.core.windows.net</c>.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary><c>AzureWebJobsStorage__queueServiceUri</c>, e.g. <c>https://stpc.queue.core.windows.net</c>.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary><c>AzureWebJobsStorage__tableServiceUri</c>, e.g. <c>https://stpc.table.core.windows.net</c>.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary><c>AzureWebJobsStorage__credential</c>: <c>managedidentity</c>, or empty for <c>DefaultAzureCredential</c>.</summary>
    public string? Credential { get; set; }

    /// <summary><c>AzureWebJobsStorage__clientId</c>: client id of the user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>Create containers, queues and tables at start-up if missing (local runs; in Azure, Bicep creates them).</summary>
    public bool CreateResources { get; set; } = true;

    /// <summary>Retries of one storage call by the SDK before it fails (exponential back-off).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>True when <see cref="ConnectionString"/> is set (it then wins over the identity-based settings).</summary>
    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The blob endpoint of an identity-based connection (explicit URI, else derived from the account name).</summary>
    public Uri? ResolvedBlobServiceUri => BlobServiceUri ?? AccountEndpoint("blob");

    /// <summary>The queue endpoint of an identity-based connection (explicit URI, else derived from the account name).</summary>
    public Uri? ResolvedQueueServiceUri => QueueServiceUri ?? AccountEndpoint("queue");

    /// <summary>The table endpoint of an identity-based connection (explicit URI, else derived from the account name).</summary>
    public Uri? ResolvedTableServiceUri => TableServiceUri ?? AccountEndpoint("table");

    /// <summary>True when <c>__credential</c> asks for the managed identity (case-insensitive).</summary>
    public bool UsesManagedIdentity =>
        string.Equals(Credential?.Trim(), ManagedIdentityCredentialValue, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the connection from the <c>AzureWebJobsStorage</c> section: its value when it has one (a connection
    /// string), else its children <c>accountName</c>, <c>blobServiceUri</c>, <c>queueServiceUri</c>,
    /// <c>tableServiceUri</c>, <c>credential</c>, <c>clientId</c> (environment variables
    /// <c>AzureWebJobsStorage__accountName</c> and so on). A URI that does not parse is kept as a validation error.
    /// </summary>
    /// <param name="connection">The <c>AzureWebJobsStorage</c> configuration section.</param>
    public void ReadConnection(IConfigurationSection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ConnectionName = connection.Key;
        ConnectionString = Blank(connection.Value);
        AccountName = Blank(connection["accountName"]);
        Credential = Blank(connection["credential"]);
        ClientId = Blank(connection["clientId"]);
        BlobServiceUri = ParseUri(connection, "blobServiceUri");
        QueueServiceUri = ParseUri(connection, "queueServiceUri");
        TableServiceUri = ParseUri(connection, "tableServiceUri");
    }

    /// <summary>
    /// Checks that one complete connection is configured; every message names the setting to fix, in the
    /// environment-variable form used by app settings (<c>AzureWebJobsStorage__tableServiceUri</c>).
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var error in _readErrors)
            yield return new ValidationResult(error, [ConnectionName]);
        if (UsesConnectionString) yield break;

        var identityBased = AccountName is not null || BlobServiceUri is not null || QueueServiceUri is not null || TableServiceUri is not null;
        if (!identityBased)
        {
            if (_readErrors.Count > 0) yield break;
            yield return new ValidationResult(
                $"The setting '{ConnectionName}' is missing. Set it to a storage connection string (locally " +
                $"'UseDevelopmentStorage=true' for Azurite), or configure an identity-based connection with " +
                $"'{Name("accountName")}', or with '{Name("blobServiceUri")}', '{Name("queueServiceUri")}' and '{Name("tableServiceUri")}'.",
                [nameof(ConnectionString)]);
            yield break;
        }

        if (AccountName is not null && !AccountNamePattern().IsMatch(AccountName))
            yield return new ValidationResult(
                $"'{Name("accountName")}' must be a storage account name: 3-24 lower-case letters and digits.", [nameof(AccountName)]);
        foreach (var (name, uri, resolved) in new[]
        {
            ("blobServiceUri", BlobServiceUri, ResolvedBlobServiceUri),
            ("queueServiceUri", QueueServiceUri, ResolvedQueueServiceUri),
            ("tableServiceUri", TableServiceUri, ResolvedTableServiceUri),
        })
        {
            if (uri is not null && uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                yield return new ValidationResult($"'{Name(name)}' must be an http(s) URI.", [name]);
            else if (resolved is null && !_readErrors.Any(e => e.Contains(Name(name), StringComparison.Ordinal)))
                yield return new ValidationResult(
                    $"The identity-based storage connection has no {name[..^"ServiceUri".Length]} endpoint: set '{Name(name)}' (or '{Name("accountName")}').",
                    [name]);
        }
        if (Credential is not null && !UsesManagedIdentity)
            yield return new ValidationResult(
                $"'{Name("credential")}' must be '{ManagedIdentityCredentialValue}' or absent (DefaultAzureCredential).", [nameof(Credential)]);
        if (ClientId is not null && !Guid.TryParse(ClientId, out _))
            yield return new ValidationResult($"'{Name("clientId")}' must be the managed identity's client id (a GUID).", [nameof(ClientId)]);
    }

    /// <summary>The environment-variable name of a connection setting, e.g. <c>AzureWebJobsStorage__clientId</c>.</summary>
    public static string Setting(string name) => $"{ConnectionSettingName}__{name}";

    private string Name(string name) => $"{ConnectionName}__{name}";

    private readonly List<string> _readErrors = [];

    private Uri? AccountEndpoint(string service) =>
        AccountName is null ? null : new Uri($"https://{AccountName}.{service}.core.windows.net", UriKind.Absolute);

    private Uri? ParseUri(IConfigurationSection connection, string name)
    {
        var value = Blank(connection[name]);
        if (value is null) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri)) return uri;
        _readErrors.Add($"'{connection.Key}__{name}' is not an absolute URI.");
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex AccountNamePattern();
}
