using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Hosting;

namespace PensionCert.Functions;

/// <summary>
/// OpenTelemetry of the Functions app: the shared sources (<see cref="PensionCertTelemetrySetup"/>), the worker's
/// defaults (invocation spans that continue the host's trace, the Functions resource) and the Azure Monitor exporter
/// to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. With Entra ID-only ingestion
/// (<c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, infra/modules/functionapp.bicep) the exporter signs in with the
/// app's user-assigned identity (<c>AZURE_CLIENT_ID</c>). host.json sets <c>telemetryMode</c> to OpenTelemetry.
/// </summary>
internal static class FunctionsTelemetry
{
    public const string ServiceName = "pensioncert-functions";

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddPensionCertTelemetry(ServiceName).UseFunctionsWorkerDefaults();
        if (string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"])) return;
        var entraOnly = !string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        var clientId = configuration["AZURE_CLIENT_ID"];
        otel.UseAzureMonitorExporter(o =>
        {
            o.ConnectionString = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
            if (entraOnly)
                o.Credential = string.IsNullOrWhiteSpace(clientId)
                    ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                    : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        });
    }
}
