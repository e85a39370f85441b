using Microsoft.AspNetCore.Http;
using PensionCert.Core.FamilyHelpers;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>
/// Family-assisted certification (亲情认证): the helper's app asks to be bound (client key); an operator of the
/// pensioner's region lists, approves and revokes; the region's assisted approvals are counted apart.
/// </summary>
public sealed class FamilyHelpersApi(ApiPipeline pipeline, FamilyHelperService helpers)
{
    /// <summary>POST /api/family-helper-requests (client): <c>{pensionerId|idNumber, name, phone, relationship}</c>; 201 Pending (200 on a replay).</summary>
    public Task<IResult> RequestAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RequestFamilyHelper, async caller =>
        {
            var body = await ReadJsonAsync<FamilyHelperRequestBody>(request, cancellationToken);
            var (helper, replayed) = await helpers.RequestAsync(new RequestFamilyHelperCommand(body.PensionerId, body.IdNumber, body.Name, body.Phone, body.Relationship),
                caller.Client?.Name ?? "client", ApiIdempotency.Key(request), cancellationToken);
            if (replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Json(new FamilyHelperRequestResponse(helper.HelperId, helper.PensionerId, helper.State, helper.Relationship, helper.RequestedAt),
                ApiJson.Options, statusCode: replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        });

    /// <summary>GET /api/pensioners/{pensionerId}/family-helpers (operator of the region): every binding, with name and phone.</summary>
    public Task<IResult> ListAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListFamilyHelpers, async caller =>
        {
            caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var list = await helpers.ListAsync(pensionerId, caller.Operator!, cancellationToken);
            return Results.Json(new FamilyHelpersResponse(pensionerId, list.Select(FamilyHelperBody.From).ToArray()), ApiJson.Options);
        });

    /// <summary>POST /api/pensioners/{pensionerId}/family-helpers/{helperId}/approve (clerk, admin of the region).</summary>
    public Task<IResult> ApproveAsync(HttpRequest request, string pensionerId, string helperId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ApproveFamilyHelper, async caller =>
        {
            caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            caller.AuditDetail = "family helper approved " + helperId;
            return Results.Json(FamilyHelperBody.From(await helpers.ApproveAsync(pensionerId, helperId, caller.Operator!, cancellationToken)), ApiJson.Options);
        });

    /// <summary>POST /api/pensioners/{pensionerId}/family-helpers/{helperId}/revoke (clerk, admin of the region).</summary>
    public Task<IResult> RevokeAsync(HttpRequest request, string pensionerId, string helperId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RevokeFamilyHelper, async caller =>
        {
            caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            caller.AuditDetail = "family helper revoked " + helperId;
            return Results.Json(FamilyHelperBody.From(await helpers.RevokeAsync(pensionerId, helperId, caller.Operator!, cancellationToken)), ApiJson.Options);
        });

    /// <summary>GET /api/regions/{regionCode}/assisted-certifications?month=yyyy-MM (operator): approved family-assisted certifications, counted apart.</summary>
    public Task<IResult> ListAssistedAsync(HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListAssistedCertifications, async caller =>
        {
            var month = request.Query["month"].ToString();
            var list = await helpers.ListAssistedAsync(regionCode, month, caller.Operator!, cancellationToken);
            return Results.Json(new AssistedCertificationsResponse(regionCode, month, list.Count,
                list.Select(a => new AssistedCertificationBody(a.CertificationId, a.RegionCode, a.HelperId, a.Channel, a.ApprovedAt)).ToArray()), ApiJson.Options);
        });
}

/// <summary>Client request body of a family helper binding.</summary>
public sealed record FamilyHelperRequestBody(string? PensionerId, string? IdNumber, string? Name, string? Phone, string? Relationship);

/// <summary>What the helper's app gets back: the helper id to send with submissions (as <c>helperId</c>) once approved.</summary>
public sealed record FamilyHelperRequestResponse(string HelperId, string PensionerId, FamilyHelperState State, string Relationship, DateTimeOffset RequestedAt);

/// <summary>A binding as an operator sees it.</summary>
public sealed record FamilyHelperBody(string HelperId, string PensionerId, string RegionCode, FamilyHelperState State, string Name, string Phone, string Relationship,
    string RequestedBy, DateTimeOffset RequestedAt, string? ApprovedBy, DateTimeOffset? ApprovedAt, string? RevokedBy, DateTimeOffset? RevokedAt)
{
    internal static FamilyHelperBody From(FamilyHelper h) => new(h.HelperId, h.PensionerId, h.RegionCode, h.State, h.Name, h.Phone, h.Relationship,
        h.RequestedBy, h.RequestedAt, h.ApprovedBy, h.ApprovedAt, h.RevokedBy, h.RevokedAt);
}

/// <summary>A pensioner's bindings.</summary>
public sealed record FamilyHelpersResponse(string PensionerId, IReadOnlyList<FamilyHelperBody> Items);

/// <summary>One approved assisted certification.</summary>
public sealed record AssistedCertificationBody(string CertificationId, string RegionCode, string HelperId, string Channel, DateTimeOffset ApprovedAt);

/// <summary>A region's assisted approvals in a month, with their count.</summary>
public sealed record AssistedCertificationsResponse(string RegionCode, string Month, int Count, IReadOnlyList<AssistedCertificationBody> Items);
