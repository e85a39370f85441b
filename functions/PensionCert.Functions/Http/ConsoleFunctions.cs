using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http.Console;

namespace PensionCert.Functions.Http;

/// <summary>
/// The operator console's static files (<see cref="ConsoleSite"/>), under the route prefix: <c>/api/console/</c>
/// (the Functions host puts every HTTP function under it). In Azure the console is also hosted as a static site
/// (infra/); the page finds the API through its <c>config.json</c> either way.
/// </summary>
public sealed class ConsoleFunctions(ConsoleSite site)
{
    [Function(FunctionNames.ConsoleFiles)]
    public IActionResult ConsoleFiles(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleFiles)] HttpRequest request, string? path) =>
        new ApiActionResult(site.Serve(request.HttpContext, path));
}
