using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PensionCert.Core.Identity;
using PensionCert.Core.Operators;

namespace PensionCert.Http;

/// <summary>
/// How operator bearer tokens (JWT, RFC 7519) are validated, section <c>PensionCert:OperatorAuth</c>. Exactly one key
/// source: <see cref="SigningKey"/> (HMAC-SHA256, local development) or <see cref="Authority"/> (an OpenID Connect
/// issuer whose <c>/.well-known/openid-configuration</c> publishes the signing keys, e.g. Microsoft Entra ID).
/// </summary>
public sealed class OperatorAuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:OperatorAuth";

    /// <summary>The claim carrying the role: <c>clerk</c>, <c>reviewer</c> or <c>admin</c>.</summary>
    public const string RoleClaim = "role";

    /// <summary>The claim carrying the served region codes: a JSON array of six-digit GB/T 2260 codes.</summary>
    public const string RegionsClaim = "regions";

    /// <summary>Expected <c>iss</c>.</summary>
    [Required(ErrorMessage = "The setting 'PensionCert:OperatorAuth:Issuer' is missing.")]
    public string Issuer { get; set; } = "";

    /// <summary>Expected <c>aud</c>.</summary>
    [Required(ErrorMessage = "The setting 'PensionCert:OperatorAuth:Audience' is missing.")]
    public string Audience { get; set; } = "";

    /// <summary>Base64 HMAC-SHA256 key of at least 32 bytes (local development; in Azure prefer <see cref="Authority"/>).</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect issuer URL; its metadata document supplies the signing keys (cached, refreshed daily).</summary>
    public string? Authority { get; set; }

    /// <summary>Require https for <see cref="Authority"/> (default true; switch off only for a local test issuer).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c> (default 1 minute).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Decodes <see cref="SigningKey"/>; null when it is not base64 of at least 32 bytes.</summary>
    public byte[]? DecodeSigningKey()
    {
        if (string.IsNullOrEmpty(SigningKey)) return null;
        var buffer = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey, buffer, out var written) && written >= 32 ? buffer[..written] : null;
    }

    /// <summary>Checks that exactly one key source is configured and usable.</summary>
    public IEnumerable<string> Validate()
    {
        var hasKey = !string.IsNullOrEmpty(SigningKey);
        var hasAuthority = !string.IsNullOrEmpty(Authority);
        if (hasKey == hasAuthority)
            yield return $"Set exactly one of '{SectionName}:SigningKey' and '{SectionName}:Authority'.";
        if (hasKey && DecodeSigningKey() is null)
            yield return $"'{SectionName}:SigningKey' must be base64 of at least 32 bytes.";
        if (hasAuthority && !Uri.TryCreate(Authority, UriKind.Absolute, out _))
            yield return $"'{SectionName}:Authority' must be an absolute URL.";
    }
}

/// <summary>Start-up validation of <see cref="OperatorAuthOptions"/>.</summary>
internal sealed class OperatorAuthOptionsValidator : IValidateOptions<OperatorAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorAuthOptions options)
    {
        var errors = options.Validate().ToArray();
        return errors.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Validates <c>Authorization: Bearer</c> operator tokens with <see cref="JsonWebTokenHandler"/> (issuer, audience,
/// lifetime, signature, algorithm) and turns their claims into an <see cref="OperatorPrincipal"/>. Used by the
/// shared API code, so both hosts check operators the same way (in Azure the operator routes are Anonymous at the
/// Functions host level).
/// </summary>
public sealed partial class OperatorTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly ILogger<OperatorTokenValidator> _logger;

    /// <summary>Builds the validation parameters once from <paramref name="options"/>.</summary>
    public OperatorTokenValidator(IOptions<OperatorAuthOptions> options, ILogger<OperatorTokenValidator> logger)
    {
        var o = options.Value;
        _logger = logger;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = o.Issuer,
            ValidAudience = o.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = o.ClockSkew,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = OperatorAuthOptions.RoleClaim,
        };
        if (o.DecodeSigningKey() is { } key)
        {
            _parameters.IssuerSigningKey = new SymmetricSecurityKey(key);
            _parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            var metadata = o.Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
            _parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadata, new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = o.RequireHttpsMetadata });
            _parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];
        }
    }

    /// <summary>
    /// Validates the <c>Authorization</c> header value. Returns null for a missing, malformed, expired, wrongly signed
    /// token or one without a known role and at least one valid region code (the reason is logged, never the token).
    /// </summary>
    public async Task<OperatorPrincipal?> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || authorization.Length > 16 * 1024) return null;
        var token = authorization[prefix.Length..].Trim();
        cancellationToken.ThrowIfCancellationRequested();
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            LogRejected(_logger, result.Exception?.GetType().Name ?? "invalid");
            return null;
        }
        var identity = result.ClaimsIdentity;
        var subject = identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var roles = identity.FindAll(OperatorAuthOptions.RoleClaim).Select(c => c.Value).ToArray();
        var regions = identity.FindAll(OperatorAuthOptions.RegionsClaim).SelectMany(c => SplitRegions(c.Value)).ToArray();
        if (string.IsNullOrWhiteSpace(subject) || roles.Length != 1 || !OperatorRoles.TryParse(roles[0], out var role)
            || regions.Length == 0 || regions.Any(r => !AdministrativeRegionCode.TryParse(r, out _)))
        {
            LogRejected(_logger, "claims");
            return null;
        }
        return new OperatorPrincipal(subject, role, regions);
    }

    /// <summary>A region claim value: one code, or (from some issuers) a JSON array serialised as a string.</summary>
    private static IEnumerable<string> SplitRegions(string value)
    {
        if (!value.StartsWith('[')) return [value];
        try
        {
            return JsonSerializer.Deserialize<string[]>(value) ?? [];
        }
        catch (JsonException)
        {
            return [""];
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Operator token rejected ({Reason})")]
    private static partial void LogRejected(ILogger logger, string reason);
}
