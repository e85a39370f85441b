using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PensionCert.Core.Identity;
using PensionCert.Core.Operators;

namespace PensionCert.Http;

/// <summary>
/// Mints HMAC-SHA256 operator tokens with the local signing key, for development and tests only (the
/// <c>mint-token</c> tool command). Production tokens come from the identity provider named by
/// <see cref="OperatorAuthOptions.Authority"/>.
/// </summary>
public static class OperatorTokenIssuer
{
    /// <summary>Creates a compact JWS with <c>iss</c>, <c>aud</c>, <c>sub</c>, <c>role</c>, <c>regions</c> (array), <c>iat</c>, <c>nbf</c>, <c>exp</c>.</summary>
    /// <param name="options">Issuer, audience and <see cref="OperatorAuthOptions.SigningKey"/>.</param>
    /// <param name="subject">Opaque operator id, e.g. <c>op-0001</c> (never a person's name or ID number).</param>
    /// <param name="role">The role.</param>
    /// <param name="regions">Six-digit GB/T 2260 codes served.</param>
    /// <param name="lifetime">Validity from <paramref name="now"/> (e.g. 8 hours for a shift).</param>
    /// <param name="now">Issue time.</param>
    /// <exception cref="InvalidOperationException">No usable signing key in <paramref name="options"/>.</exception>
    /// <exception cref="ArgumentException">A region is not a six-digit GB/T 2260 code.</exception>
    public static string Mint(OperatorAuthOptions options, string subject, OperatorRole role, IReadOnlyCollection<string> regions, TimeSpan lifetime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.DecodeSigningKey() ?? throw new InvalidOperationException($"'{OperatorAuthOptions.SectionName}:SigningKey' must be base64 of at least 32 bytes to mint local tokens.");
        if (regions.Count == 0 || regions.Any(r => !AdministrativeRegionCode.TryParse(r, out _)))
            throw new ArgumentException("Regions must be six-digit GB/T 2260 codes.", nameof(regions));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, subject), new Claim(OperatorAuthOptions.RoleClaim, role.ToWireName())]),
            Claims = new Dictionary<string, object> { [OperatorAuthOptions.RegionsClaim] = regions.ToArray() },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
