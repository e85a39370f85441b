using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Definitions;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using PensionCert.Core.Audit;

namespace PensionCert.Http;

/// <summary>
/// The HTTP API, shared by the Azure Functions app and the local host: each handler checks access, reads the
/// request, calls one application service and maps the outcome; every failure becomes problem+json.
/// </summary>
public sealed partial class PensionCertApi(
    EnrollmentService enrollment,
    CertificationService certification,
    EligibilityService eligibility,
    IEnumerable<IHealthProbe> healthProbes,
    IOptions<ApiKeyOptions> keys,
    OperatorTokenValidator operatorTokens,
    PensionerAdministrationService administration,
    IAuditLog audit,
    TimeProvider timeProvider,
    ILogger<PensionCertApi> logger,
    CycleService cycle,
    CycleQueryService cycleQueries,
    Core.Evidence.EvidenceImportService evidenceImport,
    ApiRateLimiter rateLimiter,
    Core.Sessions.CertificationSessionService sessions)
{
    private readonly CycleService _cycle = cycle;
    private readonly CycleQueryService _cycleQueries = cycleQueries;
    private readonly Core.Evidence.EvidenceImportService _evidenceImport = evidenceImport;

    private static readonly HashSet<string> EnrollmentFields = ["idNumber", "name", "regionCode"];
    private static readonly HashSet<string> CertificationFields = ["idNumber", "pensionerId", "channel"];

    /// <summary>GET /api/health: 200 when storage answers and the models are loaded; otherwise 503 listing what is missing.</summary>
    public Task<IResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.Health, async () =>
        {
            var missing = (await Task.WhenAll(healthProbes.Select(p => p.CheckAsync(cancellationToken)))).SelectMany(m => m).ToArray();
            var body = new HealthResponse(missing.Length == 0 ? "Healthy" : "Unhealthy", missing);
            return Results.Json(body, ApiJson.Options, statusCode: missing.Length == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

    /// <summary>POST /api/pensioners (operator): enrol or re-enrol a pensioner with a reference photo. 201 new, 200 re-enrolled.</summary>
    public Task<IResult> EnrollAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.EnrollPensioner, async caller =>
        {
            byte[] photo = [];
            var maxBytes = certification.MaxPhotoBytes;
            var fields = await PhotoRequestReader.ReadAsync(request, EnrollmentFields, maxBytes, async (_, stream, ct) =>
            {
                using var buffer = new MemoryStream();
                await using var upload = await Core.Photos.PhotoUploadStream.OpenAsync(stream, maxBytes, ct);
                await upload.CopyToAsync(buffer, ct);
                photo = buffer.ToArray();
            }, cancellationToken);
            var result = await enrollment.EnrollAsync(new EnrollPensionerCommand(
                fields.GetValueOrDefault("idNumber"), fields.GetValueOrDefault("name"), fields.GetValueOrDefault("regionCode"), photo, caller.Operator), cancellationToken);
            caller.PensionerId = result.PensionerId;
            var body = new EnrollmentResponse(result.PensionerId, result.ReferenceVersion, result.Created, result.EnrolledAt);
            var location = $"/{Routes.Prefix}/{Routes.PensionerEligibility.Replace("{pensionerId}", result.PensionerId, StringComparison.Ordinal)}";
            return result.Created
                ? Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status201Created).WithLocation(location)
                : Results.Json(body, ApiJson.Options);
        });

    /// <summary>POST /api/certifications (client): submit a selfie; 202 with the certification id and a Location to poll.</summary>
    public Task<IResult> SubmitCertificationAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.SubmitCertification, async caller =>
        {
            var idempotencyKey = request.Headers["Idempotency-Key"].Count switch
            {
                0 => null,
                1 => request.Headers["Idempotency-Key"].ToString(),
                _ => throw new ProblemException(ProblemTypes.InvalidIdempotencyKey),
            };
            var clientId = caller.Client?.Name ?? "client";
            var allowedChannels = caller.Client?.AllowedChannels;
            SubmitCertificationCommand Command(IReadOnlyDictionary<string, string> f) => new(
                f.GetValueOrDefault("idNumber"), f.GetValueOrDefault("pensionerId"), f.GetValueOrDefault("channel"), idempotencyKey, clientId, allowedChannels);

            StagedPhoto? staged = null;
            Task<SubmissionPensioner>? resolving = null;
            try
            {
                var fields = await PhotoRequestReader.ReadAsync(request, CertificationFields, certification.MaxPhotoBytes, async (fieldsSoFar, stream, ct) =>
                {
                    // Fields sent before the photo (the usual order) are checked before anything is stored, and the
                    // pensioner is read while the photo uploads (both are round trips to storage).
                    if (fieldsSoFar.ContainsKey("channel") && (fieldsSoFar.ContainsKey("idNumber") || fieldsSoFar.ContainsKey("pensionerId")))
                    {
                        var early = Command(fieldsSoFar);
                        certification.ValidateFields(early);
                        resolving = certification.ResolveAsync(early, ct);
                    }
                    staged = await certification.StagePhotoAsync(stream, ct);
                }, cancellationToken);
                var result = await certification.SubmitAsync(Command(fields), staged!, resolving, cancellationToken);
                var record = result.Record;
                var location = CertificationLocation(record.CertificationId);
                request.HttpContext.Response.Headers.Location = location;
                if (result.Replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Json(new SubmissionResponse(record.CertificationId, record.Status, record.SubmittedAt, location),
                    ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (ProblemException) when (staged is not null)
            {
                await certification.DiscardAsync(staged, CancellationToken.None);
                throw;
            }
            finally
            {
                // A lookup started beside an upload that then failed is still awaited, so its fault is observed.
                if (resolving is not null) await resolving.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        });

    /// <summary>GET /api/certifications/{certificationId} (client): status, scores, thresholds and reasons.</summary>
    public Task<IResult> GetCertificationAsync(HttpRequest request, string certificationId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.GetCertification, async () =>
        {
            var r = await certification.GetAsync(certificationId, cancellationToken);
            if (!r.Status.IsDecided()) request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.Json(new CertificationResponse(
                r.CertificationId, r.PensionerId, r.Channel.ToWireName(), r.Status, r.SubmittedAt, r.ProcessingStartedAt, r.DecidedAt,
                r.Similarity, r.AcceptThreshold, r.ReviewThreshold, r.LivenessScore,
                r.ReasonCodes.Select(Reasons.FromCode).Select(x => new ReasonBody(x.Code, x.Message)).ToArray(), r.Attempts), ApiJson.Options);
        });

    /// <summary>GET /api/pensioners/{pensionerId}/eligibility (client): state and dates as China Standard Time calendar dates.</summary>
    public Task<IResult> GetEligibilityAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.GetEligibility, async () =>
        {
            var view = await eligibility.GetAsync(pensionerId, cancellationToken);
            return Results.Json(new EligibilityResponse(view.PensionerId, view.State, Date(view.LastCertifiedOn), Date(view.ValidUntil),
                Date(view.DueSoonFrom), Date(view.AsOf)!, "Asia/Shanghai"), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/pensioners/{pensionerId} (operator: clerk, reviewer, admin; region checked): the profile with the ID
    /// number masked; an admin may add <c>?reveal=idNumber</c> for the full number (recorded in the audit table).
    /// </summary>
    public Task<IResult> GetPensionerAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.GetPensioner, async caller =>
        {
            caller.PensionerId = Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var reveal = string.Equals(request.Query["reveal"].ToString(), "idNumber", StringComparison.Ordinal);
            var view = await administration.GetAsync(pensionerId, caller.Operator!, reveal, cancellationToken);
            if (view.IdNumberRevealed) caller.AuditDetail = "idNumber revealed";
            return Results.Json(new PensionerResponse(view.PensionerId, view.IdNumber, view.IdNumberRevealed, view.Name, view.RegionCode,
                view.ReferenceVersion, view.EnrolledAt, view.State, Date(view.ValidUntil)), ApiJson.Options);
        });

    /// <summary>
    /// DELETE /api/pensioners/{pensionerId} (operator: admin; region checked): erases the pensioner's photos, rows and
    /// index entries; 200 with counts. The audit row records the erasure with counts only.
    /// </summary>
    public Task<IResult> ErasePensionerAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.ErasePensioner, async caller =>
        {
            caller.PensionerId = Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var erased = await administration.EraseAsync(pensionerId, caller.Operator!, cancellationToken);
            caller.AuditDetail = string.Create(CultureInfo.InvariantCulture,
                $"erased certifications={erased.Certifications} referencePhotos={erased.ReferencePhotos} rows={erased.PensionerRows}");
            return Results.Json(new ErasureResponse(erased.PensionerId, erased.Certifications, erased.ReferencePhotos, erased.PensionerRows), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/review-cases?date=yyyy-MM-dd (operator: reviewer, admin): cases opened for that China date (default
    /// today) in the operator's regions, e.g. pensioners who reached the daily limit of failed certifications.
    /// </summary>
    public Task<IResult> ListReviewCasesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.ListReviewCases, async caller =>
        {
            var raw = request.Query["date"].ToString();
            DateOnly day;
            if (string.IsNullOrEmpty(raw)) day = ChinaTime.Today(timeProvider);
            else if (!DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
                throw new ProblemException(ProblemTypes.InvalidDate, "date 应为 yyyy-MM-dd 格式的日期。");
            var cases = await administration.ListReviewCasesAsync(day, caller.Operator!, cancellationToken);
            return Results.Json(new ReviewCasesResponse(Date(day)!, cases.Select(c => new ReviewCaseBody(c.PensionerId, c.RegionCode, c.Reason, c.OpenedAt)).ToArray()), ApiJson.Options);
        });

    /// <summary>GET /api/openapi.json (anonymous): the checked-in OpenAPI 3 document (<see cref="OpenApiContract"/>).</summary>
    public Task<IResult> OpenApiAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.OpenApi, _ =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Results.Bytes(OpenApiContract.Utf8Json, OpenApiContract.ContentType));
        });

    /// <summary>The URL path of a certification, for Location headers.</summary>
    public static string CertificationLocation(string certificationId) =>
        $"/{Routes.Prefix}/{Routes.Certification.Replace("{certificationId}", certificationId, StringComparison.Ordinal)}";

    /// <summary>Runs a handler that needs nothing from the caller (see the overload with <see cref="ApiCaller"/>).</summary>
    private Task<IResult> RunAsync(HttpRequest request, HttpEndpoint endpoint, Func<Task<IResult>> handler) =>
        RunAsync(request, endpoint, _ => handler());

    /// <summary>
    /// Authenticates the caller for <paramref name="endpoint"/> (client key or operator bearer token and role), runs
    /// the handler, maps problems to problem+json, and writes one audit row for every operator call (allowed or not).
    /// </summary>
    private async Task<IResult> RunAsync(HttpRequest request, HttpEndpoint endpoint, Func<ApiCaller, Task<IResult>> handler)
    {
        var caller = new ApiCaller();
        IResult result;
        try
        {
            var refusal = await AuthorizeAsync(request, endpoint, caller);
            result = RateLimit(request, endpoint, caller, authorised: refusal is null) ?? refusal ?? await handler(caller);
        }
        catch (ProblemException ex)
        {
            result = new ProblemResult(ex.Problem, ex.Detail, ex.Reasons) { RetryAfter = ex.RetryAfter };
        }
        catch (StorageUnavailableException ex)
        {
            LogStorageUnavailable(logger, endpoint.FunctionName, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            result = new ProblemResult(ProblemTypes.StorageUnavailable);
        }
        catch (ServiceNotReadyException)
        {
            LogNotReady(logger, endpoint.FunctionName);
            return new ProblemResult(ProblemTypes.ServiceNotReady);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The request timed out (the host's request timeout) or the client went away: nobody waits for more.
            return new ProblemResult(ProblemTypes.RequestTimeout);
        }
        if (endpoint.Access == ApiAccess.Operator && !IsUnauditedFlood(request, endpoint, caller, result)) await AuditAsync(request, endpoint, caller, result);
        return result;
    }

    /// <summary>
    /// An unauthenticated caller's 429 beyond the first of the minute from its address: not written to the audit
    /// table (one row a minute records the flood), so unauthenticated traffic cannot drive unbounded storage writes.
    /// </summary>
    private bool IsUnauditedFlood(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, IResult result)
    {
        if (caller.Operator is not null || result is not ProblemResult { Problem.Kind: ProblemKind.TooManyRequests }) return false;
        if (rateLimiter.ShouldAuditAnonymousRefusal(request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown")) return false;
        LogUnauditedRefusal(logger, endpoint.FunctionName);
        return true;
    }

    /// <summary>
    /// Applies <see cref="ApiRateLimiter"/> after authentication: a matched client key counts for its client name, a
    /// validated operator for its subject, anything else for its remote address; the pensioner in the route counts only
    /// for an <paramref name="authorised"/> call. Returns 429 <c>rate-limited</c> with <c>Retry-After</c>, or null.
    /// </summary>
    private ProblemResult? RateLimit(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, bool authorised)
    {
        if (!rateLimiter.Enabled) return null;
        var (identity, key) = caller switch
        {
            { Operator: { } op } => (RateLimitIdentity.Operator, op.Subject),
            { Client: { } client } => (RateLimitIdentity.Client, client.Name),
            _ => (RateLimitIdentity.Address, request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
        };
        var pensionerId = request.RouteValues.TryGetValue("pensionerId", out var value) && value is string id && Ids.IsPensionerId(id) ? id : null;
        var wait = rateLimiter.TryAcquire(identity, key, authorised && endpoint.Access != ApiAccess.Anonymous ? pensionerId : null);
        if (wait is null) return null;
        caller.PensionerId ??= pensionerId;
        return new ProblemResult(ProblemTypes.RateLimited) { RetryAfter = wait };
    }

    /// <summary>Returns a problem result when the caller may not call <paramref name="endpoint"/>; fills <paramref name="caller"/> otherwise.</summary>
    private async Task<IResult?> AuthorizeAsync(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller)
    {
        switch (endpoint.Access)
        {
            case ApiAccess.Anonymous:
            case ApiAccess.Session: // the session token is checked by CertificationSessionService
                return null;
            case ApiAccess.Operator:
                caller.Operator = await operatorTokens.ValidateAsync(request.Headers.Authorization.Count == 1 ? request.Headers.Authorization.ToString() : null, request.HttpContext.RequestAborted);
                if (caller.Operator is null)
                    return new ProblemResult(ProblemTypes.OperatorUnauthorized) { Challenge = OperatorTokenValidator.Challenge(request.Headers.Authorization) };
                if (endpoint.Roles.Count > 0 && !endpoint.Roles.Contains(caller.Operator.Role))
                    return new ProblemResult(ProblemTypes.RoleNotAllowed);
                return null;
            default:
                var options = keys.Value;
                if (!options.EnforceClientKeys) return null;
                caller.Client = options.Find(request.Headers[ApiKeyOptions.ClientKeyHeader].FirstOrDefault() ?? request.Query["code"].FirstOrDefault());
                return caller.Client is null ? new ProblemResult(ProblemTypes.Unauthorized) : null;
        }
    }

    /// <summary>Appends the audit row of an operator call; a failure to write it is logged (ids only) and does not change the answer.</summary>
    private async Task AuditAsync(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, IResult result)
    {
        var status = result switch
        {
            ProblemResult p => ProblemResult.StatusCode(p.Problem.Kind),
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => StatusCodes.Status200OK,
        };
        var entry = new AuditEntry(
            timeProvider.GetUtcNow(),
            caller.Operator?.Subject ?? "anonymous",
            caller.Operator?.Role.ToWireName() ?? "",
            endpoint.FunctionName,
            caller.PensionerId,
            status,
            (result as ProblemResult)?.Problem.Code,
            SourceOf(request),
            caller.AuditDetail);
        try
        {
            await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The action is already done: its answer stands. A missing table or role shows up here and in /api/health.
            LogAuditFailed(logger, endpoint.FunctionName, caller.PensionerId, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
        }
    }

    /// <summary>The remote address as the host saw it, plus the first X-Forwarded-For hop when present (as sent: not trusted).</summary>
    private static string SourceOf(HttpRequest request)
    {
        var remote = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var forwarded = request.Headers["X-Forwarded-For"].FirstOrDefault()?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(forwarded)) return remote;
        return $"{remote} (x-forwarded-for {new string(forwarded.Take(45).Where(c => char.IsAsciiHexDigit(c) || c is '.' or ':').ToArray())})";
    }

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Function}: unauthenticated request refused by the rate limit (audited once a minute per address)")]
    private static partial void LogUnauditedRefusal(ILogger logger, string function);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "{Function} refused: a required component is not ready (see /api/health)")]
    private static partial void LogNotReady(ILogger logger, string function);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Storage unavailable during {Function} ({ErrorType})")]
    private static partial void LogStorageUnavailable(ILogger logger, string function, string errorType);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Audit row for {Function} on pensioner {PensionerId} could not be written ({ErrorType})")]
    private static partial void LogAuditFailed(ILogger logger, string function, string? pensionerId, string errorType);
}

/// <summary>What a handler knows about its caller, and what it reports for the audit row.</summary>
internal sealed class ApiCaller
{
    /// <summary>The validated operator (operator endpoints).</summary>
    public OperatorPrincipal? Operator { get; set; }

    /// <summary>The client whose key was presented (client endpoints, when the app checks keys).</summary>
    public ClientKey? Client { get; set; }

    /// <summary>The pensioner acted on, for the audit row (a well-formed pensioner id only).</summary>
    public string? PensionerId { get; set; }

    /// <summary>A short non-personal note for the audit row.</summary>
    public string? AuditDetail { get; set; }
}

/// <summary>A pensioner as an operator sees it; <c>idNumber</c> is masked unless <c>idNumberRevealed</c>.</summary>
public sealed record PensionerResponse(string PensionerId, string IdNumber, bool IdNumberRevealed, string Name, string RegionCode,
    int ReferenceVersion, DateTimeOffset EnrolledAt, EligibilityState State, string? ValidUntil);

/// <summary>Review cases of one China date.</summary>
public sealed record ReviewCasesResponse(string Date, IReadOnlyList<ReviewCaseBody> Cases);

/// <summary>One review case.</summary>
public sealed record ReviewCaseBody(string PensionerId, string RegionCode, string Reason, DateTimeOffset OpenedAt);

/// <summary>What an erasure removed.</summary>
public sealed record ErasureResponse(string PensionerId, int Certifications, int ReferencePhotos, int PensionerRows);

/// <summary>Health response.</summary>
public sealed record HealthResponse(string Status, IReadOnlyList<string> Missing);

/// <summary>Enrollment response.</summary>
public sealed record EnrollmentResponse(string PensionerId, int ReferenceVersion, bool Created, DateTimeOffset EnrolledAt);

/// <summary>Submission response (202).</summary>
public sealed record SubmissionResponse(string CertificationId, CertificationStatus Status, DateTimeOffset SubmittedAt, string StatusUrl);

/// <summary>Certification status. Scores: cosine similarity -1..1 and live probability 0..1; <c>threshold</c> is the accept threshold.</summary>
public sealed record CertificationResponse(
    string CertificationId, string PensionerId, string Channel, CertificationStatus Status,
    DateTimeOffset SubmittedAt, DateTimeOffset? ProcessingStartedAt, DateTimeOffset? DecidedAt,
    double? SimilarityScore, double? Threshold, double? ReviewThreshold, double? LivenessScore,
    IReadOnlyList<ReasonBody> Reasons, int Attempts);

/// <summary>Eligibility; dates are China Standard Time calendar dates (yyyy-MM-dd).</summary>
public sealed record EligibilityResponse(string PensionerId, EligibilityState State, string? LastCertifiedOn, string? ValidUntil, string? DueSoonFrom, string AsOf, string TimeZone);

internal static class ResultExtensions
{
    public static IResult WithLocation(this IResult result, string location) => new LocatedResult(result, location);

    private sealed class LocatedResult(IResult inner, string location) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
