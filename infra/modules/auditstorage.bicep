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

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
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
      keySource: 'Microsoft.Storage'
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

@description('Storage account resource id (diagnostic settings storageAccountId).')
output id string = account.id

@description('Storage account name.')
output name string = account.name

@description('Blob endpoint (the app\'s PensionCertAuditArchive connection).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('The table export container.')
output tableExportsContainer string = tableExports.name
