using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>
/// HTTP triggers of the annual cycle's operator routes (<see cref="EvidenceApi"/>, <see cref="RegionsApi"/>,
/// <see cref="CycleApi"/>): Anonymous here, the app checks the bearer token.
/// </summary>
public sealed class CycleFunctions(EvidenceApi evidence, RegionsApi regions, CycleApi cycle)
{
    [Function(FunctionNames.ImportEvidence)]
    public async Task<IActionResult> ImportEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Evidence)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await evidence.ImportEvidenceAsync(request, cancellationToken));

    [Function(FunctionNames.GetPaymentChanges)]
    public async Task<IActionResult> GetPaymentChanges(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionPaymentChanges)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await regions.GetPaymentChangesAsync(request, regionCode, cancellationToken));

    [Function(FunctionNames.ListRegionPensioners)]
    public async Task<IActionResult> ListRegionPensioners(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionPensioners)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await regions.ListRegionPensionersAsync(request, regionCode, cancellationToken));

    [Function(FunctionNames.RecordInvestigationOutcome)]
    public async Task<IActionResult> RecordInvestigationOutcome(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerInvestigation)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await cycle.RecordInvestigationOutcomeAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ChangePensionerStatus)]
    public async Task<IActionResult> ChangePensionerStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerStatus)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await cycle.ChangePensionerStatusAsync(request, pensionerId, cancellationToken));
}
