using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PensionCert.Core.Definitions;

namespace PensionCert.Hosting;

/// <summary>
/// The OpenTelemetry part both hosts share: the application's ActivitySource and Meter
/// (<see cref="TelemetryNames.Source"/>), the Azure SDK's spans (storage, Service Bus) and the service name. Each host
/// adds its own instrumentation and exporter: the Functions app the worker defaults and Azure Monitor, the local host
/// ASP.NET Core and OTLP (the Aspire dashboard that ./run.sh starts).
/// </summary>
public static class PensionCertTelemetrySetup
{
    /// <summary>The Azure SDK's ActivitySources (<c>Azure.Storage.Blobs.BlobContainerClient</c>, <c>Azure.Data.Tables.TableClient</c>, …).</summary>
    public const string AzureSdkSources = "Azure.*";

    /// <summary>Registers OpenTelemetry with the application's sources; returns the builder for the host's exporter.</summary>
    public static OpenTelemetryBuilder AddPensionCertTelemetry(this IServiceCollection services, string serviceName)
    {
        // The Azure SDK creates its spans through ActivitySource only with this switch (otherwise DiagnosticSource only).
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
        return services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t => t.AddSource(TelemetryNames.Source, AzureSdkSources))
            .WithMetrics(m => m.AddMeter(TelemetryNames.Source));
    }

    /// <summary>
    /// Samples every trace except the storage polls of background listeners: a root span of the Azure SDK (a client
    /// call or HTTP request outside any operation, e.g. the queue listener's ReceiveMessages every second or a timer's
    /// lock renewal) is dropped, with its children. Everything under a request, message or timer span is kept.
    /// </summary>
    public sealed class WithoutBackgroundPolls : Sampler
    {
        /// <inheritdoc />
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            if (samplingParameters.ParentContext.TraceId != default)
                return new SamplingResult((samplingParameters.ParentContext.TraceFlags & ActivityTraceFlags.Recorded) != 0
                    ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
            var poll = samplingParameters.Kind == ActivityKind.Client || samplingParameters.Name.Contains("Client.", StringComparison.Ordinal);
            return new SamplingResult(poll ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
        }
    }
}
