using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions;

/// <summary>
/// HTTP triggers: bind the route and hand the request to <see cref="PensionCertApi"/>. Client routes use Functions
/// keys (AuthorizationLevel.Function); operator routes are Anonymous here and the app checks the bearer token.
/// </summary>
public sealed class HttpFunctions(PensionCertApi api)
{
    [Function(FunctionNames.Health)]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.HealthAsync(request, cancellationToken));

    [Function(FunctionNames.EnrollPensioner)]
    public async Task<IActionResult> EnrollPensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Pensioners)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.EnrollAsync(request, cancellationToken));

    [Function(FunctionNames.GetEligibility)]
    public async Task<IActionResult> GetEligibility(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.PensionerEligibility)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetEligibilityAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.SubmitCertification)]
    public async Task<IActionResult> SubmitCertification(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Certifications)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.SubmitCertificationAsync(request, cancellationToken));

    [Function(FunctionNames.GetCertification)]
    public async Task<IActionResult> GetCertification(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Certification)] HttpRequest request, string certificationId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetCertificationAsync(request, certificationId, cancellationToken));

    [Function(FunctionNames.GetPensioner)]
    public async Task<IActionResult> GetPensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Pensioner)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetPensionerAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ListReviewCases)]
    public async Task<IActionResult> ListReviewCases(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ReviewCases)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListReviewCasesAsync(request, cancellationToken));

    [Function(FunctionNames.ErasePensioner)]
    public async Task<IActionResult> ErasePensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Pensioner)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ErasePensionerAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.OpenApi)]
    public async Task<IActionResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.OpenApiAsync(request, cancellationToken));

    [Function(FunctionNames.ImportEvidence)]
    public async Task<IActionResult> ImportEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Evidence)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ImportEvidenceAsync(request, cancellationToken));

    [Function(FunctionNames.GetPaymentChanges)]
    public async Task<IActionResult> GetPaymentChanges(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionPaymentChanges)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetPaymentChangesAsync(request, regionCode, cancellationToken));

    [Function(FunctionNames.ListRegionPensioners)]
    public async Task<IActionResult> ListRegionPensioners(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionPensioners)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListRegionPensionersAsync(request, regionCode, cancellationToken));

    [Function(FunctionNames.RecordInvestigationOutcome)]
    public async Task<IActionResult> RecordInvestigationOutcome(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerInvestigation)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RecordInvestigationOutcomeAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ChangePensionerStatus)]
    public async Task<IActionResult> ChangePensionerStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerStatus)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ChangePensionerStatusAsync(request, pensionerId, cancellationToken));

    /// <summary>Runs an ASP.NET Core <see cref="IResult"/> as the MVC action result the Functions integration expects.</summary>
    private sealed class ApiActionResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
