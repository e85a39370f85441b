using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Audit;
using PensionCert.Core.Operators;
using PensionCert.Http;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Operators: bearer tokens checked for signature, issuer, audience and lifetime; roles; regions; and one audit row
/// per call, without personal data.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class OperatorAccessTests(LocalHostFixture host)
{
    private IAuditLog Audit => host.App.Services.GetRequiredService<IAuditLog>();

    public static TheoryData<string, Func<string>> BadTokens() => new()
    {
        { "expired", () => OperatorTokenIssuer.Mint(LocalHostFixture.OperatorAuth, "op", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-3)) },
        { "valid for 10 years", () => OperatorTokenIssuer.Mint(LocalHostFixture.OperatorAuth, "op", OperatorRole.Admin, ["110000"], TimeSpan.FromDays(3650), DateTimeOffset.UtcNow) },
        { "not yet valid", () => OperatorTokenIssuer.Mint(LocalHostFixture.OperatorAuth, "op", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(1)) },
        { "other key", () => OperatorTokenIssuer.Mint(With(o => o.SigningKey = Convert.ToBase64String(new byte[32])), "op", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow) },
        { "other issuer", () => OperatorTokenIssuer.Mint(With(o => o.Issuer = "someone-else"), "op", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow) },
        { "other audience", () => OperatorTokenIssuer.Mint(With(o => o.Audience = "another-api"), "op", OperatorRole.Admin, ["110000"], TimeSpan.FromHours(1), DateTimeOffset.UtcNow) },
        { "unsigned (alg none)", () => UnsignedToken() },
        { "tampered role", () => TamperRole(LocalHostFixture.OperatorToken(OperatorRole.Clerk, ["110000"])) },
        { "garbage", () => "not-a-jwt" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Enroll_BadToken_401BearerChallengeAndNothingStored(string name, Func<string> token)
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(EnrollRequest(("Authorization", "Bearer " + token()), TestIdNumbers.New(), "110105"));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Unauthorized, "operator-unauthorized", name);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Enroll_ReviewerRole_403RoleNotAllowedAndNothingStored()
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(EnrollRequest(LocalHostFixture.OperatorHeader(OperatorRole.Reviewer, "110105"), TestIdNumbers.New(), "110105"));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "role-not-allowed", "reviewer enrols");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Enroll_RegionNotServed_403AndNothingStored()
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(EnrollRequest(LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "310101"), TestIdNumbers.New(), "110105"));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "region-not-served", "Shanghai clerk enrols in Beijing");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Enroll_ClerkOfProvince_ServesCountyCode()
    {
        using var response = await host.Http.SendAsync(EnrollRequest(LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110000"), TestIdNumbers.New(), "110105"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Enroll_ReEnrolmentByClerkOfAnotherRegion_403AndProfileUnchanged()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        using var response = await host.Http.SendAsync(EnrollRequest(LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "310101"), id, "310101"));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "region-not-served", "move a Beijing pensioner from Shanghai");

        var view = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader);
        Assert.Equal("110105", view.GetProperty("regionCode").GetString());
        Assert.Equal(1, view.GetProperty("referenceVersion").GetInt32());
    }

    [Fact]
    public async Task GetPensioner_ClerkSeesMaskedNumberAndName_EvenWhenAskingToReveal()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference, name: "司马测试");

        var view = await host.GetJsonAsync($"/api/pensioners/{pensionerId}?reveal=idNumber", LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110105"));

        Assert.Equal(id[..6] + "********" + id[14..], view.GetProperty("idNumber").GetString());
        Assert.False(view.GetProperty("idNumberRevealed").GetBoolean());
        Assert.Equal("司马测试", view.GetProperty("name").GetString());
        // The operator view takes its state from the same rule as GET /eligibility.
        Assert.Equal("NeverCertified", view.GetProperty("state").GetString());
    }

    [Fact]
    public async Task GetPensioner_AdminReveal_FullNumberAndAuditRowSaysSoWithoutTheNumber()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference, name: "诸葛测试");
        var token = LocalHostFixture.OperatorToken(OperatorRole.Admin, ["110105"], subject: "admin-0042");

        var view = await host.GetJsonAsync($"/api/pensioners/{pensionerId}?reveal=idNumber", ("Authorization", "Bearer " + token));

        Assert.Equal(id, view.GetProperty("idNumber").GetString());
        Assert.True(view.GetProperty("idNumberRevealed").GetBoolean());
        var entries = await Audit.ForPensionerAsync(pensionerId, CancellationToken.None);
        var reveal = Assert.Single(entries, e => e.Actor == "admin-0042");
        Assert.Equal((nameof(HttpEndpoints.GetPensioner), 200, "admin", "idNumber revealed"), (reveal.Action, reveal.Outcome, reveal.Role, reveal.Detail));
        Assert.False(string.IsNullOrEmpty(reveal.Source));
        Assert.DoesNotContain(entries, e => JsonSerializer.Serialize(e).Contains(id[6..14], StringComparison.Ordinal) || JsonSerializer.Serialize(e).Contains("诸葛测试", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetPensioner_OtherRegion_AnsweredAsUnknown_AndDeniedCallAudited()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var header = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Reviewer, ["440300"], subject: "reviewer-sz-7"));

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/{pensionerId}", header));
        using var unknown = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/pensioners/p{Guid.NewGuid():N}", header));

        // The same status, code and message as an id nobody has: nothing says the pensioner exists elsewhere.
        Assert.Equal(await ProblemOfAsync(unknown), await ProblemOfAsync(response));
        await BadInputTests.AssertProblem(response, HttpStatusCode.NotFound, "pensioner-not-found", "Shenzhen reviewer reads a Beijing pensioner");
        var denied = Assert.Single(await Audit.ForPensionerAsync(pensionerId, CancellationToken.None), e => e.Actor == "reviewer-sz-7");
        Assert.Equal((404, "pensioner-not-found", "refused: pensioner outside the operator's regions"), (denied.Outcome, denied.ProblemCode, denied.Detail));
    }

    [Fact]
    public async Task Lookup_OtherRegion_SameAnswerAsAnUnknownNumber_AttemptAuditedWithoutTheNumber()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var header = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Clerk, ["310101"], subject: "clerk-sh-3"));

        using var enrolled = await LookupAsync(id, header);
        using var nobody = await LookupAsync(TestIdNumbers.New(), header);

        Assert.Equal(HttpStatusCode.NotFound, enrolled.StatusCode);
        Assert.Equal(await ProblemOfAsync(nobody), await ProblemOfAsync(enrolled));
        var audit = await Audit.ForPensionerAsync(pensionerId, CancellationToken.None);
        var attempt = Assert.Single(audit, e => e.Actor == "clerk-sh-3");
        Assert.Equal(("LookupPensioner", 404, "pensioner-not-found", "refused: pensioner outside the operator's regions"),
            (attempt.Action, attempt.Outcome, attempt.ProblemCode, attempt.Detail));
        Assert.DoesNotContain(audit, e => JsonSerializer.Serialize(e).Contains(id[6..14], StringComparison.Ordinal));

        // An operator of the region still finds the pensioner.
        using var found = await LookupAsync(id, LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110105"));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
    }

    private Task<HttpResponseMessage> LookupAsync(string idNumber, (string, string) header) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioner-lookups", header,
            new StringContent(JsonSerializer.Serialize(new { idNumber }), System.Text.Encoding.UTF8, "application/json")));

    /// <summary>Status, code, title and message of a problem answer (what a caller can compare; the trace id differs per call).</summary>
    private static async Task<string> ProblemOfAsync(HttpResponseMessage response)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        string? Field(string name) => body.TryGetProperty(name, out var v) ? v.ToString() : null;
        return string.Join("|", (int)response.StatusCode, Field("code"), Field("title"), Field("detail"), Field("type"), Field("message"));
    }

    [Fact]
    public async Task Enroll_Audited_WithActorActionPensionerAndOutcome()
    {
        var token = LocalHostFixture.OperatorToken(OperatorRole.Clerk, ["110105"], subject: "clerk-dc-1");
        using var response = await host.Http.SendAsync(EnrollRequest(("Authorization", "Bearer " + token), TestIdNumbers.New(), "110105"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var pensionerId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pensionerId").GetString()!;

        var entry = Assert.Single(await Audit.ForPensionerAsync(pensionerId, CancellationToken.None));

        Assert.Equal(("clerk-dc-1", "clerk", nameof(HttpEndpoints.EnrollPensioner), 201), (entry.Actor, entry.Role, entry.Action, entry.Outcome));
        Assert.True(DateTimeOffset.UtcNow - entry.At < TimeSpan.FromMinutes(1));
        Assert.Contains("127.0.0.1", entry.Source, StringComparison.Ordinal);
    }

    private static HttpRequestMessage EnrollRequest((string, string) header, string idNumber, string regionCode) =>
        LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", header,
            LocalHostFixture.Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", regionCode)).WithPhoto(Photos.GenuineReference));

    private static OperatorAuthOptions With(Action<OperatorAuthOptions> change)
    {
        var o = LocalHostFixture.OperatorAuth;
        var copy = new OperatorAuthOptions { Issuer = o.Issuer, Audience = o.Audience, SigningKey = o.SigningKey };
        change(copy);
        return copy;
    }

    private static string Base64Url(string json) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// The integration machine identity over HTTP: its token reaches no route meant for people (403 role-not-allowed,
    /// nothing read), and the audit row says it was the machine identity, on the pensioner it aimed at; a token mixing
    /// the machine role with a person's (Entra's roles array) or with a signed-in user's scopes is no token at all (401).
    /// </summary>
    [Fact]
    public async Task IntegrationToken_RefusedOnEveryPersonsRoute_AuditedAsTheMachine_MixedTokens401()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New("110105"), Photos.GenuineReference);
        (string, string) machine = ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(OperatorRole.Integration, ["110000"], "civil-affairs-feed-7"));
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/pensioners/{pensionerId}", null),
            (HttpMethod.Get, $"/api/pensioners/{pensionerId}/history", null),
            (HttpMethod.Post, "/api/pensioner-lookups", new { idNumber = TestIdNumbers.New("110105") }),
            (HttpMethod.Get, "/api/review-cases?region=110105", null),
            (HttpMethod.Post, $"/api/pensioners/{pensionerId}/status", new { status = "deceased", effectiveOn = "2026-01-01" }),
        })
        {
            using var response = await host.Http.SendAsync(LocalHostFixture.Request(method, path, machine, body is null ? null : System.Net.Http.Json.JsonContent.Create(body)));
            await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "role-not-allowed", $"integration on {method} {path}");
        }
        var rows = (await Audit.ForPensionerAsync(pensionerId, CancellationToken.None)).Where(e => e.Actor == "civil-affairs-feed-7").ToArray();
        Assert.Equal(3, rows.Length); // the three routes naming the pensioner
        Assert.All(rows, row =>
        {
            Assert.Equal("integration", row.Role);
            Assert.Equal(403, row.Outcome);
            Assert.Equal(ApiPipeline.IntegrationRefusedDetail, row.Detail);
        });

        foreach (var claims in new[]
        {
            """ "role":"integration","roles":["integration","admin"] """,
            """ "role":"integration","scp":"user_impersonation" """,
            """ "role":"admin","roles":["admin","integration"] """,
        })
        {
            using var mixed = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/evidence", ("Authorization", "Bearer " + SignedToken(claims)),
                new StringContent("", System.Text.Encoding.UTF8, "application/x-ndjson")));
            await BadInputTests.AssertProblem(mixed, HttpStatusCode.Unauthorized, "operator-unauthorized", claims);
        }
    }

    /// <summary>A token signed with the local key whose payload carries <paramref name="claims"/> beside sub, regions and the standard claims.</summary>
    private static string SignedToken(string claims)
    {
        var o = LocalHostFixture.OperatorAuth;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"iss":"{{o.Issuer}}","aud":"{{o.Audience}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}},"sub":"mixed-token","regions":["110000"],{{claims}}}""";
        var credentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(o.DecodeSigningKey()), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256);
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(payload, credentials);
    }

    private static string UnsignedToken()
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var o = LocalHostFixture.OperatorAuth;
        return Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url($$"""{"iss":"{{o.Issuer}}","aud":"{{o.Audience}}","sub":"x","role":"admin","regions":["110000"],"exp":{{exp}}}""") + ".";
    }

    /// <summary>Swaps the payload for one with role admin, keeping the clerk token's signature.</summary>
    private static string TamperRole(string token)
    {
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("\"clerk\"", "\"admin\"", StringComparison.Ordinal);
        return parts[0] + "." + Base64Url(payload) + "." + parts[2];
    }
}
