using Microsoft.AspNetCore.Http;
using PensionCert.Core.Certification;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Offline;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Http;

/// <summary>
/// Operator routes of offline certification (现场认证): a photo an operator captures at the counter, a community
/// service centre or on a home visit goes through the same queue and face pipeline as a selfie, recorded with the
/// operator, the service point and the attestation that the ID document was checked.
/// </summary>
public sealed class OfflineCertificationsApi(ApiPipeline pipeline, CertificationService certification, PensionerAdministrationService administration)
{
    private static readonly HashSet<string> Fields = ["idNumber", "pensionerId", "channel", "servicePoint", "idDocumentChecked", "visitId"];

    /// <summary>
    /// POST /api/offline-certifications (operator: clerk, admin): multipart or JSON with <c>idNumber</c> or
    /// <c>pensionerId</c>, <c>channel</c> (counter, community, home-visit), <c>servicePoint</c>,
    /// <c>idDocumentChecked</c> (<c>true</c>), <c>visitId</c> (home-visit only) and <c>photo</c>. 202 like a selfie
    /// submission, with a Location to poll at GET /api/offline-certifications/{certificationId}.
    /// </summary>
    public Task<IResult> SubmitAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.SubmitOfflineCertification, async caller =>
        {
            var idempotencyKey = ApiIdempotency.Key(request);
            var op = caller.Operator!;
            SubmitCertificationCommand Command(IReadOnlyDictionary<string, string> f) => new(
                f.GetValueOrDefault("idNumber"), f.GetValueOrDefault("pensionerId"), f.GetValueOrDefault("channel"), idempotencyKey, "operator:" + op.Subject)
            {
                Capture = new OfflineCapture(op, f.GetValueOrDefault("servicePoint") ?? "",
                    string.Equals(f.GetValueOrDefault("idDocumentChecked")?.Trim(), "true", StringComparison.OrdinalIgnoreCase),
                    string.IsNullOrWhiteSpace(f.GetValueOrDefault("visitId")) ? null : f["visitId"].Trim()),
            };

            StagedPhoto? staged = null;
            try
            {
                var fields = await PhotoRequestReader.ReadAsync(request, Fields, certification.MaxPhotoBytes, async (fieldsSoFar, stream, ct) =>
                {
                    // Fields sent before the photo are checked before anything is stored (a visit id may still follow the
                    // photo), and the pensioner id is found first, so the selfie is stored for its pensioner.
                    string? pensionerId = null;
                    if (fieldsSoFar.ContainsKey("channel") && fieldsSoFar.ContainsKey("servicePoint") && fieldsSoFar.ContainsKey("idDocumentChecked")
                        && (fieldsSoFar.ContainsKey("visitId") || !string.Equals(fieldsSoFar["channel"].Trim(), "home-visit", StringComparison.OrdinalIgnoreCase)))
                    {
                        // FindPensionerIdAsync validates the fields first.
                        if (fieldsSoFar.ContainsKey("idNumber") || fieldsSoFar.ContainsKey("pensionerId"))
                            pensionerId = await certification.FindPensionerIdAsync(Command(fieldsSoFar), ct);
                        else
                            certification.ValidateFields(Command(fieldsSoFar));
                    }
                    staged = await certification.StagePhotoAsync(stream, pensionerId, ct);
                }, cancellationToken);
                var result = await certification.SubmitAsync(Command(fields), staged!, null, cancellationToken);
                var record = result.Record;
                caller.PensionerId = record.PensionerId;
                caller.AuditDetail = $"offline certification {record.CertificationId} channel={record.Channel.ToWireName()} servicePoint={record.ServicePoint}";
                var location = ApiRequests.Location(Routes.OfflineCertification, "certificationId", record.CertificationId);
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

    /// <summary>GET /api/offline-certifications/{certificationId} (operator of the pensioner's region): the decision and the capture attestation.</summary>
    public Task<IResult> GetAsync(HttpRequest request, string certificationId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetOfflineCertification, async caller =>
        {
            var record = await certification.GetAsync(certificationId, cancellationToken);
            try
            {
                await ApiRequests.RequireServesPensionerAsync(administration, caller, record.PensionerId, cancellationToken);
            }
            catch (ProblemException ex) when (ex.Problem == ProblemTypes.PensionerNotFound)
            {
                // Also outside the operator's regions: the answer of an unknown id, the attempt in the audit row.
                throw new ProblemException(ProblemTypes.CertificationNotFound) { AuditPensionerId = ex.AuditPensionerId, AuditNote = ex.AuditNote };
            }
            if (!record.Status.IsDecided()) request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.Json(CertificationResponses.From(record), ApiJson.Options);
        });
}

/// <summary>The <c>Idempotency-Key</c> header (one at most).</summary>
internal static class ApiIdempotency
{
    /// <exception cref="ProblemException">invalid-idempotency-key when repeated.</exception>
    public static string? Key(HttpRequest request) => request.Headers["Idempotency-Key"].Count switch
    {
        0 => null,
        1 => request.Headers["Idempotency-Key"].ToString(),
        _ => throw new ProblemException(ProblemTypes.InvalidIdempotencyKey),
    };
}

/// <summary>Builds <see cref="CertificationResponse"/> from a record (client and operator routes).</summary>
internal static class CertificationResponses
{
    public static CertificationResponse From(CertificationRecord r) => CertificationsApi.Body(r);
}
