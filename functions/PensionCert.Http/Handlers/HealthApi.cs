using Microsoft.AspNetCore.Http;
using PensionCert.Core.Storage;

namespace PensionCert.Http;

/// <summary>Anonymous service routes: the health probe and the OpenAPI document.</summary>
public sealed class HealthApi(ApiPipeline pipeline, HealthReportCache health)
{
    /// <summary>
    /// GET /api/health: 200 when storage answers and the models are loaded; otherwise 503 listing what is missing.
    /// Served from <see cref="HealthReportCache"/>: checked at most once per <see cref="HealthOptions.CacheSeconds"/>.
    /// </summary>
    public Task<IResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.Health, async () =>
        {
            var report = await health.GetAsync(cancellationToken);
            var body = new HealthResponse(report.IsHealthy ? "Healthy" : "Unhealthy", report.Missing);
            return Results.Json(body, ApiJson.Options, statusCode: report.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

    /// <summary>GET /api/openapi.json (anonymous): the checked-in OpenAPI 3 document (<see cref="OpenApiContract"/>).</summary>
    public Task<IResult> OpenApiAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.OpenApi, _ =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Results.Bytes(OpenApiContract.Utf8Json, OpenApiContract.ContentType));
        });
}

/// <summary>Health response.</summary>
public sealed record HealthResponse(string Status, IReadOnlyList<string> Missing);
