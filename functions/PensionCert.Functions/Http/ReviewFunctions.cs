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

    [Function(FunctionNames.GetReviewCase)]
    public async Task<IActionResult> GetReviewCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ReviewCase)] HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetReviewCaseAsync(request, caseId, cancellationToken));

    [Function(FunctionNames.ClaimReviewCase)]
    public async Task<IActionResult> ClaimReviewCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ReviewCaseClaim)] HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ClaimReviewCaseAsync(request, caseId, cancellationToken));

    [Function(FunctionNames.ReleaseReviewCase)]
    public async Task<IActionResult> ReleaseReviewCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ReviewCaseRelease)] HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ReleaseReviewCaseAsync(request, caseId, cancellationToken));

    [Function(FunctionNames.DecideReviewCase)]
    public async Task<IActionResult> DecideReviewCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ReviewCaseDecision)] HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.DecideReviewCaseAsync(request, caseId, cancellationToken));

    [Function(FunctionNames.GetReviewCasePhoto)]
    public async Task<IActionResult> GetReviewCasePhoto(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ReviewCasePhoto)] HttpRequest request, string caseId, string kind, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetReviewCasePhotoAsync(request, caseId, kind, cancellationToken));
}
