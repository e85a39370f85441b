using Microsoft.AspNetCore.Http;
using PensionCert.Core.Certification;
using PensionCert.Core.Faces;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>
/// Operator reads behind the console's counter and pensioner pages: find a pensioner by ID number (the number travels
/// in a POST body, never in a URL or a log) and a pensioner's history (certifications, holds, references, audit trail).
/// </summary>
public sealed class PensionerHistoryApi(ApiPipeline pipeline, PensionerHistoryService history)
{
    /// <summary>
    /// POST /api/pensioner-lookups (operator: clerk, reviewer, admin), body <c>{"idNumber":"…"}</c>: the pensioner with
    /// this ID number, as <c>GET /api/pensioners/{id}</c> shows it (ID number masked); 404 <c>pensioner-not-found</c> when
    /// nobody is enrolled with it and, with the same code and message, when the pensioner is outside the operator's
    /// regions (the audit row records that attempt against the pensioner; the number itself is never logged).
    /// </summary>
    public Task<IResult> LookupAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.LookupPensioner, async caller =>
        {
            var body = await ReadJsonAsync<PensionerLookupRequest>(request, cancellationToken);
            var view = await history.FindAsync(body.IdNumber, caller.Operator!, cancellationToken);
            caller.PensionerId = view.PensionerId;
            caller.AuditDetail = "looked up by ID number";
            return Results.Json(new PensionerResponse(view.PensionerId, view.IdNumber, view.IdNumberRevealed, view.Name, view.RegionCode,
                view.ReferenceVersion, view.EnrolledAt, view.State, Date(view.ValidUntil), view.ReferenceSource), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/pensioners/{pensionerId}/history (operator: clerk, reviewer, admin; region checked): the 20 latest
    /// certifications (newest first), open holds, superseded references, live references (approved selfies kept as references) and the 100 latest audit entries (newest first,
    /// without source addresses).
    /// </summary>
    public Task<IResult> GetHistoryAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetPensionerHistory, async caller =>
        {
            caller.PensionerId = Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var h = await history.GetAsync(pensionerId, caller.Operator!, cancellationToken);
            return Results.Json(new PensionerHistoryResponse(
                h.PensionerId,
                h.CertificationCount,
                h.Certifications.Select(c => new HistoryCertificationBody(c.CertificationId, c.Channel.ToWireName(), c.Status, c.SubmittedAt, c.DecidedAt,
                    c.Similarity, c.LivenessScore, c.ReasonCodes.Select(Reasons.FromCode).Select(r => new ReasonBody(r.Code, r.Message)).ToArray())).ToArray(),
                h.OpenHolds,
                h.References.Select(r => new HistoryReferenceBody(r.ReferenceVersion, r.EnrolledAt, r.ReplacedAt, r.ReferenceSource ?? Core.Enrollment.ReferenceSources.LiveCapture)).ToArray(),
                h.Audit.Select(a => new HistoryAuditBody(a.At, a.Actor, a.Role, a.Action, a.Outcome, a.ProblemCode, a.Detail)).ToArray(),
                h.LiveReferences.Select(r => new HistoryLiveReferenceBody(r.CertificationId, r.AddedAt)).ToArray()), ApiJson.Options);
        });
}

/// <summary>Lookup request: the citizen ID number (18 digits, or 15 legacy).</summary>
public sealed record PensionerLookupRequest(string? IdNumber);

/// <summary>A pensioner's history as an operator sees it.</summary>
public sealed record PensionerHistoryResponse(
    string PensionerId, int CertificationCount, IReadOnlyList<HistoryCertificationBody> Certifications, IReadOnlyList<string> Holds,
    IReadOnlyList<HistoryReferenceBody> References, IReadOnlyList<HistoryAuditBody> Audit, IReadOnlyList<HistoryLiveReferenceBody> LiveReferences);

/// <summary>An approved selfie whose template is kept as a further reference (the template itself is never returned).</summary>
public sealed record HistoryLiveReferenceBody(string CertificationId, DateTimeOffset AddedAt);

/// <summary>One certification in a history.</summary>
public sealed record HistoryCertificationBody(
    string CertificationId, string Channel, CertificationStatus Status, DateTimeOffset SubmittedAt, DateTimeOffset? DecidedAt,
    double? SimilarityScore, double? LivenessScore, IReadOnlyList<ReasonBody> Reasons);

/// <summary>A superseded reference photo and where it came from (<c>live-capture</c>, <c>id-photo</c>).</summary>
public sealed record HistoryReferenceBody(int ReferenceVersion, DateTimeOffset EnrolledAt, DateTimeOffset ReplacedAt, string ReferenceSource);

/// <summary>One audit entry (no source address).</summary>
public sealed record HistoryAuditBody(DateTimeOffset At, string Actor, string Role, string Action, int Outcome, string? ProblemCode, string? Detail);
