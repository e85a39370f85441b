using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;

namespace PensionCert.Http;

/// <summary>
/// Serves the pensioner's phone page (<c>wwwroot/h5</c> beside the app: HTML, CSS, one ES module) for both hosts: the
/// Functions app's <c>PhonePageFiles</c> function at <c>/api/h5/</c>, the local host at <c>/h5/</c> as well. The page calls
/// the API of the origin it is served from (<c>/api</c>), so neither needs CORS; it can also be hosted as a static site.
/// Not an API endpoint: no key, no rate limit, no audit row (the files hold no data).
/// </summary>
public sealed class PhonePageSite
{
    /// <summary>The Functions app's <c>PhonePageFiles</c> function, as the local host describes it (for the parity test).</summary>
    public static readonly HttpEndpoint Endpoint = new(FunctionNames.PhonePageFiles, "GET", Routes.PhonePageFiles, ApiAccess.Anonymous);

    private const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly PhysicalFileProvider _files;

    /// <summary>Creates the site over <paramref name="root"/> (default: <c>wwwroot/h5</c> beside the app).</summary>
    public PhonePageSite(string? root = null)
    {
        var folder = root ?? Path.Combine(AppContext.BaseDirectory, "wwwroot", Routes.PhonePageSite);
        Directory.CreateDirectory(folder);
        _files = new PhysicalFileProvider(folder);
    }

    /// <summary>Answers GET for <paramref name="path"/> (relative to the page, empty for the index); the folder without its slash is redirected.</summary>
    public IResult Serve(HttpContext context, string? path)
    {
        var headers = context.Response.Headers;
        headers["X-Content-Type-Options"] = "nosniff";
        // The page's URL fragment carries the session token: never leak the address, never cache the page in shared caches.
        headers["Referrer-Policy"] = "no-referrer";
        headers["Content-Security-Policy"] = ContentSecurityPolicy;
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
        headers.CacheControl = "no-cache";
        path ??= "";
        if (path.Length == 0 && !(context.Request.Path.Value ?? "").EndsWith('/'))
            return Results.Redirect(context.Request.PathBase + context.Request.Path + "/" + context.Request.QueryString);
        if (path.Length == 0) path = "index.html";
        var file = _files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || file.PhysicalPath is null || !ContentTypes.TryGetContentType(file.Name, out var contentType))
            return new ProblemResult(ProblemTypes.NotFound);
        if (contentType.StartsWith("text/", StringComparison.Ordinal)) contentType += "; charset=utf-8";
        var etag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return Results.File(file.PhysicalPath, contentType, lastModified: file.LastModified, entityTag: etag);
    }
}
