using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>Start-up wiring of the storage adapters, shared by both hosts.</summary>
public static class InfrastructureServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage clients, the Core storage ports and the event publisher. Reads the connection
    /// <c>AzureWebJobsStorage</c> (a connection string, or the identity-based <c>AzureWebJobsStorage__*</c> settings: see
    /// <see cref="StorageOptions"/>), the section <c>PensionCert:Storage</c> and <c>PensionCert:Events:ServiceBus</c>
    /// (Service Bus when configured, else the local Storage-queue sink); <c>PensionCertStorage</c> instead of
    /// <c>AzureWebJobsStorage</c> when set (a data account apart from the host's); a missing or incomplete connection fails
    /// start-up naming the setting.
    /// </summary>
    public static IServiceCollection AddPensionCertStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .Configure<IConfiguration>((o, config) => o.ReadConnection(StorageOptions.ConnectionSection(config)))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<StorageClients>();
        services.AddSingleton<TablePensionerRepository>();
        services.AddSingleton<IPensionerRepository>(sp => sp.GetRequiredService<TablePensionerRepository>());
        services.AddSingleton<ICertificationRepository, TableCertificationRepository>();
        services.AddSingleton<IIdempotencyStore, TableIdempotencyStore>();
        services.AddSingleton<IPhotoStore, BlobPhotoStore>();
        services.AddSingleton<IVerificationQueue, StorageVerificationQueue>();
        services.AddSingleton<IHealthProbe, StorageHealthCheck>();
        services.AddSingleton<Core.Audit.IAuditLog, TableAuditLog>();
        services.AddSingleton<ISelfieRetentionIndex, TableSelfieRetentionIndex>();
        services.AddSingleton<IInFlightCertificationIndex, TableInFlightCertificationIndex>();
        services.AddSingleton<Core.Review.IReviewCaseStore, TableReviewCaseStore>();
        services.AddSingleton<Core.Enrollment.IPendingEnrollmentStore, TablePendingEnrollmentStore>();
        services.AddSingleton<Core.Sessions.ICertificationSessionStore, TableCertificationSessionStore>();
        services.AddSingleton<Core.Sessions.ISessionCountStore, TableSessionCountStore>();
        services.AddSingleton<Core.Retention.IPendingPhotoUploadIndex, TablePendingPhotoUploadIndex>();
        services.AddSingleton<TableCycleStore>();
        services.AddSingleton<ICycleStore>(sp => sp.GetRequiredService<TableCycleStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<TableCycleStore>());
        services.AddSingleton<ICycleReadModel, TableCycleReadModel>();
        services.AddSingleton<ICycleExceptionStore, TableCycleExceptionStore>();
        services.AddSingleton<ICycleScanLedger, TableCycleScanLedger>();
        services.AddSingleton<ICycleScanItemQueue, StorageCycleScanItemQueue>();
        services.AddSingleton<CycleScanWorkers>();
        services.AddSingleton<Core.HomeVisits.IHomeVisitStore, TableHomeVisitStore>();
        services.AddSingleton<Core.FamilyHelpers.IFamilyHelperStore, TableFamilyHelperStore>();
        services.AddSingleton<Core.FamilyHelpers.IAssistedApprovalLog, TableAssistedApprovalLog>();
        services.AddOptions<ServiceBusEventOptions>().BindConfiguration(ServiceBusEventOptions.SectionName)
            .Validate(o => string.IsNullOrWhiteSpace(o.ConnectionString) || string.IsNullOrWhiteSpace(o.FullyQualifiedNamespace),
                $"Set either {ServiceBusEventOptions.SectionName}:ConnectionString or {ServiceBusEventOptions.SectionName}:FullyQualifiedNamespace, not both.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TopicName), $"{ServiceBusEventOptions.SectionName}:TopicName is missing.")
            .ValidateOnStart();
        services.AddSingleton<ServiceBusClients>();
        services.AddSingleton<IEventPublisher>(sp =>
            sp.GetRequiredService<IOptions<ServiceBusEventOptions>>().Value.IsConfigured
                ? new ServiceBusEventPublisher(sp.GetRequiredService<ServiceBusClients>().Sender)
                : new QueueEventPublisher(sp.GetRequiredService<StorageClients>()));
        services.AddHostedService<StorageProvisioner>();
        TableExport.TableExportServiceCollectionExtensions.AddTableExport(services);
        return services;
    }
}
