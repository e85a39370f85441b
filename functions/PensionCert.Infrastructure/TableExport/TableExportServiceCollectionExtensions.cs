using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>Start-up wiring of the nightly table export (both hosts).</summary>
public static class TableExportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TableExporter"/> with <see cref="TableExportOptions"/> (section <c>PensionCert:TableExport</c>,
    /// connection <c>PensionCertAuditArchive</c>), validated at start-up.
    /// </summary>
    public static IServiceCollection AddTableExport(this IServiceCollection services)
    {
        services.AddOptions<TableExportOptions>()
            .BindConfiguration(TableExportOptions.SectionName)
            .Configure<IConfiguration, IOptions<StorageOptions>>((o, config, storage) =>
                o.ReadConnection(config.GetSection(TableExportOptions.ConnectionSettingName), storage.Value))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TableExportArchive>();
        services.AddSingleton<TableExporter>();
        return services;
    }
}
