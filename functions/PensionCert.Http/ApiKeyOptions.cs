using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using PensionCert.Core.Certification;

namespace PensionCert.Http;

/// <summary>
/// Client (channel) keys, section <c>PensionCert:Auth</c>. Locally the defaults come from the local host's
/// appsettings and can be overridden with environment variables
/// (<c>PensionCert__Auth__Clients__0__Name</c>, <c>…__Key</c>, <c>…__Channels__0</c>).
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Auth";

    /// <summary>Header carrying a client (Functions) key; the <c>code</c> query parameter is accepted too, as by the Functions host.</summary>
    public const string ClientKeyHeader = "x-functions-key";

    /// <summary>
    /// The client apps and the channels each may submit for. The local host checks them; in Azure the Functions host
    /// first checks its own function keys, and when this list holds the same key values the app also enforces the
    /// channels (see the README, "Client keys").
    /// </summary>
    public List<ClientKey> Clients { get; set; } = [];

    /// <summary>Check <see cref="Clients"/> in the app (true in the local host; in Azure see the README).</summary>
    public bool EnforceClientKeys { get; set; }

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

    /// <summary>The client whose key is <paramref name="presented"/>, or null. Compares every key (constant time each).</summary>
    public ClientKey? Find(string? presented)
    {
        ClientKey? match = null;
        foreach (var client in Clients)
            if (KeyEquals(presented, client.Key)) match ??= client;
        return match;
    }

    /// <summary>Checks names, key lengths, channel names and uniqueness.</summary>
    public IEnumerable<string> Validate()
    {
        if (EnforceClientKeys && Clients.Count == 0)
            yield return $"{SectionName}:Clients must list at least one client when EnforceClientKeys is on.";
        for (var i = 0; i < Clients.Count; i++)
        {
            var c = Clients[i];
            if (string.IsNullOrWhiteSpace(c.Name) || c.Name.Length > 64 || c.Name.Any(ch => !char.IsAsciiLetterOrDigit(ch) && ch != '-'))
                yield return $"{SectionName}:Clients:{i}:Name must be 1-64 letters, digits or '-'.";
            if (c.Key.Length < 16)
                yield return $"{SectionName}:Clients:{i}:Key must be at least 16 characters.";
            if (c.Channels.Count == 0)
                yield return $"{SectionName}:Clients:{i}:Channels must list at least one channel.";
            foreach (var channel in c.Channels.Where(ch => !CertificationChannels.TryParse(ch, out _)))
                yield return $"{SectionName}:Clients:{i}:Channels has an unknown channel '{channel}' (known: {string.Join(", ", CertificationChannels.Names)}).";
            foreach (var channel in c.Channels.Where(ch => CertificationChannels.TryParse(ch, out var parsed) && !parsed.IsOnline()))
                yield return $"{SectionName}:Clients:{i}:Channels lists '{channel}', which only operators may use (POST /api/offline-certifications with a bearer token): a client key may list alipay, wechat, e-ssc and app only.";
        }
        if (Clients.GroupBy(c => c.Name, StringComparer.Ordinal).Any(g => g.Count() > 1))
            yield return $"{SectionName}:Clients: names must be unique.";
        if (Clients.GroupBy(c => c.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
            yield return $"{SectionName}:Clients: keys must be unique.";
    }
}

/// <summary>One client app: its name (used for idempotency scopes and logs), its key and the channels it may submit for.</summary>
public sealed class ClientKey
{
    /// <summary>Stable name, e.g. <c>wechat</c>; in Azure the function key of the same name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret key (at least 16 characters; in Azure from Key Vault).</summary>
    public string Key { get; set; } = "";

    /// <summary>Channel wire names this client may submit for, e.g. <c>["wechat"]</c>.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>The parsed <see cref="Channels"/>.</summary>
    public IReadOnlySet<CertificationChannel> AllowedChannels =>
        Channels.Select(c => CertificationChannels.TryParse(c, out var parsed) ? parsed : (CertificationChannel?)null).OfType<CertificationChannel>().ToHashSet();
}

/// <summary>Start-up validation of <see cref="ApiKeyOptions"/>.</summary>
internal sealed class ApiKeyOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ApiKeyOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = options.Validate().ToArray();
        return errors.Length == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}
