using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PensionCert.Core.Definitions;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// The long-lived SDK clients for every container, queue and table, created once per process
/// (Azure SDK guidance: clients are thread-safe singletons).
/// </summary>
public sealed class StorageClients
{
    /// <summary>
    /// Builds the clients from <see cref="StorageOptions"/>: from the connection string when there is one, else from
    /// the service URIs with the token credential of <see cref="StorageCredentials.Create"/>.
    /// </summary>
    public StorageClients(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        void Retry(RetryOptions r)
        {
            r.MaxRetries = o.MaxRetries;
            r.Mode = RetryMode.Exponential;
            r.Delay = TimeSpan.FromMilliseconds(200);
            r.MaxDelay = TimeSpan.FromSeconds(4);
            r.NetworkTimeout = TimeSpan.FromSeconds(30);
        }

        var blobOptions = new BlobClientOptions();
        Retry(blobOptions.Retry);
        blobOptions.AddPolicy(Calls, HttpPipelinePosition.PerRetry);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncodingSetting };
        Retry(queueOptions.Retry);
        queueOptions.AddPolicy(Calls, HttpPipelinePosition.PerRetry);
        var tableOptions = new TableClientOptions();
        Retry(tableOptions.Retry);
        tableOptions.AddPolicy(Calls, HttpPipelinePosition.PerRetry);

        BlobServiceClient blobs;
        QueueServiceClient queues;
        TableServiceClient tables;
        if (o.UsesConnectionString)
        {
            blobs = new BlobServiceClient(o.ConnectionString, blobOptions);
            queues = new QueueServiceClient(o.ConnectionString, queueOptions);
            tables = new TableServiceClient(o.ConnectionString, tableOptions);
        }
        else
        {
            // Identity-based: one credential (and so one token cache) shared by the three clients.
            var credential = StorageCredentials.Create(o);
            blobs = new BlobServiceClient(o.ResolvedBlobServiceUri, credential, blobOptions);
            queues = new QueueServiceClient(o.ResolvedQueueServiceUri, credential, queueOptions);
            tables = new TableServiceClient(o.ResolvedTableServiceUri, credential, tableOptions);
        }
        BlobService = blobs;
        QueueService = queues;
        TableService = tables;
        References = blobs.GetBlobContainerClient(StorageNames.ReferencePhotosContainer);
        Selfies = blobs.GetBlobContainerClient(StorageNames.SelfiesContainer);
        SessionFrames = blobs.GetBlobContainerClient(StorageNames.SessionFramesContainer);
        CertificationSessions = tables.GetTableClient(StorageNames.CertificationSessionsTable);
        VerificationQueue = queues.GetQueueClient(QueueNames.Verification);
        // The local event sink is read by people and tests, not by a trigger: plain JSON text, no Base64.
        var sinkOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        Retry(sinkOptions.Retry);
        sinkOptions.AddPolicy(Calls, HttpPipelinePosition.PerRetry);
        var sinkQueues = o.UsesConnectionString
            ? new QueueServiceClient(o.ConnectionString, sinkOptions)
            : new QueueServiceClient(o.ResolvedQueueServiceUri, StorageCredentials.Create(o), sinkOptions);
        EventSinkQueue = sinkQueues.GetQueueClient(QueueNames.Events);
        Pensioners = tables.GetTableClient(StorageNames.PensionersTable);
        PensionerIdentities = tables.GetTableClient(StorageNames.PensionerIdentitiesTable);
        Certifications = tables.GetTableClient(StorageNames.CertificationsTable);
        IdempotencyKeys = tables.GetTableClient(StorageNames.IdempotencyTable);
        OperatorAudit = tables.GetTableClient(StorageNames.OperatorAuditTable);
        SelfieRetention = tables.GetTableClient(StorageNames.SelfieRetentionTable);
        ReviewCases = tables.GetTableClient(StorageNames.ReviewCasesTable);
        CycleDueIndex = tables.GetTableClient(StorageNames.CycleDueIndexTable);
        OutboxIndex = tables.GetTableClient(StorageNames.OutboxIndexTable);
        RegionPensioners = tables.GetTableClient(StorageNames.RegionPensionersTable);
        PaymentChanges = tables.GetTableClient(StorageNames.PaymentChangesTable);
        InFlightCertifications = tables.GetTableClient(StorageNames.InFlightCertificationsTable);
        CycleExceptions = tables.GetTableClient(StorageNames.CycleExceptionsTable);
        EventSinkIds = tables.GetTableClient(StorageNames.EventSinkIdsTable);
        VerificationPoisonQueue = queues.GetQueueClient(QueueNames.VerificationPoison);
        CycleScanItemsQueue = queues.GetQueueClient(QueueNames.CycleScanItems);
        CycleScanItemsPoisonQueue = queues.GetQueueClient(QueueNames.CycleScanItemsPoison);
        CycleScanItems = tables.GetTableClient(StorageNames.CycleScanItemsTable);
        HomeVisits = tables.GetTableClient(StorageNames.HomeVisitsTable);
        FamilyHelpers = tables.GetTableClient(StorageNames.FamilyHelpersTable);
        AssistedApprovals = tables.GetTableClient(StorageNames.AssistedApprovalsTable);
        PendingPhotoUploads = tables.GetTableClient(StorageNames.PendingPhotoUploadsTable);
    }

    /// <summary>
    /// Queue message encoding shared by the producer and both hosts' queue triggers: Base64 (the Functions host's
    /// default for Storage queues, host.json <c>extensions.queues.messageEncoding</c>).
    /// </summary>
    public const QueueMessageEncoding QueueMessageEncodingSetting = QueueMessageEncoding.Base64;

    /// <summary>Counts every request these clients send (<see cref="StorageCallCounter"/>).</summary>
    public StorageCallCounter Calls { get; } = new();

    /// <summary>The data account's Blob service (health check: one listing of the containers).</summary>
    public BlobServiceClient BlobService { get; }
    /// <summary>The data account's Queue service.</summary>
    public QueueServiceClient QueueService { get; }
    /// <summary>The data account's Table service.</summary>
    public TableServiceClient TableService { get; }

    public BlobContainerClient References { get; }
    public BlobContainerClient Selfies { get; }
    public BlobContainerClient SessionFrames { get; }
    public TableClient CertificationSessions { get; }
    public QueueClient VerificationQueue { get; }
    public TableClient Pensioners { get; }
    public TableClient PensionerIdentities { get; }
    public TableClient Certifications { get; }
    public TableClient IdempotencyKeys { get; }
    public TableClient OperatorAudit { get; }
    public TableClient SelfieRetention { get; }
    public TableClient ReviewCases { get; }
    public TableClient CycleDueIndex { get; }
    public TableClient OutboxIndex { get; }
    public TableClient RegionPensioners { get; }
    public TableClient PaymentChanges { get; }
    public TableClient InFlightCertifications { get; }
    public TableClient CycleExceptions { get; }
    /// <summary>Event ids the local sink accepted (its duplicate detection).</summary>
    public TableClient EventSinkIds { get; }
    /// <summary>The verification poison queue (<see cref="QueueNames.VerificationPoison"/>), same encoding as the verification queue.</summary>
    public QueueClient VerificationPoisonQueue { get; }
    /// <summary>The cycle work-item queue (<see cref="QueueNames.CycleScanItems"/>), same encoding as the verification queue.</summary>
    public QueueClient CycleScanItemsQueue { get; }
    /// <summary>Its poison queue (<see cref="QueueNames.CycleScanItemsPoison"/>).</summary>
    public QueueClient CycleScanItemsPoisonQueue { get; }
    /// <summary>The cycle work-item ledger.</summary>
    public TableClient CycleScanItems { get; }
    public TableClient HomeVisits { get; }
    public TableClient FamilyHelpers { get; }
    public TableClient AssistedApprovals { get; }
    public TableClient PendingPhotoUploads { get; }
    /// <summary>The local event sink queue (<see cref="QueueNames.Events"/>), message encoding none.</summary>
    public QueueClient EventSinkQueue { get; }

    /// <summary>The container client for a photo container.</summary>
    public BlobContainerClient Container(PhotoContainer container) =>
        container switch
        {
            PhotoContainer.References => References,
            PhotoContainer.SessionFrames => SessionFrames,
            _ => Selfies,
        };

    /// <summary>Every table, for provisioning and health checks.</summary>
    public IReadOnlyList<TableClient> Tables => [Pensioners, PensionerIdentities, Certifications, IdempotencyKeys, OperatorAudit, SelfieRetention, ReviewCases, CycleDueIndex, OutboxIndex, RegionPensioners, PaymentChanges, InFlightCertifications, CycleExceptions, EventSinkIds, CertificationSessions, HomeVisits, FamilyHelpers, AssistedApprovals, CycleScanItems, PendingPhotoUploads];

    /// <summary>Every container.</summary>
    public IReadOnlyList<BlobContainerClient> Containers => [References, Selfies, SessionFrames];

    /// <summary>Every queue.</summary>
    public IReadOnlyList<QueueClient> Queues => [VerificationQueue, VerificationPoisonQueue, EventSinkQueue, CycleScanItemsQueue, CycleScanItemsPoisonQueue];
}
