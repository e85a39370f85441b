using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;

namespace PensionCert.Http;

/// <summary>
/// API keys, section <c>PensionCert:Auth</c>. Locally the defaults come from the local host's appsettings and can be
/// overridden with environment variables (<c>PensionCert__Auth__ClientKeys__0</c>, <c>PensionCert__Auth__OperatorKey</c>).
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Auth";

    /// <summary>Header carrying a client (Functions) key; the <c>code</c> query parameter is accepted too, as by the Functions host.</summary>
    public const string ClientKeyHeader = "x-functions-key";

    /// <summary>Header carrying the operator key.</summary>
    public const string OperatorKeyHeader = "x-operator-key";

    /// <summary>
    /// Client keys the app itself checks. The local host checks them; in Azure the Functions host checks its own
    /// function keys before the worker runs, and this list may stay empty.
    /// </summary>
    public List<string> ClientKeys { get; set; } = [];

    /// <summary>Check <see cref="ClientKeys"/> in the app (true in the local host; false under the Functions host).</summary>
    public bool EnforceClientKeys { get; set; }

    /// <summary>The operator key (in Azure: an app setting that references Key Vault).</summary>
    [Required(ErrorMessage = "The setting 'PensionCert:Auth:OperatorKey' is missing.")]
    [MinLength(16, ErrorMessage = "'PensionCert:Auth:OperatorKey' must be at least 16 characters.")]
    public string OperatorKey { get; set; } = "";

    /// <summary>
    /// True for an App Service Key Vault reference (<c>@Microsoft.KeyVault(...)</c>) that the platform could not
    /// resolve and passed on as text: such a value must never be accepted as a key.
    /// </summary>
    public static bool IsUnresolvedKeyVaultReference(string? value) =>
        value is not null && value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);

    /// <summary>Compares two keys in constant time.</summary>
    public static bool KeyEquals(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
