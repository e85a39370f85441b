using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>The pensioner's phone page at <c>/api/h5/</c> (static files, <see cref="PhonePageSite"/>).</summary>
public sealed class PhonePageFunctions(PhonePageSite site)
{
    [Function(FunctionNames.PhonePageFiles)]
    public IActionResult PhonePageFiles(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PhonePageFiles)] HttpRequest request, string? path) =>
        new ApiActionResult(site.Serve(request.HttpContext, path));
}
