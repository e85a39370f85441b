using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;

namespace PensionCert.Http;

/// <summary>
/// An RFC 9457 problem details response (<c>application/problem+json</c>) with two extension members: a stable
/// machine-readable <c>code</c> and a zh-CN <c>message</c> for the pensioner; <c>reasons</c> lists face reasons
/// where they apply. Never carries exception text or personal data.
/// </summary>
public sealed class ProblemResult(ProblemType problem, string? detail = null, IReadOnlyList<Reason>? reasons = null) : IResult
{
    /// <summary>Base of the <c>type</c> URI; the code is appended.</summary>
    public const string TypeBase = "https://pensioncert.example/problems/";

    /// <summary>Seconds a client should wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The problem type.</summary>
    public ProblemType Problem { get; } = problem;

    /// <summary>The <c>WWW-Authenticate</c> challenge of a 401 (default <c>ApiKey</c>; operator routes use <c>Bearer</c>).</summary>
    public string Challenge { get; init; } = "ApiKey";

    /// <summary>Overrides <c>Retry-After</c> (whole seconds, rounded up, at least 1); the default is 5 s for a 503 and none otherwise.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>HTTP status for a problem kind.</summary>
    public static int StatusCode(ProblemKind kind) => kind switch
    {
        ProblemKind.BadRequest => StatusCodes.Status400BadRequest,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ProblemKind.RequestTimeout => StatusCodes.Status408RequestTimeout,
        ProblemKind.UriTooLong => StatusCodes.Status414UriTooLong,
        ProblemKind.RequestHeadersTooLarge => StatusCodes.Status431RequestHeaderFieldsTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var status = StatusCode(Problem.Kind);
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json; charset=utf-8";
        if (RetryAfter is { } wait)
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        else if (status == StatusCodes.Status503ServiceUnavailable)
            response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (status == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = Challenge;
        var body = new ProblemBody(
            TypeBase + Problem.Code,
            Problem.Title,
            status,
            detail ?? Problem.Message,
            Instance(httpContext.Request.Path.Value),
            Problem.Code,
            Problem.Message,
            (reasons ?? []).Select(r => new ReasonBody(r.Code, r.Message)).ToArray(),
            TraceId(httpContext));
        // Not RequestAborted: a problem is often written because that token fired (request timeout); the body is small.
        await JsonSerializer.SerializeAsync(response.Body, body, ApiJson.Options, CancellationToken.None);
    }

    /// <summary>
    /// The W3C trace id of the request's span (the operation id Application Insights and the local dashboard show, and
    /// the one the verification continues); the server's request id only where no span exists.
    /// </summary>
    public static string TraceId(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return Core.Telemetry.PensionCertTelemetry.CurrentTraceId ?? httpContext.TraceIdentifier;
    }

    /// <summary>The request path as the problem's <c>instance</c>, cut to 256 characters (a 414 must not echo a 16 KiB path).</summary>
    private static string? Instance(string? path) => path is { Length: > 256 } ? string.Concat(path.AsSpan(0, 256), "…") : path;

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, string? Instance, string Code, string Message, ReasonBody[] Reasons, string TraceId);
}

/// <summary>A reason as returned to clients.</summary>
/// <param name="Code">Stable reason code, e.g. <c>no-face</c>.</param>
/// <param name="Message">zh-CN guidance.</param>
public sealed record ReasonBody(string Code, string Message);
