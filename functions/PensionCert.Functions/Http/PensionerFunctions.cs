using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>
/// HTTP triggers of <see cref="PensionersApi"/>. The eligibility route is a client route (Functions key); operator
/// routes are Anonymous here and the app checks the bearer token.
/// </summary>
public sealed class PensionerFunctions(PensionersApi api)
{
    [Function(FunctionNames.EnrollPensioner)]
    public async Task<IActionResult> EnrollPensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Pensioners)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.EnrollAsync(request, cancellationToken));

    [Function(FunctionNames.GetEligibility)]
    public async Task<IActionResult> GetEligibility(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.PensionerEligibility)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetEligibilityAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.GetPensioner)]
    public async Task<IActionResult> GetPensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Pensioner)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetPensionerAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ErasePensioner)]
    public async Task<IActionResult> ErasePensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Pensioner)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ErasePensionerAsync(request, pensionerId, cancellationToken));
}
