using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PensionCert.Core.Identity;

/// <summary>Options for protecting ID numbers, section <c>PensionCert:Identity</c>.</summary>
public sealed class IdentityProtectionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Identity";

    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes) for the ID number lookup hash. In Azure it comes from Key Vault;
    /// changing it orphans every existing lookup row, so rotate only with a re-keying migration.
    /// </summary>
    [Required]
    public string HashKey { get; set; } = "";
}

/// <summary>Computes the lookup key for an ID number: never store or index the clear number.</summary>
public interface IIdNumberHasher
{
    /// <summary>HMAC-SHA256 (RFC 2104) of the normalised 18-character number, lower-case hex (64 chars).</summary>
    string Hash(CitizenIdNumber idNumber);
}

/// <summary>HMAC-SHA256 keyed hash with the key from <see cref="IdentityProtectionOptions"/>.</summary>
public sealed class HmacIdNumberHasher : IIdNumberHasher
{
    private readonly byte[] _key;

    /// <exception cref="OptionsValidationException">The key is not base64 or shorter than 32 bytes.</exception>
    public HmacIdNumberHasher(IOptions<IdentityProtectionOptions> options)
    {
        _key = DecodeKey(options.Value.HashKey);
    }

    /// <inheritdoc />
    public string Hash(CitizenIdNumber idNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(idNumber.Value)));

    /// <summary>Validates and decodes a base64 key of at least 32 bytes.</summary>
    internal static byte[] DecodeKey(string base64)
    {
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written) || written < 32)
            throw new OptionsValidationException(IdentityProtectionOptions.SectionName, typeof(IdentityProtectionOptions),
                [$"{IdentityProtectionOptions.SectionName}:HashKey must be base64 of at least 32 bytes."]);
        return buffer[..written];
    }
}
