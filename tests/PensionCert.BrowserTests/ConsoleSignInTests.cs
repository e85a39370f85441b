using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using PensionCert.IntegrationTests;
using PensionCert.LocalHost;

namespace PensionCert.BrowserTests;

/// <summary>
/// The development sign-in exists only in the local host in the Development environment with a local signing key;
/// anywhere else it is refused at start-up or simply absent, and the console is told to use OpenID Connect.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSignInTests(ConsoleHostFixture host)
{
    [Fact]
    public void Build_DevelopmentSignInOutsideDevelopment_RefusesToStart()
    {
        var error = Assert.Throws<ValidationException>(() => LocalHostApp.Build([], builder =>
        {
            builder.Environment.EnvironmentName = Environments.Production;
            builder.Configuration["PensionCert:Console:DevelopmentSignIn"] = "true";
        }));
        Assert.Contains("PensionCert:Console:DevelopmentSignIn", error.Message);
        Assert.Contains("Production", error.Message);
    }

    [Fact]
    public void Build_DevelopmentSignInWithAnOpenIdAuthority_RefusesToStart()
    {
        var error = Assert.Throws<ValidationException>(() => LocalHostApp.Build([], builder =>
        {
            builder.Environment.EnvironmentName = Environments.Development;
            builder.Configuration["PensionCert:Console:DevelopmentSignIn"] = "true";
            builder.Configuration["PensionCert:OperatorAuth:SigningKey"] = "";
            builder.Configuration["PensionCert:OperatorAuth:Authority"] = "https://login.example.cn/tenant/v2.0";
        }));
        Assert.Contains("SigningKey", error.Message);
    }

    [Fact]
    public async Task ProductionHost_HasNoDevelopmentSignIn_AndTellsTheConsoleToUseOpenIdConnect()
    {
        var production = new ProductionConsoleHost();
        await production.InitializeAsync();
        try
        {
            using var signIn = await production.Http.PostAsJsonAsync("/console/dev-sign-in", new { role = "admin", regions = new[] { "110000" } });
            Assert.True(signIn.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)signIn.StatusCode}");
            Assert.False(signIn.Headers.Contains("Set-Cookie"));
            Assert.DoesNotContain("eyJ", await signIn.Content.ReadAsStringAsync());

            var config = JsonDocument.Parse(await production.Http.GetStringAsync("/console/config.json")).RootElement;
            Assert.Equal("oidc", config.GetProperty("signIn").GetString());
            Assert.Equal(JsonValueKind.Null, config.GetProperty("developmentSignInUrl").ValueKind);
            Assert.Equal("https://login.example.cn/tenant/v2.0", config.GetProperty("oidc").GetProperty("authority").GetString());
            Assert.Equal("pensioncert-console", config.GetProperty("oidc").GetProperty("clientId").GetString());
        }
        finally
        {
            await production.DisposeAsync();
        }
    }

    [Fact]
    public async Task DevelopmentHost_MintsATokenTheApiAccepts_ForTheChosenRoleAndRegion()
    {
        using var signIn = await host.Http.PostAsJsonAsync("/console/dev-sign-in", new { role = "clerk", regions = new[] { "110105" }, operatorId = "clerk-0007" });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var body = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("clerk-0007", body.GetProperty("operatorId").GetString());
        var token = body.GetProperty("accessToken").GetString()!;

        // The token works on a clerk's route of its region and is refused outside it.
        using var own = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/regions/110105/pensioners?state=Overdue", ("Authorization", "Bearer " + token)));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var other = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/regions/310101/pensioners?state=Overdue", ("Authorization", "Bearer " + token)));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);

        using var bad = await host.Http.PostAsJsonAsync("/console/dev-sign-in", new { role = "superuser", regions = new[] { "110105" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("development-sign-in-invalid", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        // The evidence import's machine identity is never minted for a person at the console.
        using var machine = await host.Http.PostAsJsonAsync("/console/dev-sign-in", new { role = "integration", regions = new[] { "110105" } });
        Assert.Equal(HttpStatusCode.BadRequest, machine.StatusCode);
        var refused = JsonDocument.Parse(await machine.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("development-sign-in-invalid", refused.GetProperty("code").GetString());
        Assert.False(refused.TryGetProperty("accessToken", out _));
    }

    [Fact]
    public async Task DevelopmentHost_WithAShiftedClock_MintsTokensOnRealTime_ThatTheApiAccepts()
    {
        // README "Walking a certification year locally": the application's clock starts years ahead, but tokens are
        // validated against the system clock, so the sign-in must mint them on real time.
        var shifted = new ShiftedClockConsoleHost();
        await shifted.InitializeAsync();
        try
        {
            using var signIn = await shifted.Http.PostAsJsonAsync("/console/dev-sign-in", new { role = "clerk", regions = new[] { "110105" } });
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            var body = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync()).RootElement;
            var expiresAt = body.GetProperty("expiresAt").GetDateTimeOffset();
            Assert.InRange(expiresAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            using var own = await shifted.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/regions/110105/pensioners?state=Overdue",
                ("Authorization", "Bearer " + body.GetProperty("accessToken").GetString())));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
        finally
        {
            await shifted.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConsoleFiles_AreServedWithASecurityPolicy_AndNeverOutsideTheirFolder()
    {
        using var index = await host.Http.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", index.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());

        using var redirect = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Http.BaseAddress }.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/console/", redirect.Headers.Location!.OriginalString);

        using var underPrefix = await host.Http.GetAsync("/api/console/js/app.js");
        Assert.Equal(HttpStatusCode.OK, underPrefix.StatusCode);
        Assert.Equal("text/javascript", underPrefix.Content.Headers.ContentType!.MediaType);

        using var oidcClient = await host.Http.GetAsync("/console/vendor/oidc-client-ts.min.js");
        Assert.Equal(HttpStatusCode.OK, oidcClient.StatusCode);

        foreach (var path in new[] { "/console/../appsettings.json", "/console/%2e%2e/appsettings.json", "/console/..%2fappsettings.json", "/console/nothing.html" })
        {
            using var response = await host.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task OpenIdConnect_SignsInWithAuthorizationCodeAndPkce_AndCallsTheApiWithTheAccessToken()
    {
        // The authority is played by the test (Playwright answers its requests); the API still checks tokens with the
        // local key, so the access token the "authority" issues is one the local host accepts.
        const string authority = "https://login.example.cn/tenant/v2.0";
        var production = new ProductionConsoleHost();
        await production.InitializeAsync();
        try
        {
            var context = await host.Browsers.NewContextAsync();
            string? tokenRequest = null;
            await context.RouteAsync(authority + "/**", async route =>
            {
                var url = new Uri(route.Request.Url);
                if (url.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
                {
                    await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["issuer"] = authority, ["authorization_endpoint"] = authority + "/authorize", ["token_endpoint"] = authority + "/token",
                        ["jwks_uri"] = authority + "/keys", ["end_session_endpoint"] = authority + "/logout",
                    }), Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" } });
                }
                else if (url.AbsolutePath.EndsWith("/authorize", StringComparison.Ordinal))
                {
                    var query = System.Web.HttpUtility.ParseQueryString(url.Query);
                    Assert.Equal("code", query["response_type"]);
                    Assert.Equal("pensioncert-console", query["client_id"]);
                    Assert.Equal("S256", query["code_challenge_method"]);
                    Assert.Equal(43, query["code_challenge"]!.Length);
                    Assert.Equal(production.ConsoleUrl + "callback.html", query["redirect_uri"]);
                    await route.FulfillAsync(new() { Status = 302, Headers = new Dictionary<string, string>
                    {
                        ["Location"] = $"{query["redirect_uri"]}?code=test-code&state={Uri.EscapeDataString(query["state"]!)}",
                    } });
                }
                else if (url.AbsolutePath.EndsWith("/token", StringComparison.Ordinal))
                {
                    tokenRequest = route.Request.PostData;
                    await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(new
                    {
                        access_token = LocalHostFixture.OperatorToken(Core.Operators.OperatorRole.Clerk, ["110105"], "clerk-oidc-01"),
                        token_type = "Bearer", expires_in = 3600, scope = "api://pensioncert-api/operator",
                    }), Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" } });
                }
                else await route.AbortAsync();
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync(production.ConsoleUrl);
            await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "统一身份认证登录" }).ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "退出登录" })).ToBeVisibleAsync();
            await Microsoft.Playwright.Assertions.Expect(page.Locator("#who")).ToContainTextAsync("clerk-oidc-01");

            var form = System.Web.HttpUtility.ParseQueryString(tokenRequest!);
            Assert.Equal("authorization_code", form["grant_type"]);
            Assert.Equal("test-code", form["code"]);
            Assert.True(form["code_verifier"]!.Length >= 43);
            // The console calls the API with the access token: the clerk's lists page loads.
            await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "辖区名单" }).ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Table)).ToBeVisibleAsync();
            await context.CloseAsync();
        }
        finally
        {
            await production.DisposeAsync();
        }
    }

    /// <summary>A development host whose application clock starts on 10 January 2028 (<c>PensionCert:LocalHost:ClockStart</c>).</summary>
    private sealed class ShiftedClockConsoleHost : LocalHostFixture
    {
        protected override void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
        {
            builder.Environment.EnvironmentName = Environments.Development;
            builder.Configuration["PensionCert:Console:DevelopmentSignIn"] = "true";
            builder.Configuration["PensionCert:LocalHost:ClockStart"] = "2028-01-10T02:00:00Z";
            // Its triggers would decide, sweep, lapse and purge the other browser tests' work two years ahead: all off.
            foreach (var function in new[] { "VerifyCertification", "RecordPoisonedVerification", "SweepHomeVisits", "SweepReviewCases", "PurgeExpiredSessions",
                         "SweepStaleCertifications", "PurgeExpiredSelfies", "PurgeExpiredIdempotencyKeys", "ExportTables" })
                builder.Configuration[$"AzureWebJobs.{function}.Disabled"] = "true";
        }

        protected override Task<string> StorageConnectionAsync() => Task.FromResult(PrivateAzurite.ConnectionString);
    }

    /// <summary>A host as deployed: Production environment, OpenID Connect configured for the console.</summary>
    private sealed class ProductionConsoleHost : LocalHostFixture
    {
        protected override void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
        {
            builder.Environment.EnvironmentName = Environments.Production;
            builder.Configuration["PensionCert:Console:Authority"] = "https://login.example.cn/tenant/v2.0";
            builder.Configuration["PensionCert:Console:ClientId"] = "pensioncert-console";
            builder.Configuration["PensionCert:Console:Scope"] = "api://pensioncert-api/operator";
        }

        /// <summary>The console's address on this host.</summary>
        public string ConsoleUrl => App.Urls.First().TrimEnd('/') + "/console/";

        protected override Task<string> StorageConnectionAsync() => Task.FromResult(PrivateAzurite.ConnectionString);
    }
}
