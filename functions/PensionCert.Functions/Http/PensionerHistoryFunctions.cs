using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="PensionerHistoryApi"/> (operator routes: Anonymous here, the app checks the bearer token).</summary>
public sealed class PensionerHistoryFunctions(PensionerHistoryApi api)
{
    [Function(FunctionNames.LookupPensioner)]
    public async Task<IActionResult> LookupPensioner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerLookups)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.LookupAsync(request, cancellationToken));

    [Function(FunctionNames.GetPensionerHistory)]
    public async Task<IActionResult> GetPensionerHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PensionerHistory)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetHistoryAsync(request, pensionerId, cancellationToken));
}
