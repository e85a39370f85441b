using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Start-up wiring of the storage adapters, shared by both hosts.</summary>
public static class InfrastructureServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage clients and the Core storage ports. Reads the connection <c>AzureWebJobsStorage</c>
    /// (a connection string, or the identity-based <c>AzureWebJobsStorage__*</c> settings: see
    /// <see cref="StorageOptions"/>) and the section <c>PensionCert:Storage</c>; a missing or incomplete connection
    /// fails start-up naming the setting.
    /// </summary>
    public static IServiceCollection AddPensionCertStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .Configure<IConfiguration>((o, config) => o.ReadConnection(config.GetSection(StorageOptions.ConnectionSettingName)))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<StorageClients>();
        services.AddSingleton<IPensionerRepository, TablePensionerRepository>();
        services.AddSingleton<ICertificationRepository, TableCertificationRepository>();
        services.AddSingleton<IIdempotencyStore, TableIdempotencyStore>();
        services.AddSingleton<IPhotoStore, BlobPhotoStore>();
        services.AddSingleton<IVerificationQueue, StorageVerificationQueue>();
        services.AddSingleton<IHealthProbe, StorageHealthCheck>();
        services.AddSingleton<Core.Audit.IAuditLog, TableAuditLog>();
        services.AddSingleton<ISelfieRetentionIndex, TableSelfieRetentionIndex>();
        services.AddSingleton<IReviewCaseStore, TableReviewCaseStore>();
        services.AddHostedService<StorageProvisioner>();
        return services;
    }
}
