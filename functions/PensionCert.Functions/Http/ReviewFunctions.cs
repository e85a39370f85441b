using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="ReviewApi"/> (operator routes: Anonymous here, the app checks the bearer token).</summary>
public sealed class ReviewFunctions(ReviewApi api)
{
    [Function(FunctionNames.ListReviewCases)]
    public async Task<IActionResult> ListReviewCases(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ReviewCases)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListReviewCasesAsync(request, cancellationToken));
}
