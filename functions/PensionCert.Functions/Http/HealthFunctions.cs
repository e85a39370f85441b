using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="HealthApi"/>: bind the route and hand the request over.</summary>
public sealed class HealthFunctions(HealthApi api)
{
    [Function(FunctionNames.Health)]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.HealthAsync(request, cancellationToken));

    [Function(FunctionNames.OpenApi)]
    public async Task<IActionResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.OpenApiAsync(request, cancellationToken));
}
