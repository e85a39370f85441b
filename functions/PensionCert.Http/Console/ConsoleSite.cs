using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;

namespace PensionCert.Http.Console;

/// <summary>
/// Serves the operator console: static files from <c>wwwroot/console</c> beside the app (HTML, CSS, ES modules, the
/// npm OIDC client copied at build time) and <c>config.json</c>, built from <see cref="ConsoleOptions"/>, which
/// tells the page how to sign in and where the API is. Both hosts call it; it is not an API endpoint (no key, no
/// rate limit, no audit row: the files hold no data; every datum comes from the API with the operator's token).
/// </summary>
public sealed class ConsoleSite
{
    /// <summary>The Functions app's <c>ConsoleFiles</c> function, as the local host describes it (for the parity test).</summary>
    public static readonly HttpEndpoint Endpoint = new(FunctionNames.ConsoleFiles, "GET", Routes.ConsoleFiles, ApiAccess.Anonymous);

    /// <summary>Where the local host answers the development sign-in (see <see cref="ConsoleOptions.DevelopmentSignIn"/>).</summary>
    public const string DevelopmentSignInPath = "/console/dev-sign-in";

    /// <summary>The generated settings file the page reads first.</summary>
    public const string ConfigFile = "config.json";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly PhysicalFileProvider _files;
    private readonly byte[] _config;
    private readonly string _contentSecurityPolicy;

    /// <summary>Creates the site over <paramref name="root"/> (default: <c>wwwroot/console</c> beside the app).</summary>
    public ConsoleSite(IOptions<ConsoleOptions> options, IOptions<OperatorAuthOptions> operatorAuth, ConsoleSignInMode mode, string? root = null)
    {
        var console = options.Value;
        Root = root ?? Path.Combine(AppContext.BaseDirectory, "wwwroot", Routes.ConsoleSite);
        Directory.CreateDirectory(Root);
        _files = new PhysicalFileProvider(Root);
        var authority = string.IsNullOrWhiteSpace(console.Authority) ? operatorAuth.Value.Authority : console.Authority;
        var oidc = !string.IsNullOrWhiteSpace(authority) && !string.IsNullOrWhiteSpace(console.ClientId);
        SignIn = mode.DevelopmentSignIn ? "development" : oidc ? "oidc" : "unconfigured";
        _config = JsonSerializer.SerializeToUtf8Bytes(new ConsoleConfig(
            console.ApiBaseUrl.TrimEnd('/'),
            SignIn,
            mode.DevelopmentSignIn ? DevelopmentSignInPath : null,
            oidc ? new OidcConfig(authority!, console.ClientId!, console.Scope) : null), ApiJson.Options);
        // The page loads only its own files; it talks to the API (same origin unless ApiBaseUrl says otherwise) and, for
        // OpenID Connect, to the authority's metadata, token and key endpoints.
        var connect = string.Join(' ', new[] { "'self'", Origin(console.ApiBaseUrl), oidc ? Origin(authority!) : null }.Where(s => s is not null).Distinct());
        _contentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
    }

    /// <summary>The folder the files are served from.</summary>
    public string Root { get; }

    /// <summary>How the page signs operators in: <c>development</c>, <c>oidc</c> or <c>unconfigured</c>.</summary>
    public string SignIn { get; }

    /// <summary>
    /// Answers GET for <paramref name="path"/> (relative to the console, empty for the index). A request for the
    /// console's folder without its trailing slash is redirected to it, so relative links resolve.
    /// </summary>
    public IResult Serve(HttpContext context, string? path)
    {
        var response = context.Response;
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Content-Security-Policy"] = _contentSecurityPolicy;
        response.Headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
        // Revalidate on every load (ETag), so a new release is picked up at once.
        response.Headers.CacheControl = "no-cache";
        path ??= "";
        if (path.Length == 0 && !(context.Request.Path.Value ?? "").EndsWith('/'))
            return Results.Redirect(context.Request.PathBase + context.Request.Path + "/" + context.Request.QueryString);
        if (path.Length == 0) path = "index.html";
        if (path == ConfigFile)
        {
            response.Headers.CacheControl = "no-store";
            return Results.Bytes(_config, "application/json; charset=utf-8");
        }
        var file = _files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || file.PhysicalPath is null || !ContentTypes.TryGetContentType(file.Name, out var contentType))
            return new ProblemResult(ProblemTypes.NotFound);
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType == "application/json") contentType += "; charset=utf-8";
        var etag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return Results.File(file.PhysicalPath, contentType, lastModified: file.LastModified, entityTag: etag);
    }

    private static string? Origin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri.GetLeftPart(UriPartial.Authority) : null;

    /// <summary>config.json: where the API is and how to sign in.</summary>
    public sealed record ConsoleConfig(string ApiBaseUrl, string SignIn, string? DevelopmentSignInUrl, OidcConfig? Oidc);

    /// <summary>OpenID Connect settings for the browser (public client, authorization code with PKCE).</summary>
    public sealed record OidcConfig(string Authority, string ClientId, string Scope);
}
