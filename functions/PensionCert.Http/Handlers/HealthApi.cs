using Microsoft.AspNetCore.Http;
using PensionCert.Core.Storage;

namespace PensionCert.Http;

/// <summary>Anonymous service routes: the health probe and the OpenAPI document.</summary>
public sealed class HealthApi(ApiPipeline pipeline, IEnumerable<IHealthProbe> healthProbes)
{
    /// <summary>GET /api/health: 200 when storage answers and the models are loaded; otherwise 503 listing what is missing.</summary>
    public Task<IResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, HttpEndpoints.Health, async () =>
        {
            var missing = (await Task.WhenAll(healthProbes.Select(p => p.CheckAsync(cancellationToken)))).SelectMany(m => m).ToArray();
            var body = new HealthResponse(missing.Length == 0 ? "Healthy" : "Unhealthy", missing);
            return Results.Json(body, ApiJson.Options, statusCode: missing.Length == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
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
