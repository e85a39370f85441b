using System.Globalization;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Cycle;
using static PensionCert.Http.ApiRequests;

namespace PensionCert.Http;

/// <summary>Cycle exceptions (operator): pensioners the daily scan could not process, for the region's operators to fix.</summary>
public sealed class CycleExceptionsApi(ApiPipeline pipeline, CycleExceptionQueries queries)
{
    /// <summary>
    /// GET /api/regions/{regionCode}/cycle-exceptions (operator): the open cycle exceptions of the region and the regions
    /// below it, oldest first, with their count. Each is retried by every daily scan and disappears once it succeeds.
    /// </summary>
    public Task<IResult> ListCycleExceptionsAsync(HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.ListCycleExceptions, async caller =>
        {
            RequireServesRegion(caller, regionCode);
            var items = await queries.ListAsync(regionCode, cancellationToken);
            return Results.Json(new CycleExceptionsResponse(regionCode, items.Count, items.Select(x => new CycleExceptionBody(
                x.PensionerId, x.RegionCode, x.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), x.FirstFailedAt, x.LastFailedAt, x.Attempts, x.ErrorType)).ToArray()), ApiJson.Options);
        });
}

/// <summary>One cycle exception: the pensioner, the China date the scan first failed on, when, how often, and the error type.</summary>
public sealed record CycleExceptionBody(string PensionerId, string RegionCode, string DueOn, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt, int Attempts, string ErrorType);

/// <summary>The open cycle exceptions of a region.</summary>
public sealed record CycleExceptionsResponse(string RegionCode, int Count, IReadOnlyList<CycleExceptionBody> Items);
