using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PensionCert.Core.Protection;

/// <summary>
/// Keys for encrypting personal data at rest, section <c>PensionCert:DataProtection</c>. In Azure each key is an app
/// setting that references a Key Vault secret, e.g. <c>PensionCert__DataProtection__Keys__2025a</c>.
/// </summary>
public sealed class DataProtectionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:DataProtection";

    /// <summary>The key id new values are encrypted with; must be one of <see cref="Keys"/>.</summary>
    [Required(ErrorMessage = "The setting 'PensionCert:DataProtection:ActiveKeyId' is missing.")]
    [RegularExpression("^[A-Za-z0-9-]{1,32}$", ErrorMessage = "'PensionCert:DataProtection:ActiveKeyId' must be 1-32 letters, digits or '-'.")]
    public string ActiveKeyId { get; set; } = "";

    /// <summary>
    /// AES-256 keys by key id: base64 of exactly 32 random bytes. Keep retired keys here until every value encrypted
    /// with them has been rewritten (profiles are re-encrypted with the active key whenever they are saved).
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Encrypts and decrypts personal data (ID numbers, names) for storage.</summary>
public interface IPersonalDataProtector
{
    /// <summary>
    /// Encrypts <paramref name="plaintext"/> bound to <paramref name="context"/> (e.g. <c>{pensionerId}/name</c>): the
    /// value only decrypts with the same context, so a ciphertext copied to another row or field is refused.
    /// </summary>
    /// <returns><c>{keyId}:{base64url(nonce ‖ ciphertext ‖ tag)}</c>.</returns>
    string Protect(string plaintext, string context);

    /// <summary>Decrypts a value written by <see cref="Protect"/> with any configured key.</summary>
    /// <exception cref="CryptographicException">Unknown key id, wrong context, or tampered value (the message holds no data).</exception>
    string Unprotect(string protectedValue, string context);
}

/// <summary>
/// AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce per value and a 128-bit tag; the context string is the
/// associated data. Keys and the active key id come from <see cref="DataProtectionOptions"/>.
/// </summary>
public sealed class AesGcmPersonalDataProtector : IPersonalDataProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;

    /// <exception cref="OptionsValidationException">A key is not base64 of 32 bytes, or the active key is missing.</exception>
    public AesGcmPersonalDataProtector(IOptions<DataProtectionOptions> options)
    {
        var o = options.Value;
        var errors = Validate(o);
        if (errors.Count > 0) throw new OptionsValidationException(DataProtectionOptions.SectionName, typeof(DataProtectionOptions), errors);
        _keys = o.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value), StringComparer.Ordinal);
        _activeKeyId = o.ActiveKeyId;
    }

    /// <summary>The key id new values are encrypted with.</summary>
    public string ActiveKeyId => _activeKeyId;

    /// <summary>Checks keys (base64 of 32 bytes, ids of 1-32 letters, digits or '-') and that the active key exists.</summary>
    public static IReadOnlyList<string> Validate(DataProtectionOptions options)
    {
        var errors = new List<string>();
        foreach (var (id, value) in options.Keys)
        {
            var buffer = new byte[value.Length];
            if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9-]{1,32}$"))
                errors.Add($"{DataProtectionOptions.SectionName}:Keys: key ids must be 1-32 letters, digits or '-'.");
            else if (!Convert.TryFromBase64String(value, buffer, out var written) || written != 32)
                errors.Add($"{DataProtectionOptions.SectionName}:Keys:{id} must be base64 of exactly 32 bytes.");
        }
        if (!options.Keys.ContainsKey(options.ActiveKeyId))
            errors.Add($"The setting '{DataProtectionOptions.SectionName}:Keys:{options.ActiveKeyId}' (the active key) is missing.");
        return errors;
    }

    /// <inheritdoc />
    public string Protect(string plaintext, string context)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + data.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_keys[_activeKeyId], TagSize))
            aes.Encrypt(nonce, data, output.AsSpan(NonceSize, data.Length), output.AsSpan(NonceSize + data.Length), Encoding.UTF8.GetBytes(context));
        CryptographicOperations.ZeroMemory(data);
        return _activeKeyId + ":" + Base64Url(output);
    }

    /// <inheritdoc />
    public string Unprotect(string protectedValue, string context)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        var colon = protectedValue.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !_keys.TryGetValue(protectedValue[..colon], out var key))
            throw new CryptographicException("The protected value names no configured key.");
        byte[] input;
        try
        {
            input = FromBase64Url(protectedValue[(colon + 1)..]);
        }
        catch (FormatException)
        {
            throw new CryptographicException("The protected value is not well formed.");
        }
        if (input.Length < NonceSize + TagSize) throw new CryptographicException("The protected value is not well formed.");
        var cipherLength = input.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        using (var aes = new AesGcm(key, TagSize))
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, cipherLength), input.AsSpan(NonceSize + cipherLength), plain, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plain);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] FromBase64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}

/// <summary>Start-up validation of <see cref="DataProtectionOptions"/> with messages that name the setting.</summary>
public sealed class DataProtectionOptionsValidator : IValidateOptions<DataProtectionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DataProtectionOptions options)
    {
        var errors = AesGcmPersonalDataProtector.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
