using Microsoft.AspNetCore.Http;
using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;

namespace PensionCert.Http;

/// <summary>Client routes of certifications: submit a selfie, poll its decision.</summary>
public sealed class CertificationsApi(ApiPipeline pipeline, CertificationService certification)
{
    private static readonly HashSet<string> CertificationFields = ["idNumber", "pensionerId", "channel", "helperId"];

    /// <summary>POST /api/certifications (client): submit a selfie; 202 with the certification id and a Location to poll.</summary>
    public Task<IResult> SubmitCertificationAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.SubmitCertification, async caller =>
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
                f.GetValueOrDefault("idNumber"), f.GetValueOrDefault("pensionerId"), f.GetValueOrDefault("channel"), idempotencyKey, clientId, allowedChannels)
            {
                HelperId = f.GetValueOrDefault("helperId"),
            };

            // Every storage round trip of this submission (selfie upload, pensioner, key, index, message, record).
            using var storageCalls = Core.Telemetry.StorageCallScope.Begin(describe: System.Diagnostics.Activity.Current is not null);
            StagedPhoto? staged = null;
            Task<SubmissionPensioner>? resolving = null;
            string? channel = null;
            try
            {
                var fields = await PhotoRequestReader.ReadAsync(request, CertificationFields, certification.MaxPhotoBytes, async (fieldsSoFar, stream, ct) =>
                {
                    // Fields sent before the photo (the usual order) are checked before anything is stored; the pensioner
                    // id is found first (no read when given, else the ID-number index), so the selfie is stored for its
                    // pensioner, and the profile is read while the photo uploads.
                    channel = fieldsSoFar.GetValueOrDefault("channel");
                    string? pensionerId = null;
                    if (fieldsSoFar.ContainsKey("channel") && (fieldsSoFar.ContainsKey("idNumber") || fieldsSoFar.ContainsKey("pensionerId")))
                    {
                        var early = Command(fieldsSoFar);
                        pensionerId = await certification.FindPensionerIdAsync(early, ct);
                        resolving = certification.ResolveAsync(early, pensionerId, ct);
                    }
                    staged = await certification.StagePhotoAsync(stream, pensionerId, ct);
                }, cancellationToken);
                var result = await certification.SubmitAsync(Command(fields), staged!, resolving, cancellationToken);
                var record = result.Record;
                var location = ApiRequests.CertificationLocation(record.CertificationId);
                request.HttpContext.Response.Headers.Location = location;
                if (result.Replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                else
                {
                    Core.Telemetry.PensionCertTelemetry.RecordStorageCalls(Core.Definitions.TelemetryNames.Operations.Submission, storageCalls.Calls);
                    // On the request's server span: the count and the calls, described without keys.
                    Core.Telemetry.PensionCertTelemetry.TagStorageCalls(System.Diagnostics.Activity.Current, storageCalls);
                }
                return Results.Json(new SubmissionResponse(record.CertificationId, record.Status, record.SubmittedAt, location),
                    ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (ProblemException ex) when (staged is null)
            {
                // Refused before SubmitAsync (which counts its own outcomes): fields or photo.
                CertificationService.RecordRefused(channel, ex);
                throw;
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
        pipeline.RunAsync(request, HttpEndpoints.GetCertification, async caller =>
        {
            var r = await certification.GetAsync(certificationId, cancellationToken);
            // A client key reads the certifications of the channels it may submit for: not another channel's, and not
            // an operator-captured one (counter, community, home visit: who captured it where).
            if (caller.Client?.AllowedChannels is { } allowed && !allowed.Contains(r.Channel))
                throw new ProblemException(ProblemTypes.CertificationNotFound);
            if (!r.Status.IsDecided()) request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.Json(Body(r), ApiJson.Options);
        });

    /// <summary>The response body of a certification record (also used in review cases).</summary>
    internal static CertificationResponse Body(Core.Storage.CertificationRecord r) => new(
        r.CertificationId, r.PensionerId, r.Channel.ToWireName(), r.Status, r.SubmittedAt, r.ProcessingStartedAt, r.DecidedAt,
        r.Similarity, r.AcceptThreshold, r.ReviewThreshold, r.LivenessScore,
        r.ReasonCodes.Select(Reasons.FromCode).Select(x => new ReasonBody(x.Code, x.Message)).ToArray(), r.Attempts,
        r.DecisionSource, r.Guidance is { } g ? new GuidanceBody(g, Guidance.Messages.GetValueOrDefault(g, Guidance.Messages[Guidance.None])) : null)
    {
        CapturedBy = r.CapturedBy,
        ServicePoint = r.ServicePoint,
        IdDocumentChecked = r.IdDocumentChecked,
        HomeVisitId = r.HomeVisitId,
        AssistedBy = r.AssistedBy,
    };
}

/// <summary>Submission response (202).</summary>
public sealed record SubmissionResponse(string CertificationId, CertificationStatus Status, DateTimeOffset SubmittedAt, string StatusUrl);

/// <summary>Certification status. Scores: cosine similarity -1..1 and live probability 0..1; <c>threshold</c> is the accept threshold.</summary>
public sealed record CertificationResponse(
    string CertificationId, string PensionerId, string Channel, CertificationStatus Status,
    DateTimeOffset SubmittedAt, DateTimeOffset? ProcessingStartedAt, DateTimeOffset? DecidedAt,
    double? SimilarityScore, double? Threshold, double? ReviewThreshold, double? LivenessScore,
    IReadOnlyList<ReasonBody> Reasons, int Attempts, string? DecisionSource, GuidanceBody? Guidance)
{
    /// <summary>Operator-captured channels: the operator (token <c>sub</c>) who captured the photo.</summary>
    public string? CapturedBy { get; init; }

    /// <summary>Operator-captured channels: the service point code.</summary>
    public string? ServicePoint { get; init; }

    /// <summary>Operator-captured channels: the operator attested the ID document was checked.</summary>
    public bool? IdDocumentChecked { get; init; }

    /// <summary>Channel home-visit: the visit the photo was captured on.</summary>
    public string? HomeVisitId { get; init; }

    /// <summary>Family-assisted certification (亲情认证): the helper id that submitted the selfie.</summary>
    public string? AssistedBy { get; init; }
}

/// <summary>What the pensioner should do next: a stable code and a plain zh-CN message.</summary>
public sealed record GuidanceBody(string Code, string Message);
