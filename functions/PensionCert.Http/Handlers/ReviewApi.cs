using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>
/// Reviewer routes: the review queue of the operator's regions, one case with its certification and recent attempts,
/// claim / release / decide, and the reference and probe photos (served through this audited endpoint with
/// <c>Cache-Control: no-store</c>, never as storage URLs).
/// </summary>
public sealed class ReviewApi(ApiPipeline pipeline, ReviewQueryService queries, ReviewService review, TimeProvider timeProvider)
{
    /// <summary>
    /// GET /api/review-cases?region=&amp;reason=&amp;state=&amp;minAgeDays=&amp;date=&amp;pageSize=&amp;continuationToken=
    /// (reviewer, admin): cases of the operator's regions, oldest first, with the number of open cases and the age of
    /// the oldest open one.
    /// </summary>
    public Task<IResult> ListReviewCasesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListReviewCases, async caller =>
        {
            var q = request.Query;
            DateOnly? day = null;
            if (q["date"].ToString() is { Length: > 0 } rawDate)
            {
                if (!DateOnly.TryParseExact(rawDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    throw new ProblemException(ProblemTypes.InvalidDate, "date 应为 yyyy-MM-dd 格式的日期。");
                day = parsed;
            }
            ReviewCaseState? state = null;
            if (q["state"].ToString() is { Length: > 0 } rawState)
                state = StateNames.TryGetValue(rawState, out var s) ? s : throw new ProblemException(ProblemTypes.InvalidReviewFilter, "state 应为 open、approved、rejected、sent-offline 或 expired。");
            var filter = new ReviewCaseFilter(
                NullIfEmpty(q["region"].ToString()), NullIfEmpty(q["reason"].ToString()), state,
                Int(q["minAgeDays"].ToString(), "minAgeDays"), day, Int(q["pageSize"].ToString(), "pageSize"), NullIfEmpty(q["continuationToken"].ToString()));
            var page = await queries.ListAsync(caller.Operator!, filter, cancellationToken);
            var now = timeProvider.GetUtcNow();
            return Results.Json(new ReviewCasesResponse(Date(day), page.Cases.Select(c => Body(c, now)).ToArray(), page.ContinuationToken,
                page.OpenCases, page.OldestOpenSince, page.OldestOpenAge is { } age ? Math.Round(age.TotalHours, 2) : null), ApiJson.Options);
        });

    /// <summary>GET /api/review-cases/{caseId} (reviewer, admin): the case, its certification with scores, thresholds and reasons, the pensioner's recent attempts and photo links.</summary>
    public Task<IResult> GetReviewCaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetReviewCase, async caller =>
        {
            var details = await queries.GetAsync(caller.Operator!, caseId, cancellationToken);
            caller.PensionerId = details.Case.PensionerId;
            caller.AuditDetail = "case " + details.Case.CaseId;
            return Results.Json(new ReviewCaseDetailsResponse(
                Body(details.Case, timeProvider.GetUtcNow()),
                details.Certification is { } c ? CertificationsApi.Body(c) : null,
                details.RecentAttempts.Select(CertificationsApi.Body).ToArray(),
                details.ReferenceVersion,
                details.Photos.Select(kind => new ReviewPhotoLink(kind, PhotoUrl(details.Case.CaseId, kind))).ToArray()), ApiJson.Options);
        });

    /// <summary>POST /api/review-cases/{caseId}/claim (reviewer, admin): claims the case for <c>PensionCert:Review:ClaimMinutes</c>; 409 review-case-claimed when another reviewer holds it.</summary>
    public Task<IResult> ClaimReviewCaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ClaimReviewCase, async caller =>
        {
            var claimed = await review.ClaimAsync(caller.Operator!, caseId, cancellationToken);
            caller.PensionerId = claimed.PensionerId;
            caller.AuditDetail = "case " + claimed.CaseId;
            return Results.Json(Body(claimed, timeProvider.GetUtcNow()), ApiJson.Options);
        });

    /// <summary>POST /api/review-cases/{caseId}/release (reviewer, admin): gives up the caller's claim.</summary>
    public Task<IResult> ReleaseReviewCaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ReleaseReviewCase, async caller =>
        {
            var released = await review.ReleaseAsync(caller.Operator!, caseId, cancellationToken);
            caller.PensionerId = released.PensionerId;
            caller.AuditDetail = "case " + released.CaseId;
            return Results.Json(Body(released, timeProvider.GetUtcNow()), ApiJson.Options);
        });

    /// <summary>
    /// POST /api/review-cases/{caseId}/decision (reviewer, admin; the caller must hold the claim), body
    /// <c>{"decision":"approve"}</c>, <c>{"decision":"reject","reason":"not-the-pensioner","note":"…"}</c> or
    /// <c>{"decision":"send-offline","offlineChannel":"home-visit"}</c>. 200 with the decided case.
    /// </summary>
    public Task<IResult> DecideReviewCaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.DecideReviewCase, async caller =>
        {
            var body = await ReadJsonAsync<ReviewDecisionRequest>(request, cancellationToken);
            var outcome = body.Decision?.Trim().ToLowerInvariant() switch
            {
                "approve" => ReviewCaseState.Approved,
                "reject" => ReviewCaseState.Rejected,
                "send-offline" => ReviewCaseState.SentOffline,
                _ => throw new ProblemException(ProblemTypes.InvalidReviewDecision),
            };
            var decided = await review.DecideAsync(caller.Operator!, caseId,
                new ReviewDecision(outcome, body.Reason?.Trim().ToLowerInvariant(), body.OfflineChannel?.Trim().ToLowerInvariant(), body.Note), cancellationToken);
            caller.PensionerId = decided.PensionerId;
            caller.AuditDetail = $"case {decided.CaseId} decided {StateName(decided.State)}";
            return Results.Json(Body(decided, timeProvider.GetUtcNow()), ApiJson.Options);
        });

    /// <summary>
    /// GET /api/review-cases/{caseId}/photos/{kind} (reviewer, admin): the <c>reference</c> or <c>probe</c> photo as
    /// image bytes with <c>Cache-Control: no-store</c>; every read is an audit row.
    /// </summary>
    public Task<IResult> GetReviewCasePhotoAsync(HttpRequest request, string caseId, string kind, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetReviewCasePhoto, async caller =>
        {
            var photo = await queries.GetPhotoAsync(caller.Operator!, caseId, kind, cancellationToken);
            caller.AuditDetail = $"case {caseId} photo {kind}";
            caller.PensionerId = photo.PensionerId;
            var headers = request.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
            headers["X-Content-Type-Options"] = "nosniff";
            return Results.Bytes(photo.Content, photo.ContentType);
        });

    private static readonly Dictionary<string, ReviewCaseState> StateNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["open"] = ReviewCaseState.Open,
        ["approved"] = ReviewCaseState.Approved,
        ["rejected"] = ReviewCaseState.Rejected,
        ["sent-offline"] = ReviewCaseState.SentOffline,
        ["expired"] = ReviewCaseState.Expired,
    };

    /// <summary>The wire name of a case state.</summary>
    public static string StateName(ReviewCaseState state) => state switch
    {
        ReviewCaseState.Open => "open",
        ReviewCaseState.Approved => "approved",
        ReviewCaseState.Rejected => "rejected",
        ReviewCaseState.Expired => "expired",
        _ => "sent-offline",
    };

    internal static ReviewCaseBody Body(ReviewCase c, DateTimeOffset now) => new(
        c.CaseId, c.PensionerId, c.RegionCode, c.Reason, StateName(c.State), Date(c.Day)!, c.OpenedAt, Math.Round(c.AgeAt(now).TotalHours, 2),
        c.CertificationId, c.SubmittedBy, Date(c.EffectiveOn), c.RequestNote,
        c.ActiveClaimant(now), c.ActiveClaimant(now) is null ? null : c.ClaimExpiresAt,
        c.DecidedBy, c.DecidedAt, c.RejectionReason, c.OfflineChannel, c.Note, c.EscalatedAt, c.Escalations, c.ReferenceSource);

    private static string PhotoUrl(string caseId, string kind) =>
        $"/{Core.Definitions.Routes.Prefix}/{Core.Definitions.Routes.ReviewCasePhoto.Replace("{caseId}", caseId, StringComparison.Ordinal).Replace("{kind}", kind, StringComparison.Ordinal)}";

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static int? Int(string value, string name) =>
        value.Length == 0 ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ProblemException(ProblemTypes.InvalidReviewFilter, name + " 应为非负整数。");
}

/// <summary>Review cases, oldest first, with the open-case count and the oldest open case's age (of the operator's, filtered, regions).</summary>
public sealed record ReviewCasesResponse(string? Date, IReadOnlyList<ReviewCaseBody> Cases, string? ContinuationToken, int OpenCases, DateTimeOffset? OldestOpenSince, double? OldestOpenAgeHours);

/// <summary>One review case. <c>claimedBy</c>/<c>claimExpiresAt</c> show only an unexpired claim.</summary>
public sealed record ReviewCaseBody(
    string CaseId, string PensionerId, string RegionCode, string Reason, string State, string Day, DateTimeOffset OpenedAt, double AgeHours,
    string? CertificationId, string? SubmittedBy, string? EffectiveOn, string? RequestNote,
    string? ClaimedBy, DateTimeOffset? ClaimExpiresAt,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? RejectionReason, string? OfflineChannel, string? Note, DateTimeOffset? EscalatedAt, int Escalations, string? ReferenceSource);

/// <summary>A case with its certification, the pensioner's recent attempts (newest first) and its photo links.</summary>
public sealed record ReviewCaseDetailsResponse(ReviewCaseBody Case, CertificationResponse? Certification, IReadOnlyList<CertificationResponse> RecentAttempts, int ReferenceVersion, IReadOnlyList<ReviewPhotoLink> Photos);

/// <summary>A photo of a case: its kind (<c>reference</c>, <c>probe</c>) and the audited URL that serves it.</summary>
public sealed record ReviewPhotoLink(string Kind, string Url);

/// <summary>A reviewer's decision.</summary>
public sealed record ReviewDecisionRequest(string? Decision, string? Reason, string? OfflineChannel, string? Note);
