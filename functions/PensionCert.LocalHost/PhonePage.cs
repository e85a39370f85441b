using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using PensionCert.Core.Definitions;

namespace PensionCert.LocalHost;

/// <summary>
/// Serves the pensioner's certification page (<c>functions/PensionCert.Http/wwwroot/h5</c>, copied to <c>wwwroot/h5</c> of
/// every host's output) at <see cref="PagePaths.H5"/>. In Azure the same files are a static site (docs/deploy.md).
/// The page is same-origin with the API here, so it needs no CORS.
/// </summary>
internal static class PhonePage
{
    public static void Map(WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot", "h5");
        if (!Directory.Exists(root)) return;
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = PagePaths.H5 });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = PagePaths.H5,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // The page handles a session token (in its URL fragment): no caching by shared caches, no framing, no referrer.
                headers.CacheControl = "no-cache";
                headers["Referrer-Policy"] = "no-referrer";
                headers["X-Content-Type-Options"] = "nosniff";
                headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'";
                headers["Permissions-Policy"] = "camera=(self)";
            },
        });
        // /h5 without the slash: relative URLs in the page need the trailing slash (middleware, not an API endpoint).
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value == PagePaths.H5)
            {
                context.Response.Redirect(PagePaths.H5 + "/" + context.Request.QueryString);
                return Task.CompletedTask;
            }
            return next(context);
        });
    }
}
