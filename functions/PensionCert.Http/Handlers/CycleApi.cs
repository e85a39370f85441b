using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Operator commands on one pensioner's annual cycle: investigation outcomes and status changes (death, transfer).</summary>
public sealed class CycleApi(ApiPipeline pipeline, CycleService cycle, PensionerAdministrationService administration)
{
    /// <summary>
    /// POST /api/pensioners/{pensionerId}/investigation (operator), body <c>{"outcome":"suspend"}</c>: suspend,
    /// certified, home-visit-requested or home-visit-closed. 200 with the result (Applied or AlreadyApplied).
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
            var result = await cycle.RecordInvestigationOutcomeAsync(pensionerId, outcome, cancellationToken);
            return Results.Json(new CycleCommandResponse(pensionerId, body.Outcome!.Trim().ToLowerInvariant(), result.ToString()), ApiJson.Options);
        });

    /// <summary>
    /// POST /api/pensioners/{pensionerId}/status (operator), body <c>{"status":"deceased","effectiveOn":"2025-03-01"}</c>
    /// (date of death, or of transfer for <c>transferred</c>): stops reminders and payment. 200 with the result.
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
            var result = status == "deceased"
                ? await cycle.MarkDeceasedAsync(pensionerId, on, "operator", cancellationToken)
                : await cycle.MarkTransferredAsync(pensionerId, on, cancellationToken);
            return result switch
            {
                CycleCommandResult.NotFound => throw new ProblemException(ProblemTypes.PensionerNotFound),
                CycleCommandResult.Inactive => throw new ProblemException(ProblemTypes.PensionerInactive),
                _ => Results.Json(new CycleCommandResponse(pensionerId, status, result.ToString()), ApiJson.Options),
            };
        });
}

/// <summary>Investigation outcome request.</summary>
public sealed record InvestigationOutcomeRequest(string? Outcome);

/// <summary>Status change request.</summary>
public sealed record StatusChangeRequest(string? Status, string? EffectiveOn);

/// <summary>Result of an operator command.</summary>
public sealed record CycleCommandResponse(string PensionerId, string Action, string Result);
