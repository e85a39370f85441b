using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PensionCert.Core.Errors;
using PensionCert.Http;

namespace PensionCert.LocalHost;

/// <summary>
/// The local host's request-target and header limits, enforced by the first middleware so that refusals are
/// problem+json (414 <c>uri-too-long</c>, 431 <c>request-headers-too-large</c>) rather than Kestrel's empty-bodied
/// answers: Kestrel rejects request lines and headers over its own limits before any middleware runs and offers no
/// hook to write the body (aspnet/KestrelHttpServer#2947), so its limits are set to twice these (see
/// <c>LocalHostApp.ConfigureKestrel</c>) and this middleware refuses first.
/// </summary>
internal sealed class RequestSizeLimits(RequestDelegate next)
{
    /// <summary>Longest request target (path and query as sent, in characters; Kestrel's own default request line is 8 KiB).</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>
    /// Largest total of header lines, counted as Kestrel counts them: name, <c>": "</c>, value and CRLF for every
    /// value of every header (characters; header values are Latin-1, one byte each on the wire).
    /// </summary>
    public const int MaxHeadersTotalLength = 32 * 1024;

    /// <summary>Most header lines (Kestrel's default).</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's request-line ceiling: lines between this and <see cref="MaxRequestTargetLength"/> reach the middleware.</summary>
    public const int KestrelMaxRequestLineBytes = 2 * MaxRequestTargetLength;

    /// <summary>Kestrel's header-size ceiling.</summary>
    public const int KestrelMaxHeadersTotalBytes = 2 * MaxHeadersTotalLength;

    /// <summary>Kestrel's header-count ceiling.</summary>
    public const int KestrelMaxHeaderCount = 2 * MaxHeaderCount;

    /// <summary>Refuses an over-long target or oversized headers with problem+json; otherwise calls the next middleware.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (target.Length > MaxRequestTargetLength)
            return new ProblemResult(ProblemTypes.UriTooLong).ExecuteAsync(context);
        long total = 0;
        var count = 0;
        foreach (var header in context.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                count++;
                total += header.Key.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }
        if (count > MaxHeaderCount || total > MaxHeadersTotalLength)
            return new ProblemResult(ProblemTypes.RequestHeadersTooLarge).ExecuteAsync(context);
        return next(context);
    }
}
