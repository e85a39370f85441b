using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Review;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Operator commands on one pensioner's annual cycle: investigation outcomes and status changes (death, transfer).</summary>
public sealed class CycleApi(ApiPipeline pipeline, CycleService cycle, PensionerRecordService records, PensionerAdministrationService administration)
{
    /// <summary>
    /// POST /api/pensioners/{pensionerId}/investigation (operator), body <c>{"outcome":"suspend"}</c>: suspend,
    /// certified, home-visit-requested or home-visit-closed. <c>certified</c> needs an open investigation and names its
    /// evidence: <c>certificationId</c> (an Approved certification of this pensioner: 200, applied at once) or
    /// <c>documentReference</c> (a file number: 202 ReviewOpened with the investigation-certified case an admin other
    /// than the caller approves before anything changes). 200 with the result (Applied or AlreadyApplied) otherwise.
    /// </summary>
    public Task<IResult> RecordInvestigationOutcomeAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.RecordInvestigationOutcome, async caller =>
        {
            await RequireServesPensionerAsync(administration, caller, pensionerId, cancellationToken);
            var body = await ReadJsonAsync<InvestigationOutcomeRequest>(request, cancellationToken);
            var outcome = body.Outcome?.Trim().ToLowerInvariant() switch
            {
                "suspend" => InvestigationOutcome.Suspend,
                "certified" => InvestigationOutcome.Certified,
                "home-visit-requested" => InvestigationOutcome.HomeVisitRequested,
                "home-visit-closed" => InvestigationOutcome.HomeVisitClosed,
                _ => throw new ProblemException(ProblemTypes.InvalidInvestigationOutcome),
            };
            if (outcome != InvestigationOutcome.Certified && (body.CertificationId is not null || body.DocumentReference is not null))
                throw new ProblemException(ProblemTypes.MalformedRequest, "certificationId 和 documentReference 只用于 certified。");
            var result = outcome == InvestigationOutcome.Certified
                ? await records.RecordInvestigationCertifiedAsync(caller.Operator!, pensionerId, new InvestigationEvidence(body.CertificationId, body.DocumentReference), cancellationToken)
                : new RecordChangeResult((await cycle.RecordInvestigationOutcomeAsync(pensionerId, outcome, cancellationToken)).ToString());
            return Results.Json(new CycleCommandResponse(pensionerId, body.Outcome!.Trim().ToLowerInvariant(), result.Result) { ReviewCaseId = result.ReviewCaseId }, ApiJson.Options,
                statusCode: result.Result == RecordChangeResult.ReviewOpened ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
        });

    /// <summary>
    /// POST /api/pensioners/{pensionerId}/status (operator), body <c>{"status":"deceased","effectiveOn":"2025-03-01"}</c>
    /// (date of death, or of transfer for <c>transferred</c>). The date may not be in the future, before birth or before
    /// the first enrolment. A transfer stops reminders and payment at once (200). A death is four-eyes: 202 with result
    /// <c>ReviewOpened</c> and the death-report review case that a second admin approves (only then does payment stop);
    /// 200 <c>AlreadyApplied</c> for a pensioner already recorded deceased.
    /// </summary>
    public Task<IResult> ChangePensionerStatusAsync(HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ChangePensionerStatus, async caller =>
        {
            await RequireServesPensionerAsync(administration, caller, pensionerId, cancellationToken);
            var body = await ReadJsonAsync<StatusChangeRequest>(request, cancellationToken);
            var status = body.Status?.Trim().ToLowerInvariant();
            if (status is not ("deceased" or "transferred")) throw new ProblemException(ProblemTypes.InvalidStatusChange);
            if (!DateOnly.TryParseExact(body.EffectiveOn?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
                throw new ProblemException(ProblemTypes.InvalidDate);
            var result = await records.ChangeStatusAsync(caller.Operator!, pensionerId, status == "deceased", on, cancellationToken);
            return Results.Json(new CycleCommandResponse(pensionerId, status, result.Result) { ReviewCaseId = result.ReviewCaseId }, ApiJson.Options,
                statusCode: result.Result == RecordChangeResult.ReviewOpened ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
        });
}

/// <summary>Investigation outcome request; <c>certified</c> names one piece of evidence.</summary>
public sealed record InvestigationOutcomeRequest(string? Outcome, string? CertificationId = null, string? DocumentReference = null);

/// <summary>Status change request.</summary>
public sealed record StatusChangeRequest(string? Status, string? EffectiveOn);

/// <summary>Result of an operator command; <c>reviewCaseId</c> when the change waits for a review case (result ReviewOpened).</summary>
public sealed record CycleCommandResponse(string PensionerId, string Action, string Result)
{
    /// <summary>The review case that decides, when the change was not applied but sent to review.</summary>
    public string? ReviewCaseId { get; init; }
}
