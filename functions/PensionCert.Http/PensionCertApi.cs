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
using PensionCert.Core.Storage;

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
    ILogger<PensionCertApi> logger,
    CycleService cycle,
    CycleQueryService cycleQueries,
    Core.Evidence.EvidenceImportService evidenceImport)
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
        RunAsync(request, HttpEndpoints.EnrollPensioner, async () =>
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
                fields.GetValueOrDefault("idNumber"), fields.GetValueOrDefault("name"), fields.GetValueOrDefault("regionCode"), photo), cancellationToken);
            var body = new EnrollmentResponse(result.PensionerId, result.ReferenceVersion, result.Created, result.EnrolledAt);
            var location = $"/{Routes.Prefix}/{Routes.PensionerEligibility.Replace("{pensionerId}", result.PensionerId, StringComparison.Ordinal)}";
            return result.Created
                ? Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status201Created).WithLocation(location)
                : Results.Json(body, ApiJson.Options);
        });

    /// <summary>POST /api/certifications (client): submit a selfie; 202 with the certification id and a Location to poll.</summary>
    public Task<IResult> SubmitCertificationAsync(HttpRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, HttpEndpoints.SubmitCertification, async () =>
        {
            var idempotencyKey = request.Headers["Idempotency-Key"].Count switch
            {
                0 => null,
                1 => request.Headers["Idempotency-Key"].ToString(),
                _ => throw new ProblemException(ProblemTypes.InvalidIdempotencyKey),
            };
            var clientId = ClientIdOf(request);
            SubmitCertificationCommand Command(IReadOnlyDictionary<string, string> f) => new(
                f.GetValueOrDefault("idNumber"), f.GetValueOrDefault("pensionerId"), f.GetValueOrDefault("channel"), idempotencyKey, clientId);

            StagedPhoto? staged = null;
            try
            {
                var fields = await PhotoRequestReader.ReadAsync(request, CertificationFields, certification.MaxPhotoBytes, async (fieldsSoFar, stream, ct) =>
                {
                    // Fields sent before the photo (the usual order) are checked before anything is stored.
                    if (fieldsSoFar.ContainsKey("channel") && (fieldsSoFar.ContainsKey("idNumber") || fieldsSoFar.ContainsKey("pensionerId")))
                        certification.ValidateFields(Command(fieldsSoFar));
                    staged = await certification.StagePhotoAsync(stream, ct);
                }, cancellationToken);
                var result = await certification.SubmitAsync(Command(fields), staged!, cancellationToken);
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

    /// <summary>The URL path of a certification, for Location headers.</summary>
    public static string CertificationLocation(string certificationId) =>
        $"/{Routes.Prefix}/{Routes.Certification.Replace("{certificationId}", certificationId, StringComparison.Ordinal)}";

    private async Task<IResult> RunAsync(HttpRequest request, HttpEndpoint endpoint, Func<Task<IResult>> handler)
    {
        try
        {
            if (!IsAuthorized(request, endpoint.Access)) return new ProblemResult(ProblemTypes.Unauthorized);
            return await handler();
        }
        catch (ProblemException ex)
        {
            return new ProblemResult(ex.Problem, ex.Detail, ex.Reasons);
        }
        catch (StorageUnavailableException ex)
        {
            LogStorageUnavailable(logger, endpoint.FunctionName, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            return new ProblemResult(ProblemTypes.StorageUnavailable);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return new ProblemResult(ProblemTypes.MalformedRequest);
        }
    }

    private bool IsAuthorized(HttpRequest request, ApiAccess access)
    {
        var options = keys.Value;
        return access switch
        {
            ApiAccess.Anonymous => true,
            ApiAccess.Operator => ApiKeyOptions.KeyEquals(request.Headers[ApiKeyOptions.OperatorKeyHeader].FirstOrDefault(), options.OperatorKey),
            _ => !options.EnforceClientKeys || ClientKeyIndex(request, options) >= 0,
        };
    }

    private static int ClientKeyIndex(HttpRequest request, ApiKeyOptions options)
    {
        var presented = request.Headers[ApiKeyOptions.ClientKeyHeader].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return options.ClientKeys.FindIndex(k => ApiKeyOptions.KeyEquals(presented, k));
    }

    private string ClientIdOf(HttpRequest request)
    {
        var index = ClientKeyIndex(request, keys.Value);
        return index >= 0 ? $"client-{index}" : "client";
    }

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Storage unavailable during {Function} ({ErrorType})")]
    private static partial void LogStorageUnavailable(ILogger logger, string function, string errorType);
}

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

    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
