using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PensionCert.Core.Operators;

namespace PensionCert.Http.Tests;

/// <summary>
/// Operator JWT claims are read strictly: exactly one string <c>role</c> naming a known role, exactly one <c>regions</c>
/// that is a non-empty JSON array of six-digit codes; anything else is refused even when the signature is valid.
/// Tokens are signed here from raw JSON payloads, so odd shapes (duplicate members, numbers) reach the validator as sent.
/// </summary>
public sealed class OperatorTokenValidatorTests
{
    private static readonly OperatorAuthOptions Options = new()
    {
        Issuer = "test-issuer",
        Audience = "test-audience",
        SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("unit-test-only-operator-signing-key-0123456789")),
    };

    private static readonly OperatorTokenValidator Validator = new(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<OperatorTokenValidator>.Instance);

    /// <summary>Signs <paramref name="claims"/> (raw JSON members) with iss, aud and a one-hour lifetime around them.</summary>
    private static string Sign(string claims)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"iss":"test-issuer","aud":"test-audience","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}},{{claims}}}""";
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Options.DecodeSigningKey()), SecurityAlgorithms.HmacSha256);
        return new JsonWebTokenHandler().CreateToken(payload, credentials);
    }

    private static Task<OperatorPrincipal?> Validate(string claims) => Validator.ValidateAsync("Bearer " + Sign(claims), CancellationToken.None);

    [Fact]
    public async Task WellFormedClaims_Accepted()
    {
        var principal = await Validate("""  "sub":"op-0001","role":"reviewer","regions":["110105","440300"]  """);

        Assert.NotNull(principal);
        Assert.Equal("op-0001", principal!.Subject);
        Assert.Equal(OperatorRole.Reviewer, principal.Role);
        Assert.True(principal.Serves("440305"));
        Assert.False(principal.Serves("310101"));
    }

    [Fact]
    public async Task MintedByTheIssuer_Accepted()
    {
        var token = OperatorTokenIssuer.Mint(Options, "op-0002", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var principal = await Validator.ValidateAsync("Bearer " + token, CancellationToken.None);
        Assert.Equal(OperatorRole.Admin, principal?.Role);
    }

    [Fact]
    public async Task IntegrationRole_IsAMachineIdentityAllowedOnlyTheEvidenceImport()
    {
        var principal = await Validate("""  "sub":"civil-affairs-feed","role":"integration","regions":["110000"]  """);
        Assert.Equal(OperatorRole.Integration, principal?.Role);
        Assert.False(principal!.MaySeeFullIdNumber);
        // The one route that accepts it, and no other.
        Assert.Equal(new[] { OperatorRole.Integration }, HttpEndpoints.ImportEvidence.Roles);
        Assert.DoesNotContain(HttpEndpoints.All, e => e != HttpEndpoints.ImportEvidence && e.Roles.Contains(OperatorRole.Integration));
    }

    [Theory]
    [InlineData("exp 13 h ahead", 0, 13 * 3600)]
    [InlineData("issued 12 h ago, exp 1 h ahead (13 h in all)", -12 * 3600, 3600)]
    [InlineData("exp 10 years ahead", 0, 3650L * 24 * 3600)]
    public async Task LifetimeBeyondTheCap_Refused(string name, long issuedOffset, long expiresOffset)
    {
        // MaxTokenLifetime 12 h (default) plus 1 min clock skew.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"iss":"test-issuer","aud":"test-audience","iat":{{now + issuedOffset}},"nbf":{{now + issuedOffset}},"exp":{{now + expiresOffset}},"sub":"op","role":"admin","regions":["110000"]}""";
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Options.DecodeSigningKey()), SecurityAlgorithms.HmacSha256);

        Assert.Null(await Validator.ValidateAsync("Bearer " + new JsonWebTokenHandler().CreateToken(payload, credentials), CancellationToken.None));
        Assert.NotNull(name);
    }

    [Fact]
    public async Task LifetimeAtTheCap_Accepted()
    {
        var token = OperatorTokenIssuer.Mint(Options, "op", OperatorRole.Admin, ["110000"], Options.MaxTokenLifetime, DateTimeOffset.UtcNow);

        Assert.NotNull(await Validator.ValidateAsync("Bearer " + token, CancellationToken.None));
    }

    [Theory]
    [InlineData("regions as a plain string", """ "sub":"op","role":"admin","regions":"110000" """)]
    [InlineData("regions as a number", """ "sub":"op","role":"admin","regions":110000 """)]
    [InlineData("regions as an array serialised into a string", """ "sub":"op","role":"admin","regions":"[\"110000\"]" """)]
    [InlineData("regions empty", """ "sub":"op","role":"admin","regions":[] """)]
    [InlineData("regions with a number", """ "sub":"op","role":"admin","regions":[110000] """)]
    [InlineData("regions with a five-digit code", """ "sub":"op","role":"admin","regions":["11000"] """)]
    [InlineData("regions with padding", """ "sub":"op","role":"admin","regions":[" 110000"] """)]
    [InlineData("regions with a null", """ "sub":"op","role":"admin","regions":["110000",null] """)]
    [InlineData("regions missing", """ "sub":"op","role":"admin" """)]
    [InlineData("regions twice", """ "sub":"op","role":"admin","regions":["110000"],"regions":["310000"] """)]
    [InlineData("role twice, different values", """ "sub":"op","role":"clerk","role":"admin","regions":["110000"] """)]
    [InlineData("role twice, same value", """ "sub":"op","role":"admin","role":"admin","regions":["110000"] """)]
    [InlineData("exp twice (both in the future)", """ "sub":"op","role":"admin","regions":["110000"],"exp":4102444800 """)]
    [InlineData("aud twice", """ "sub":"op","role":"admin","regions":["110000"],"aud":"test-audience" """)]
    [InlineData("role as an array", """ "sub":"op","role":["admin"],"regions":["110000"] """)]
    [InlineData("role as an array of two", """ "sub":"op","role":["clerk","admin"],"regions":["110000"] """)]
    [InlineData("role unknown", """ "sub":"op","role":"superuser","regions":["110000"] """)]
    [InlineData("role upper-case", """ "sub":"op","role":"Admin","regions":["110000"] """)]
    [InlineData("role as a number", """ "sub":"op","role":1,"regions":["110000"] """)]
    [InlineData("role missing", """ "sub":"op","regions":["110000"] """)]
    [InlineData("sub missing", """ "role":"admin","regions":["110000"] """)]
    [InlineData("sub as a number", """ "sub":7,"role":"admin","regions":["110000"] """)]
    [InlineData("sub empty", """ "sub":" ","role":"admin","regions":["110000"] """)]
    public async Task OddlyShapedClaims_Refused(string because, string claims)
    {
        Assert.True(await Validate(claims) is null, because);
    }

    [Theory]
    [InlineData("integration and a person's role in Entra's roles", """ "sub":"feed","role":"integration","roles":["integration","admin"],"regions":["110000"] """)]
    [InlineData("integration with another role only in roles", """ "sub":"feed","role":"integration","roles":["clerk"],"regions":["110000"] """)]
    [InlineData("integration with a user's delegated scopes", """ "sub":"feed","role":"integration","scp":"user_impersonation","regions":["110000"] """)]
    [InlineData("integration on a user token (idtyp user)", """ "sub":"feed","role":"integration","idtyp":"user","regions":["110000"] """)]
    [InlineData("integration with idtyp not a string", """ "sub":"feed","role":"integration","idtyp":1,"regions":["110000"] """)]
    [InlineData("a person's token naming integration in roles", """ "sub":"op","role":"admin","roles":["admin","integration"],"regions":["110000"] """)]
    [InlineData("roles as a plain string", """ "sub":"op","role":"admin","roles":"admin","regions":["110000"] """)]
    [InlineData("roles with a number", """ "sub":"op","role":"admin","roles":[1],"regions":["110000"] """)]
    public async Task MachineAndPersonInOneToken_Refused(string because, string claims)
    {
        Assert.True(await Validate(claims) is null, because);
    }

    [Theory]
    [InlineData("the machine identity as mint-token issues it", """ "sub":"feed","role":"integration","regions":["110000"] """, OperatorRole.Integration)]
    [InlineData("an Entra app-only token (roles, idtyp app)", """ "sub":"feed","role":"integration","roles":["integration"],"idtyp":"app","regions":["110000"] """, OperatorRole.Integration)]
    [InlineData("a person with a delegated scope", """ "sub":"op","role":"reviewer","scp":"user_impersonation","roles":["reviewer"],"regions":["110000"] """, OperatorRole.Reviewer)]
    public async Task OneKindOfIdentity_Accepted(string because, string claims, OperatorRole role)
    {
        var principal = await Validate(claims);
        Assert.True(principal is not null, because);
        Assert.Equal(role, principal!.Role);
    }

    [Fact]
    public void IntegrationRole_AdmittedOnlyWhereNamed_TheEvidenceImportAlone()
    {
        var admitting = HttpEndpoints.All.Where(e => e.Access == ApiAccess.Operator && HttpEndpoint.Admits(e, OperatorRole.Integration)).Select(e => e.FunctionName);
        Assert.Equal([HttpEndpoints.ImportEvidence.FunctionName], admitting);
        // No person's role reaches the import, and a route listing no roles admits every person but never the machine.
        Assert.All(new[] { OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin }, r => Assert.False(HttpEndpoint.Admits(HttpEndpoints.ImportEvidence, r)));
        var open = new HttpEndpoint("X", "GET", "x", ApiAccess.Operator);
        Assert.True(HttpEndpoint.Admits(open, OperatorRole.Clerk));
        Assert.False(HttpEndpoint.Admits(open, OperatorRole.Integration));
    }

    [Theory]
    [InlineData("plain header (control)", """{"alg":"HS256","typ":"JWT"}""", true)]
    [InlineData("alg twice", """{"alg":"HS256","alg":"HS256","typ":"JWT"}""", false)]
    [InlineData("alg none then HS256", """{"alg":"none","alg":"HS256"}""", false)]
    [InlineData("crit extension", """{"alg":"HS256","typ":"JWT","crit":["x"],"x":1}""", false)]
    public async Task Header_RepeatedMembersAndCritRefused(string because, string header, bool accepted)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"iss":"test-issuer","aud":"test-audience","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}},"sub":"op","role":"admin","regions":["110000"]}""";
        var signingInput = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Options.DecodeSigningKey()!, System.Text.Encoding.ASCII.GetBytes(signingInput));
        var token = signingInput + "." + Base64UrlEncoder.Encode(signature);

        var principal = await Validator.ValidateAsync("Bearer " + token, CancellationToken.None);

        Assert.True((principal is not null) == accepted, because);
    }

    [Fact]
    public async Task WrongSignature_Refused()
    {
        var token = Sign(""" "sub":"op","role":"admin","regions":["110000"] """);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        Assert.Null(await Validator.ValidateAsync("Bearer " + tampered, CancellationToken.None));
    }

    [Theory]
    [InlineData(null, "Bearer")]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer")]
    [InlineData("Bearer", "Bearer error=\"invalid_request\"")]
    [InlineData("Bearer   ", "Bearer error=\"invalid_request\"")]
    [InlineData("Bearer abc.def.ghi", "Bearer error=\"invalid_token\"")]
    [InlineData("bearer abc", "Bearer error=\"invalid_token\"")]
    [InlineData("BearerX abc", "Bearer")]
    public void Challenge_FollowsRfc6750(string? authorization, string expected)
    {
        Assert.Equal(expected, OperatorTokenValidator.Challenge(authorization is null ? StringValues.Empty : new StringValues(authorization)));
    }

    [Fact]
    public void Challenge_TwoAuthorizationHeaders_InvalidRequest()
    {
        Assert.Equal("Bearer error=\"invalid_request\"", OperatorTokenValidator.Challenge(new StringValues(["Bearer a", "Bearer b"])));
    }
}
