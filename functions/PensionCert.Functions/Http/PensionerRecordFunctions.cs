using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="PensionerRecordsApi"/> (operator routes: Anonymous here, the app checks the bearer token).</summary>
public sealed class PensionerRecordFunctions(PensionerRecordsApi api)
{
    [Function(FunctionNames.RequestStatusReversal)]
    public async Task<IActionResult> RequestStatusReversal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerStatusReversals)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RequestStatusReversalAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ChangePensionerName)]
    public async Task<IActionResult> ChangePensionerName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PensionerName)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ChangePensionerNameAsync(request, pensionerId, cancellationToken));
}
