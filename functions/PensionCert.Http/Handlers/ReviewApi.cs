using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Reviewer routes: the review cases of the operator's regions.</summary>
public sealed class ReviewApi(ApiPipeline pipeline, PensionerAdministrationService administration, TimeProvider timeProvider)
{
    /// <summary>
    /// GET /api/review-cases?date=yyyy-MM-dd (operator: reviewer, admin): cases opened for that China date (default
    /// today) in the operator's regions, e.g. pensioners who reached the daily limit of failed certifications.
    /// </summary>
    public Task<IResult> ListReviewCasesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListReviewCases, async caller =>
        {
            var raw = request.Query["date"].ToString();
            DateOnly day;
            if (string.IsNullOrEmpty(raw)) day = ChinaTime.Today(timeProvider);
            else if (!DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
                throw new ProblemException(ProblemTypes.InvalidDate, "date 应为 yyyy-MM-dd 格式的日期。");
            var cases = await administration.ListReviewCasesAsync(day, caller.Operator!, cancellationToken);
            return Results.Json(new ReviewCasesResponse(Date(day)!, cases.Select(c => new ReviewCaseBody(c.PensionerId, c.RegionCode, c.Reason, c.OpenedAt)).ToArray()), ApiJson.Options);
        });
}

/// <summary>Review cases of one China date.</summary>
public sealed record ReviewCasesResponse(string Date, IReadOnlyList<ReviewCaseBody> Cases);

/// <summary>One review case.</summary>
public sealed record ReviewCaseBody(string PensionerId, string RegionCode, string Reason, DateTimeOffset OpenedAt);
