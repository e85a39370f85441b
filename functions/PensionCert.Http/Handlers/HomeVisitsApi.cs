using Microsoft.AspNetCore.Http;
using PensionCert.Core.Definitions;
using PensionCert.Core.HomeVisits;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>
/// Home visits (上门认证): client apps request one for the pensioner (or a family member does), operators request,
/// list, read, schedule, complete, cancel or record an unsuccessful visit. Every POST honours <c>Idempotency-Key</c>
/// (a replay answers with the visit as it is now and header <c>Idempotent-Replayed: true</c>), and repeating a change
/// already in force changes nothing.
/// </summary>
public sealed class HomeVisitsApi(ApiPipeline pipeline, HomeVisitService visits, Core.Sessions.CertificationSessionService sessions)
{
    /// <summary>POST /api/home-visits (operator: clerk, admin): request a visit for a pensioner of the operator's regions. 201 (200 on a replay).</summary>
    public Task<IResult> RequestAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RequestHomeVisit, async caller =>
        {
            var body = await ReadJsonAsync<HomeVisitRequestBody>(request, cancellationToken);
            var result = await visits.RequestAsync(body.ToCommand(), new VisitRequester(VisitRequester.Operator, caller.Operator!.Subject),
                caller.Operator, ApiIdempotency.Key(request), cancellationToken);
            caller.PensionerId = result.Visit.PensionerId;
            caller.AuditDetail = "home visit " + result.Visit.VisitId;
            return Created(request, result, HomeVisitBody.From(result.Visit), Routes.HomeVisit);
        });

    /// <summary>
    /// POST /api/home-visit-requests (client): the pensioner or a family member (<c>requesterKind</c> pensioner or
    /// family) requests a visit. 201 with the visit id and state; no contact data is echoed.
    /// </summary>
    public Task<IResult> RequestByClientAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RequestHomeVisitByClient, async caller =>
        {
            var body = await ReadJsonAsync<ClientHomeVisitRequestBody>(request, cancellationToken);
            var kind = body.RequesterKind?.Trim().ToLowerInvariant() switch
            {
                null or "" or VisitRequester.Pensioner => VisitRequester.Pensioner,
                VisitRequester.Family => VisitRequester.Family,
                _ => throw new Core.Errors.ProblemException(Core.Errors.ProblemTypes.MalformedRequest, "requesterKind 应为 pensioner 或 family。"),
            };
            var command = new RequestHomeVisitCommand(body.PensionerId, body.IdNumber, body.Reason, body.ContactPhone, body.Address, body.PreferredDates);
            var result = await visits.RequestAsync(command, new VisitRequester(kind, caller.Client?.Name ?? "client"), null, ApiIdempotency.Key(request), cancellationToken);
            return Created(request, result, HomeVisitRequestStatus.From(result.Visit), Routes.HomeVisitRequest);
        });

    /// <summary>
    /// POST /api/page/session/home-visit-request (the phone page, session token in <c>X-Session-Token</c>): the
    /// session's pensioner asks for a home visit from the page's result view. The pensioner is the session's (the body
    /// names none); the channel's client key stays on the channel's server. Works while the token opens its session
    /// (also after it was used or expired, until expired sessions are purged). 201 with the request's state, no contact data.
    /// </summary>
    public Task<IResult> RequestFromPageAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RequestHomeVisitFromPage, async () =>
        {
            var session = (await sessions.ReadAsync(SessionsApi.TokenOf(request), cancellationToken)).Session;
            var body = await ReadJsonAsync<PageHomeVisitRequestBody>(request, cancellationToken);
            var command = new RequestHomeVisitCommand(session.PensionerId, null, body.Reason, body.ContactPhone, body.Address, body.PreferredDates);
            var result = await visits.RequestAsync(command, new VisitRequester(VisitRequester.Pensioner, session.ClientId), null,
                ApiIdempotency.Key(request), cancellationToken);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return Created(request, result, HomeVisitRequestStatus.From(result.Visit), Routes.HomeVisitRequest);
        });

    /// <summary>GET /api/home-visit-requests/{visitId} (client): the request's state and scheduled date (no contact data, no staff).</summary>
    public Task<IResult> GetRequestAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetHomeVisitRequest, async caller =>
            Results.Json(HomeVisitRequestStatus.From(await visits.GetForClientAsync(visitId, caller.Client?.Name ?? "client", cancellationToken)), ApiJson.Options));

    /// <summary>
    /// GET /api/home-visits?region=&amp;state=&amp;date=&amp;staff=&amp;pageSize=&amp;continuationToken= (operator):
    /// a page of a region's visits (county, or a prefecture or province code for all its counties), without contact data.
    /// </summary>
    public Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListHomeVisits, async caller =>
        {
            var q = request.Query;
            int? pageSize = null;
            if (!string.IsNullOrEmpty(q["pageSize"]))
                pageSize = int.TryParse(q["pageSize"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1
                    ? n : throw new Core.Errors.ProblemException(Core.Errors.ProblemTypes.InvalidVisitFilter, "pageSize 应为 1-500。");
            var page = await visits.ListAsync(q["region"], q["state"], q["date"], q["staff"], q["continuationToken"], pageSize, caller.Operator!, cancellationToken);
            return Results.Json(new HomeVisitsResponse(page.Items.Select(HomeVisitSummary.From).ToArray(), page.ContinuationToken), ApiJson.Options);
        });

    /// <summary>GET /api/home-visits/{visitId} (operator of the region): the whole visit, contact phone and address included (audited).</summary>
    public Task<IResult> GetAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.GetHomeVisit, async caller =>
        {
            var visit = await visits.GetAsync(visitId, caller.Operator!, cancellationToken);
            caller.PensionerId = visit.PensionerId;
            caller.AuditDetail = "home visit contact read " + visit.VisitId;
            return Results.Json(HomeVisitBody.From(visit), ApiJson.Options);
        });

    /// <summary>POST /api/home-visits/{visitId}/schedule (clerk, admin), body <c>{"date":"2026-12-10","assignedStaff":"staff-01"}</c>.</summary>
    public Task<IResult> ScheduleAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        ChangeAsync(request, HttpEndpoints.ScheduleHomeVisit, async caller =>
        {
            var body = await ReadJsonAsync<ScheduleHomeVisitBody>(request, cancellationToken);
            return await visits.ScheduleAsync(visitId, body.Date, body.AssignedStaff, caller.Operator!, ApiIdempotency.Key(request), cancellationToken);
        });

    /// <summary>POST /api/home-visits/{visitId}/complete (clerk, admin), body <c>{"certificationId":"c…"}</c>: the certification captured on the visit.</summary>
    public Task<IResult> CompleteAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        ChangeAsync(request, HttpEndpoints.CompleteHomeVisit, async caller =>
        {
            var body = await ReadJsonAsync<CompleteHomeVisitBody>(request, cancellationToken);
            return await visits.CompleteAsync(visitId, body.CertificationId, caller.Operator!, ApiIdempotency.Key(request), cancellationToken);
        });

    /// <summary>POST /api/home-visits/{visitId}/cancel (clerk, admin), body <c>{"reason":"requested-by-pensioner"}</c>.</summary>
    public Task<IResult> CancelAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        ChangeAsync(request, HttpEndpoints.CancelHomeVisit, async caller =>
        {
            var body = await ReadJsonAsync<VisitReasonBody>(request, cancellationToken);
            return await visits.CancelAsync(visitId, body.Reason, caller.Operator!, ApiIdempotency.Key(request), cancellationToken);
        });

    /// <summary>POST /api/home-visits/{visitId}/unsuccessful (clerk, admin), body <c>{"reason":"not-at-home"}</c> (or found-deceased, refused).</summary>
    public Task<IResult> MarkUnsuccessfulAsync(HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        ChangeAsync(request, HttpEndpoints.RecordUnsuccessfulHomeVisit, async caller =>
        {
            var body = await ReadJsonAsync<VisitReasonBody>(request, cancellationToken);
            return await visits.MarkUnsuccessfulAsync(visitId, body.Reason, caller.Operator!, ApiIdempotency.Key(request), cancellationToken);
        });

    private Task<IResult> ChangeAsync(HttpRequest request, HttpEndpoint endpoint, Func<ApiCaller, Task<HomeVisitResult>> change) =>
        pipeline.RunAsync(request, endpoint, async caller =>
        {
            var result = await change(caller);
            caller.PensionerId = result.Visit.PensionerId;
            caller.AuditDetail = $"home visit {result.Visit.VisitId} {result.Visit.State}";
            if (result.Replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Json(HomeVisitBody.From(result.Visit), ApiJson.Options);
        });

    private static IResult Created<T>(HttpRequest request, HomeVisitResult result, T body, string route)
    {
        if (result.Replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
        var location = Location(route, "visitId", result.Visit.VisitId);
        return Results.Json(body, ApiJson.Options, statusCode: result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created).WithLocation(location);
    }
}

/// <summary>Operator request body of a home visit.</summary>
public sealed record HomeVisitRequestBody(string? PensionerId, string? IdNumber, string? Reason, string? ContactPhone, string? Address, IReadOnlyList<string>? PreferredDates)
{
    internal RequestHomeVisitCommand ToCommand() => new(PensionerId, IdNumber, Reason, ContactPhone, Address, PreferredDates);
}

/// <summary>Client request body of a home visit; <c>requesterKind</c> is pensioner (default) or family.</summary>
public sealed record ClientHomeVisitRequestBody(string? PensionerId, string? IdNumber, string? Reason, string? ContactPhone, string? Address,
    IReadOnlyList<string>? PreferredDates, string? RequesterKind);

/// <summary>The phone page's request body: the pensioner is the session's, so only the visit's details.</summary>
public sealed record PageHomeVisitRequestBody(string? Reason, string? ContactPhone, string? Address, IReadOnlyList<string>? PreferredDates);

/// <summary>Schedule body.</summary>
public sealed record ScheduleHomeVisitBody(string? Date, string? AssignedStaff);

/// <summary>Complete body.</summary>
public sealed record CompleteHomeVisitBody(string? CertificationId);

/// <summary>Cancel or unsuccessful body.</summary>
public sealed record VisitReasonBody(string? Reason);

/// <summary>A home visit as an operator sees it (contact phone and address included; dates are China dates yyyy-MM-dd).</summary>
public sealed record HomeVisitBody(
    string VisitId, string PensionerId, string RegionCode, HomeVisitState State, string Reason, string ContactPhone, string Address,
    IReadOnlyList<string> PreferredDates, string RequestedByKind, string RequestedBy, DateTimeOffset RequestedAt, int Version,
    string? ScheduledOn, string? AssignedStaff, string? ScheduledBy, string? CertificationId, string? OutcomeReason,
    DateTimeOffset? ClosedAt, string? ClosedBy, DateTimeOffset? EscalatedAt, DateTimeOffset UpdatedAt, string LastEvent)
{
    internal static HomeVisitBody From(HomeVisit v) => new(
        v.VisitId, v.PensionerId, v.RegionCode, v.State, v.Reason, v.ContactPhone, v.Address,
        v.PreferredDates.Select(d => Date(d)!).ToArray(), v.RequestedBy.Kind, v.RequestedBy.Id, v.RequestedAt, v.Version,
        Date(v.ScheduledOn), v.AssignedStaff, v.ScheduledBy, v.CertificationId, v.OutcomeReason, v.ClosedAt, v.ClosedBy, v.EscalatedAt, v.UpdatedAt, v.LastEvent);
}

/// <summary>A home visit in an operator list (no contact data).</summary>
public sealed record HomeVisitSummary(
    string VisitId, string PensionerId, string RegionCode, HomeVisitState State, string Reason, IReadOnlyList<string> PreferredDates,
    DateTimeOffset RequestedAt, string? ScheduledOn, string? AssignedStaff, string? CertificationId, string? OutcomeReason, DateTimeOffset? EscalatedAt)
{
    internal static HomeVisitSummary From(HomeVisit v) => new(
        v.VisitId, v.PensionerId, v.RegionCode, v.State, v.Reason, v.PreferredDates.Select(d => Date(d)!).ToArray(),
        v.RequestedAt, Date(v.ScheduledOn), v.AssignedStaff, v.CertificationId, v.OutcomeReason, v.EscalatedAt);
}

/// <summary>A page of home visits; pass continuationToken back for the next page (null on the last).</summary>
public sealed record HomeVisitsResponse(IReadOnlyList<HomeVisitSummary> Items, string? ContinuationToken);

/// <summary>A home-visit request as its requester sees it (no contact data, no staff).</summary>
public sealed record HomeVisitRequestStatus(string VisitId, string PensionerId, HomeVisitState State, string Reason, IReadOnlyList<string> PreferredDates,
    DateTimeOffset RequestedAt, string? ScheduledOn, string? OutcomeReason, DateTimeOffset? ClosedAt)
{
    internal static HomeVisitRequestStatus From(HomeVisit v) => new(v.VisitId, v.PensionerId, v.State, v.Reason,
        v.PreferredDates.Select(d => Date(d)!).ToArray(), v.RequestedAt, Date(v.ScheduledOn), v.OutcomeReason, v.ClosedAt);
}
