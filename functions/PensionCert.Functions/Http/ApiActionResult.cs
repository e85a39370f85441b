using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PensionCert.Functions.Http;

/// <summary>Runs an ASP.NET Core <see cref="IResult"/> as the MVC action result the Functions integration expects.</summary>
internal sealed class ApiActionResult(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
