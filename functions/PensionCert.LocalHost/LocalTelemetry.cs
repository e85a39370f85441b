using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;
using PensionCert.Hosting;

namespace PensionCert.LocalHost;

/// <summary>
/// OpenTelemetry of the local host: the shared sources (<see cref="PensionCertTelemetrySetup"/>), ASP.NET Core request
/// spans for the API (not the console's and phone page's static files), the storage polls of the listeners left out
/// (<see cref="PensionCertTelemetrySetup.WithoutBackgroundPolls"/>), and OTLP export only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (./run.sh sets it to the Aspire dashboard it starts; tests need no
/// collector). Request spans always exist, so problem+json <c>traceId</c> is a W3C trace id either way.
/// </summary>
public static class LocalTelemetry
{
    /// <summary>The service name the dashboard shows.</summary>
    public const string ServiceName = "pensioncert-localhost";

    /// <summary>The setting that turns the OTLP exporter on (standard OpenTelemetry variable).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registers the local host's telemetry; returns the builder so tests can add an in-memory exporter.</summary>
    public static OpenTelemetryBuilder Add(WebApplicationBuilder builder, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var apiPrefix = new PathString("/" + routePrefix);
        var otel = builder.Services.AddPensionCertTelemetry(ServiceName)
            .WithTracing(t => t
                .SetSampler(new PensionCertTelemetrySetup.WithoutBackgroundPolls())
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path.StartsWithSegments(apiPrefix)));
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting])) otel.UseOtlpExporter();
        return otel;
    }
}
