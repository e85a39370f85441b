// The data storage account: everything that holds personal data or decides who gets paid. Private blob containers
// (reference photos, selfies), the verification queue and its poison queue, the tables (the system of record).
// The Functions host's own storage and the app package live in another account (hoststorage.bicep), so the
// identities and keys of the platform never touch this one. Shared-key access is off: every client uses Entra ID.
//
// Protection against mistakes: blob versioning, change feed, soft delete of blobs and containers and point-in-time
// restore of block blobs (reference photos); the tables have no point-in-time restore in Azure Storage, so they
// are exported on a schedule (docs/deploy.md, "Data that survives mistakes"). Optional customer-managed key and
// infrastructure (double) encryption, both of which only take effect when the account is created.
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

@description('Days a block blob can be restored to (point-in-time restore); 0 = off. Must be less than blobSoftDeleteDays.')
@minValue(0)
@maxValue(364)
param pointInTimeRestoreDays int

@description('Days old blob versions are kept before the lifecycle policy deletes them.')
@minValue(1)
@maxValue(3650)
param versionRetentionDays int

@description('Private network: public network access disabled; reachable only through private endpoints.')
param privateNetwork bool

@description('Infrastructure (double) encryption. Only settable when the account is created.')
param infrastructureEncryption bool

@description('Customer-managed key: Key Vault URI; empty = Microsoft-managed keys.')
param cmkKeyVaultUri string

@description('Customer-managed key name in that vault.')
param cmkKeyName string

@description('User-assigned identity that may unwrap the customer-managed key (Key Vault Crypto Service Encryption User).')
param cmkIdentityId string

@description('Log Analytics workspace of the audit logs (blob reads and writes, tables, queues).')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

// StorageNames.ReferencePhotosContainer, StorageNames.SelfiesContainer, StorageNames.SessionFramesContainer
var photoContainers = [
  'reference-photos'
  'selfies'
  'session-frames'
]

// StorageNames.SelfiesContainer: the container the retention rule applies to.
var selfiesContainer = 'selfies'

// QueueNames.Verification (the Functions host moves a message to '<queue>-poison' after maxDequeueCount attempts)
// and QueueNames.Events (the local event sink; unused when Service Bus is configured, kept so health checks pass),
// and QueueNames.CycleScanItems (the daily cycle scan's work items, worked by the ProcessCycleScanItem queue trigger).
var queues = [
  'certification-verification'
  'pensioncert-events'
  'cycle-scan-items'
]

// StorageNames: PensionersTable, PensionerIdentitiesTable, CertificationsTable, IdempotencyTable, OperatorAuditTable,
// SelfieRetentionTable, ReviewCasesTable, CycleDueIndexTable, OutboxIndexTable, RegionPensionersTable, PaymentChangesTable,
// InFlightCertificationsTable, CycleExceptionsTable, EventSinkIdsTable, CertificationSessionsTable, HomeVisitsTable, FamilyHelpersTable, AssistedApprovalsTable, CycleScanItemsTable,
// PendingPhotoUploadsTable
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
  'CertificationSessions'
  'HomeVisits'
  'FamilyHelpers'
  'AssistedApprovals'
  'CycleScanItems'
  'PendingPhotoUploads'
]

var useCmk = !empty(cmkKeyVaultUri)

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  identity: useCmk
    ? {
        type: 'UserAssigned'
        userAssignedIdentities: {
          '${cmkIdentityId}': {}
        }
      }
    : null
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
    encryption: {
      requireInfrastructureEncryption: infrastructureEncryption
      keySource: useCmk ? 'Microsoft.Keyvault' : 'Microsoft.Storage'
      keyvaultproperties: useCmk
        ? {
            keyvaulturi: cmkKeyVaultUri
            keyname: cmkKeyName
          }
        : null
      identity: useCmk
        ? {
            userAssignedIdentity: cmkIdentityId
          }
        : null
      // Account-scoped keys for tables and queues too, so the customer-managed key covers them (creation only).
      services: {
        blob: { enabled: true, keyType: 'Account' }
        file: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
        queue: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: versionRetentionDays
    }
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    restorePolicy: pointInTimeRestoreDays > 0
      ? {
          enabled: true
          days: max(pointInTimeRestoreDays, 1)
        }
      : {
          enabled: false
        }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = [
  for container in photoContainers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-09-01' = {
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
              version: {
                delete: {
                  daysAfterCreationGreaterThan: selfieRetentionDays
                }
              }
            }
          }
        }
        {
          // Action frames are deleted after the decision or by the session purge; this is the backstop.
          name: 'delete-session-frames'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'session-frames/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: 2
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 2
                }
              }
            }
          }
        }
        {
          name: 'delete-old-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: versionRetentionDays
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

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-09-01' = {
  parent: account
  name: 'default'
}

resource queueResources 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [
  for queue in flatten(map(queues, q => [q, '${q}-poison'])): {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-09-01' = {
  parent: account
  name: 'default'
}

resource tableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-09-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

// Audit: every read, write and delete of a blob (who opened which face photo), a table entity or a queue message,
// to Log Analytics (queries, alerts) and to the immutable archive (kept for the audit retention period).
var auditLogs = [
  {
    category: 'StorageRead'
    enabled: true
  }
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

// 2021-05-01-preview is the version Azure Verified Modules use for diagnostic settings; the only newer-dated
// version the linter offers (2016-09-01) is older in features.
#disable-next-line use-recent-api-versions
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logs: auditLogs
  }
}

#disable-next-line use-recent-api-versions
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: tableService
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logs: auditLogs
  }
}

// Queue write logs also feed the poison-queue alert (a PutMessage on '<queue>-poison' means a message was given up).
#disable-next-line use-recent-api-versions
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: queueService
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logs: auditLogs
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

@description('Table names (role assignments per table).')
output tables array = tables

@description('Photo container names (role assignments per container).')
output photoContainers array = photoContainers
