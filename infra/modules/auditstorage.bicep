// The immutable audit archive: every diagnostic setting of the deployment (blob reads and writes of the photo
// containers, tables, queues, Key Vault, Service Bus, the Function App, the gateway) writes here as well as to
// Log Analytics. An account-level immutability policy (WORM, with versioning) keeps every log blob for at least
// retentionDays: nobody, the deployment's own identities and the subscription owner included, can change or delete
// it before then; Azure Monitor may only append (allowProtectedAppendWrites). Locked in production: a locked policy
// can be extended but never shortened or removed.
//
// Network: Azure Monitor writes here as a trusted Microsoft service, so public network access stays 'Enabled' with
// the firewall denying everything (no IP or VNet rules) and only trusted services bypassing it. The app writes the
// nightly table export (container table-exports) through a private endpoint (main.bicep, 'audit-blob') when the
// network is private; without a private network (dev) the firewall allows it.
//
// The nightly table export: container table-exports, under the same account-level immutability policy (each blob
// version is kept unaltered for retentionDays; an overwrite only adds a version). The app's identity holds a
// create-and-read role on that container alone (roles.bicep): no delete, no other container.
//
// Encryption: infrastructure (double) encryption, and with customerManagedKey the archive's own key 'audit-cmk'
// (cmkkey.bicep) unwrapped by its own identity, like the data account with 'storage-cmk'. Unlike infrastructure
// encryption, the customer-managed key can also be turned on for an archive created without it. Reads, writes and
// deletes of the archive itself (who read a table export or a log) go to Log Analytics: not to the archive, which
// would log its own writes in a loop.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region (diagnostic settings require the same region as the source).')
param location string

@description('Resource tags.')
param tags object

@description('Replication (Standard_ZRS in production).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Days every audit log stays immutable and kept (China\'s Cybersecurity Law, Art. 21: at least six months).')
@minValue(180)
@maxValue(3650)
param retentionDays int

@description('Lock the immutability policy (production). Irreversible: the period can then only be extended.')
param lockImmutability bool

@description('Infrastructure (double) encryption (only when the account is created).')
param infrastructureEncryption bool

@description('Container of the nightly table export (StorageNames.TableExportsContainer).')
param tableExportsContainer string

@description('Private network: the firewall denies all but trusted services and private endpoints; else it allows (dev).')
param privateNetwork bool

@description('Customer-managed key: Key Vault URI; empty = Microsoft-managed keys.')
param cmkKeyVaultUri string

@description('Customer-managed key name in that vault (the archive\'s own key).')
param cmkKeyName string

@description('User-assigned identity that may unwrap the archive\'s key (Key Vault Crypto Service Encryption User on it).')
param cmkIdentityId string

@description('Log Analytics workspace: reads, writes and deletes of the archive itself.')
param workspaceId string

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
    accessTier: 'Cool'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
    immutableStorageWithVersioning: {
      enabled: true
      immutabilityPolicy: {
        immutabilityPeriodSinceCreationInDays: retentionDays
        state: lockImmutability ? 'Locked' : 'Unlocked'
        allowProtectedAppendWrites: true
      }
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
      // Blob (the logs and the exports) and file; the archive has no tables or queues. The key types are fixed when
      // the account is created, so they stay as they were.
      services: {
        blob: { enabled: true, keyType: 'Account' }
        file: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
  }
}

resource tableExports 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobService
  name: tableExportsContainer
  properties: {
    publicAccess: 'None'
  }
}

// Logs are deleted the day after their immutability ends (append blobs cannot be tiered, only deleted).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-09-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-after-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'appendBlob'
                'blockBlob'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: retentionDays + 1
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: retentionDays + 1
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    blobService
  ]
}

// Who read, wrote or tried to delete an archived log or table export: to Log Analytics (logRetentionDays, at least
// 180 days in production). Not to the archive itself: each of its writes would be logged into it again.
#disable-next-line use-recent-api-versions
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: [
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
  }
}

@description('Storage account resource id (diagnostic settings storageAccountId).')
output id string = account.id

@description('Storage account name.')
output name string = account.name

@description('Blob endpoint (the app\'s PensionCertAuditArchive connection).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('The table export container.')
output tableExportsContainer string = tableExports.name
