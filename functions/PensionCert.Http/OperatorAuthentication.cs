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

    /// <summary>
    /// Longest validity the API accepts in a token (00:05:00 to 7.00:00:00, default 12 hours: a working day): a token
    /// whose <c>exp</c> lies further than this (plus <see cref="ClockSkew"/>) beyond its <c>iat</c>, its <c>nbf</c> or
    /// now is refused, so a leaked long-lived token is useless. Identity providers issue about an hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(12);

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
    private readonly TimeSpan _maxLifetime;

    /// <summary>Builds the validation parameters once from <paramref name="options"/>.</summary>
    public OperatorTokenValidator(IOptions<OperatorAuthOptions> options, ILogger<OperatorTokenValidator> logger)
    {
        var o = options.Value;
        _logger = logger;
        _maxLifetime = o.MaxTokenLifetime + o.ClockSkew;
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
    /// token or one whose claims are not exactly as <see cref="ReadPrincipal"/> requires (the reason is logged, never
    /// the token).
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
        if (result.SecurityToken is not JsonWebToken jwt || ReadPrincipal(jwt) is not { } principal)
        {
            LogRejected(_logger, "claims");
            return null;
        }
        if (!LifetimeWithinCap(jwt, DateTime.UtcNow))
        {
            LogRejected(_logger, "lifetime");
            return null;
        }
        return principal;
    }

    /// <summary>
    /// True when the token expires within <see cref="OperatorAuthOptions.MaxTokenLifetime"/> (plus clock skew) of now,
    /// of its <c>iat</c> and of its <c>nbf</c> (each when present).
    /// </summary>
    private bool LifetimeWithinCap(JsonWebToken token, DateTime now)
    {
        var expires = token.ValidTo;
        if (expires - now > _maxLifetime) return false;
        if (token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out _) && expires - token.IssuedAt > _maxLifetime) return false;
        if (token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) && expires - token.ValidFrom > _maxLifetime) return false;
        return true;
    }

    /// <summary>
    /// The <c>WWW-Authenticate</c> challenge of a refused operator call (RFC 6750 §3.1): plain <c>Bearer</c> when the
    /// request carried no bearer token at all (no error code, as the RFC asks for requests without authentication
    /// information), <c>Bearer error="invalid_request"</c> for several Authorization headers or an empty token, and
    /// <c>Bearer error="invalid_token"</c> only when a token was presented and rejected.
    /// </summary>
    public static string Challenge(Microsoft.Extensions.Primitives.StringValues authorization)
    {
        if (authorization.Count > 1) return "Bearer error=\"invalid_request\"";
        var value = authorization.ToString();
        if (!value.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) || (value.Length > 6 && value[6] != ' ')) return "Bearer";
        return value[6..].Trim().Length == 0 ? "Bearer error=\"invalid_request\"" : "Bearer error=\"invalid_token\"";
    }

    /// <summary>
    /// Reads the operator from the validated token's payload, strictly: <c>sub</c> a non-empty string; <c>role</c>
    /// exactly one string member naming a known role; <c>regions</c> exactly one member, a non-empty JSON array of
    /// strings each a six-digit GB/T 2260 code (no whitespace). A plain string or number for <c>regions</c>, an array
    /// for <c>role</c>, or any member repeated in the payload (JSON allows duplicate member names; libraries disagree
    /// on which one wins, so a repeated <c>exp</c> could mean two lifetimes) make the token unusable: null; so does a
    /// repeated header member or a <c>crit</c> header (no JWS extension is understood here, RFC 7515 §4.1.11).
    /// </summary>
    internal static OperatorPrincipal? ReadPrincipal(JsonWebToken token)
    {
        byte[] payload;
        try
        {
            payload = Base64UrlEncoder.DecodeBytes(token.EncodedPayload);
            // The header too: a repeated member (two "alg") is refused, and so is "crit", since this service
            // understands no JWS extension (RFC 7515 §4.1.11).
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedHeader));
            if (header.RootElement.ValueKind != JsonValueKind.Object) return null;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in header.RootElement.EnumerateObject())
                if (!names.Add(member.Name) || member.Name == "crit") return null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var claims = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                // Any member twice (exp, nbf, aud, iss as well as ours): the validator read one of them, another
                // parser might read the other (RFC 7519 §4: such a JWT must be rejected or read last-wins; we reject).
                if (!claims.TryAdd(member.Name, member.Value)) return null;
            }
            JsonElement? sub = claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var s) ? s : null;
            JsonElement? role = claims.TryGetValue(OperatorAuthOptions.RoleClaim, out var r) ? r : null;
            JsonElement? regions = claims.TryGetValue(OperatorAuthOptions.RegionsClaim, out var g) ? g : null;
            if (sub is not { ValueKind: JsonValueKind.String } subject || string.IsNullOrWhiteSpace(subject.GetString())) return null;
            if (role is not { ValueKind: JsonValueKind.String } roleValue || !OperatorRoles.TryParse(roleValue.GetString(), out var parsedRole)) return null;
            if (!IsOneKindOfIdentity(parsedRole, claims)) return null;
            if (regions is not { ValueKind: JsonValueKind.Array } regionArray || regionArray.GetArrayLength() == 0) return null;
            var codes = new List<string>(regionArray.GetArrayLength());
            foreach (var item in regionArray.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) return null;
                var code = item.GetString()!;
                if (code.Length != 6 || !AdministrativeRegionCode.TryParse(code, out _)) return null;
                if (!codes.Contains(code, StringComparer.Ordinal)) codes.Add(code);
            }
            return new OperatorPrincipal(subject.GetString()!, parsedRole, codes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The machine identity and a person never share a token. The <c>integration</c> role is refused when the token also
    /// names a person's role (in an identity provider's <c>roles</c> array, as Microsoft Entra ID issues app roles) or
    /// shows a signed-in person: a delegated token's <c>scp</c> (scopes granted to a user), or an <c>idtyp</c> other than
    /// <c>app</c>. A person's token (clerk, reviewer, admin) is refused when its <c>roles</c> array names
    /// <c>integration</c>. A <c>roles</c> claim that is not an array of strings is refused too (it could not be judged).
    /// </summary>
    private static bool IsOneKindOfIdentity(OperatorRole role, Dictionary<string, JsonElement> claims)
    {
        var machine = role == OperatorRole.Integration;
        if (claims.TryGetValue("roles", out var roles))
        {
            if (roles.ValueKind != JsonValueKind.Array) return false;
            foreach (var item in roles.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) return false;
                var named = item.GetString();
                if (machine ? named != OperatorRoles.Integration : named == OperatorRoles.Integration) return false;
            }
        }
        if (!machine) return true;
        if (claims.ContainsKey("scp")) return false;
        return !claims.TryGetValue("idtyp", out var type) || (type.ValueKind == JsonValueKind.String && type.GetString() == "app");
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Operator token rejected ({Reason})")]
    private static partial void LogRejected(ILogger logger, string reason);
}
