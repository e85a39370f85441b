using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using PensionCert.Core.Certification;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Sessions;

namespace PensionCert.Http;

/// <summary>
/// Certification sessions (the phone page): the channel's server creates a session with its client key and reads it
/// back; the page, holding only the session token (header <c>X-Session-Token</c>), reads the challenge, uploads each
/// action's frames and submits once.
/// </summary>
public sealed class SessionsApi(ApiPipeline pipeline, CertificationSessionService sessions)
{
    /// <summary>The header that carries the session token from the page.</summary>
    public const string SessionTokenHeader = "X-Session-Token";

    /// <summary>POST /api/certification-sessions (client): 201 with the session token, page URL, challenge and expiry.</summary>
    public Task<IResult> CreateCertificationSessionAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.CreateCertificationSession, async caller =>
        {
            var body = await ApiRequests.ReadJsonAsync<CreateSessionRequest>(request, cancellationToken);
            var created = await sessions.CreateAsync(new CreateSessionCommand(body.IdNumber, body.PensionerId, body.Channel, body.ReturnUrl,
                caller.Client?.Name ?? "client", caller.Client?.AllowedChannels), cancellationToken);
            var s = created.Session;
            var location = $"/{Routes.Prefix}/{Routes.CertificationSession.Replace("{sessionId}", s.SessionId, StringComparison.Ordinal)}";
            return Results.Json(new CreateSessionResponse(s.SessionId, created.Token, created.PageUrl,
                    new ChallengeBody(s.Actions.Select(a => a.ToWireName()).ToArray(), s.Nonce), s.ExpiresAt, location),
                ApiJson.Options, statusCode: StatusCodes.Status201Created).WithLocation(location);
        });

    /// <summary>GET /api/certification-sessions/{sessionId} (client that created it): state, certification id and decision.</summary>
    public Task<IResult> GetCertificationSessionAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetCertificationSession, async caller =>
        {
            var view = await sessions.GetForClientAsync(sessionId, caller.Client?.Name ?? "client", cancellationToken);
            return Results.Json(SessionBody(view), ApiJson.Options);
        });

    /// <summary>GET /api/page/session (session token): what the page shows: the challenge, the state and, once decided, the result.</summary>
    public Task<IResult> GetPageSessionAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetPageSession, async () =>
        {
            var view = await sessions.ReadAsync(SessionToken(request), cancellationToken);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            if (view.Session.State == SessionState.Submitted && view.Certification?.Status.IsDecided() != true)
                request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.Json(SessionBody(view), ApiJson.Options);
        });

    /// <summary>POST /api/page/session/frames (session token): multipart with <c>nonce</c>, <c>step</c> and 1..N <c>frame</c> JPEG parts.</summary>
    public Task<IResult> UploadSessionFramesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.UploadSessionFrames, async () =>
        {
            // A missing or malformed token is refused before the frames are read (401, not a complaint about the frames).
            CertificationSessionService.RequireWellFormedToken(SessionToken(request));
            var (fields, frames) = await ReadFramesAsync(request, sessions.MaxFramesPerAction, sessions.MaxFrameBytes, cancellationToken);
            var session = await sessions.UploadFramesAsync(SessionToken(request), fields.GetValueOrDefault("nonce"), fields.GetValueOrDefault("step"), frames, cancellationToken);
            return Results.Json(new FramesAcceptedResponse(session.SessionId, session.FrameCounts), ApiJson.Options);
        });

    /// <summary>POST /api/page/session/submit (session token): JSON <c>{"nonce": …}</c>; 202 with the certification id.</summary>
    public Task<IResult> SubmitSessionAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.SubmitSession, async () =>
        {
            var body = await ApiRequests.ReadJsonAsync<SubmitSessionRequest>(request, cancellationToken);
            var record = await sessions.SubmitAsync(SessionToken(request), body.Nonce, cancellationToken);
            return Results.Json(new SubmissionResponse(record.CertificationId, record.Status, record.SubmittedAt, ApiRequests.CertificationLocation(record.CertificationId)),
                ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
        });

    /// <summary>The session token of a page request (header <see cref="SessionTokenHeader"/>), or null.</summary>
    internal static string? TokenOf(HttpRequest request) => SessionToken(request);

    private static string? SessionToken(HttpRequest request) =>
        request.Headers[SessionTokenHeader].Count == 1 ? request.Headers[SessionTokenHeader].ToString() : null;

    private static SessionResponse SessionBody(SessionView view)
    {
        var s = view.Session;
        var state = s.State == SessionState.Submitted ? "submitted" : view.Expired ? "expired" : "open";
        var record = view.Certification;
        var reasons = record?.ReasonCodes.Select(Reasons.FromCode).Select(r => new ReasonBody(r.Code, r.Message)).ToList() ?? [];
        if (view.Expired) reasons.Add(new ReasonBody(Reasons.SessionExpired.Code, Reasons.SessionExpired.Message));
        return new SessionResponse(s.SessionId, state, s.Channel.ToWireName(), new ChallengeBody(s.Actions.Select(a => a.ToWireName()).ToArray(), s.Nonce),
            s.ExpiresAt, s.FrameCounts, s.ReturnUrl, record?.CertificationId, record?.Status, record?.DecidedAt, reasons);
    }

    /// <summary>Reads the multipart frames upload: text parts <c>nonce</c> and <c>step</c>, file parts <c>frame</c> (each at most <paramref name="maxFrameBytes"/>).</summary>
    private static async Task<(Dictionary<string, string> Fields, List<byte[]> Frames)> ReadFramesAsync(HttpRequest request, int maxFrames, int maxFrameBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ProblemException(ProblemTypes.UnsupportedContentType);
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) throw new ProblemException(ProblemTypes.MalformedRequest);
        if (request.ContentLength > (long)maxFrames * (maxFrameBytes + 1024) + 16 * 1024) throw new ProblemException(ProblemTypes.SessionFramesInvalid);
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 4 * 1024, BodyLengthLimit = maxFrameBytes + 1 };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var frames = new List<byte[]>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    throw new ProblemException(ProblemTypes.MalformedRequest);
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, cancellationToken);
                switch (name)
                {
                    case "frame":
                        if (frames.Count >= maxFrames || buffer.Length > maxFrameBytes) throw new ProblemException(ProblemTypes.SessionFramesInvalid);
                        frames.Add(buffer.ToArray());
                        break;
                    case "nonce" or "step":
                        if (fields.ContainsKey(name)) throw new ProblemException(ProblemTypes.DuplicateField);
                        if (buffer.Length > 256) throw new ProblemException(ProblemTypes.InvalidFieldType);
                        fields[name] = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
                        break;
                    default:
                        throw new ProblemException(ProblemTypes.UnknownField);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            if (ex is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout })
                throw new ProblemException(ProblemTypes.RequestTimeout);
            throw new ProblemException(ProblemTypes.SessionFramesInvalid);
        }
        return (fields, frames);
    }
}

/// <summary>POST /api/certification-sessions body: the pensioner (idNumber or pensionerId), the channel, an optional https return URL.</summary>
public sealed record CreateSessionRequest(string? IdNumber, string? PensionerId, string? Channel, string? ReturnUrl);

/// <summary>The challenge: actions in the order asked (turn-left, turn-right, blink) and the nonce the page sends back.</summary>
public sealed record ChallengeBody(IReadOnlyList<string> Actions, string Nonce);

/// <summary>201 response of a new session. <c>sessionToken</c> is for the page only (it is already in <c>pageUrl</c>'s fragment).</summary>
public sealed record CreateSessionResponse(string SessionId, string SessionToken, string PageUrl, ChallengeBody Challenge, DateTimeOffset ExpiresAt, string StatusUrl);

/// <summary>A session as the page and the channel see it; <c>reasons</c> carry the decision's (or the expiry's) guidance.</summary>
public sealed record SessionResponse(string SessionId, string State, string Channel, ChallengeBody Challenge, DateTimeOffset ExpiresAt,
    IReadOnlyList<int> FramesReceived, string? ReturnUrl, string? CertificationId, Core.Certification.CertificationStatus? Status, DateTimeOffset? DecidedAt,
    IReadOnlyList<ReasonBody> Reasons);

/// <summary>Frames stored: how many per step so far.</summary>
public sealed record FramesAcceptedResponse(string SessionId, IReadOnlyList<int> FramesReceived);

/// <summary>POST /api/page/session/submit body.</summary>
public sealed record SubmitSessionRequest(string? Nonce);
