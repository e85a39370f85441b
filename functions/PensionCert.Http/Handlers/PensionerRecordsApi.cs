using Microsoft.AspNetCore.Http;
using PensionCert.Core.Review;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Four-eyes changes to a pensioner's record: reversal requests of a death or transfer, and explicit name changes.</summary>
public sealed class PensionerRecordsApi(ApiPipeline pipeline, PensionerRecordService records, TimeProvider timeProvider)
{
    /// <summary>
    /// POST /api/pensioners/{pensionerId}/status-reversals (admin), body <c>{"reason":"…"}</c>: asks for the reversal of
    /// a wrong death or transfer record. 202 with the review case another admin decides (approval reinstates the
    /// pensioner and resumes payment with back-pay).
    /// </summary>
    public Task<IResult> RequestStatusReversalAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RequestStatusReversal, async caller =>
        {
            caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var body = await ReadJsonAsync<StatusReversalRequest>(request, cancellationToken);
            var reviewCase = await records.RequestReversalAsync(caller.Operator!, pensionerId, body.Reason, cancellationToken);
            caller.AuditDetail = "reversal requested, case " + reviewCase.CaseId;
            var location = Location(Core.Definitions.Routes.ReviewCase, "caseId", reviewCase.CaseId);
            return Results.Json(ReviewApi.Body(reviewCase, timeProvider.GetUtcNow()), ApiJson.Options, statusCode: StatusCodes.Status202Accepted).WithLocation(location);
        });

    /// <summary>POST /api/pensioners/{pensionerId}/name (clerk, admin), body <c>{"name":"…","reason":"…"}</c>: changes the name on record; audited.</summary>
    public Task<IResult> ChangePensionerNameAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ChangePensionerName, async caller =>
        {
            caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
            var body = await ReadJsonAsync<NameChangeRequest>(request, cancellationToken);
            var result = await records.ChangeNameAsync(caller.Operator!, pensionerId, body.Name, body.Reason, cancellationToken);
            caller.AuditDetail = "name changed: " + result.Result;
            return Results.Json(new CycleCommandResponse(pensionerId, "name", result.Result), ApiJson.Options);
        });
}

/// <summary>A reversal request.</summary>
public sealed record StatusReversalRequest(string? Reason);

/// <summary>A name change.</summary>
public sealed record NameChangeRequest(string? Name, string? Reason);
