// The storage account of the app and of the Functions host (AzureWebJobsStorage): private blob containers,
// the verification queue and its poison queue, the tables, and the Flex Consumption deployment container.
// Shared-key access is off: every client (the app, the Functions host, deployments) uses Entra ID.
//
// The names below must equal the C# constants (functions/PensionCert.Core/Definitions: StorageNames, QueueNames);
// tests/PensionCert.Infra.Tests compiles this template and checks that they do.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Replication: Standard_ZRS keeps serving through a zone outage (production); Standard_LRS is cheaper (development).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Days after upload when selfies (probe images) are deleted by the lifecycle policy. Keep it longer than the time operators take to review NeedsReview certifications.')
@minValue(1)
@maxValue(3650)
param selfieRetentionDays int

@description('Days deleted blobs and containers stay recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int

@description('Name of the private container the Flex Consumption platform deploys the app package from.')
param deploymentContainerName string

@description('Log Analytics workspace for queue logs (the poison-queue alert reads StorageQueueLogs); empty for none.')
param workspaceId string

// StorageNames.ReferencePhotosContainer, StorageNames.SelfiesContainer
var photoContainers = [
  'reference-photos'
  'selfies'
]

// StorageNames.SelfiesContainer: the container the retention rule applies to.
var selfiesContainer = 'selfies'

// QueueNames.Verification (the Functions host moves a message to '<queue>-poison' after maxDequeueCount attempts)
// and QueueNames.Events (the local event sink; unused when Service Bus is configured, kept so health checks pass).
var queues = [
  'certification-verification'
  'pensioncert-events'
]

// StorageNames: PensionersTable, PensionerIdentitiesTable, CertificationsTable, IdempotencyTable, OperatorAuditTable,
// SelfieRetentionTable, ReviewCasesTable, CycleDueIndexTable, OutboxIndexTable, RegionPensionersTable, PaymentChangesTable,
// InFlightCertificationsTable, CycleExceptionsTable, EventSinkIdsTable, HomeVisitsTable, FamilyHelpersTable, AssistedApprovalsTable
var tables = [
  'Pensioners'
  'PensionerIdentities'
  'Certifications'
  'IdempotencyKeys'
  'OperatorAudit'
  'SelfieRetention'
  'ReviewCases'
  'CycleDueIndex'
  'OutboxIndex'
  'RegionPensioners'
  'PaymentChanges'
  'InFlightCertifications'
  'CycleExceptions'
  'EventSinkIds'
  'HomeVisits'
  'FamilyHelpers'
  'AssistedApprovals'
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in concat(photoContainers, [deploymentContainerName]): {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-selfies-after-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${selfiesContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: selfieRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    containers
  ]
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queueResources 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queue in flatten(map(queues, q => [q, '${q}-poison'])): {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource tableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

// Queue write logs feed the poison-queue alert (a PutMessage on '<queue>-poison' means a message was given up).
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(workspaceId)) {
  name: 'queue-logs'
  scope: queueService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

@description('Storage account resource id.')
output id string = account.id

@description('Storage account name.')
output name string = account.name

@description('Blob endpoint, e.g. https://<name>.blob.core.windows.net/ (cloud-specific suffix).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table

@description('The poison queue of each queue (alerts).')
output poisonQueues array = map(queues, q => '${q}-poison')
