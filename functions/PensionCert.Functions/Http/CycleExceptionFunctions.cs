using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="CycleExceptionsApi"/> (operator routes: Anonymous here, the app checks the bearer token).</summary>
public sealed class CycleExceptionFunctions(CycleExceptionsApi api)
{
    [Function(FunctionNames.ListCycleExceptions)]
    public async Task<IActionResult> ListCycleExceptions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionCycleExceptions)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListCycleExceptionsAsync(request, regionCode, cancellationToken));
}
