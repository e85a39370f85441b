// The host storage account: what the platform needs, and no personal data. The Functions host's own state
// (AzureWebJobsStorage: leases, timer schedules, keys), the app package Flex Consumption deploys from, the static
// pages (container 'web': /h5/ and /console/, served through the gateway), and on Elastic Premium the content
// file share. Kept apart from the data account so that neither the platform's identities nor the one storage key
// Elastic Premium may need (below) ever reach a face photo or a table.
//
// The Elastic Premium exception: the content share of an Elastic Premium app is an Azure Files share, which the
// platform mounts with an account key only (Azure Files has no managed-identity mount for it). When
// contentShareName is set, this account allows shared-key access, and its connection string is written to Key Vault
// (secret contentShareSecretName) and read by the app through a Key Vault reference: the key exists in no app
// setting, no parameter file and no deployment output. Flex Consumption and dedicated plans do not need it.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
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

@description('Private network: public network access disabled; reachable only through private endpoints.')
param privateNetwork bool

@description('Addresses (CIDR) of the deployment runners allowed to upload the app package and the pages; empty = only from the VNet.')
param deploymentClientCidrs array

@description('Infrastructure (double) encryption (only when the account is created).')
param infrastructureEncryption bool

@description('Container the Flex Consumption platform deploys the app package from.')
param deploymentContainerName string

@description('Container of the static pages (/h5/, /console/).')
param webContainerName string

@description('Elastic Premium content share name; empty for none (Flex Consumption, dedicated plans).')
param contentShareName string

@description('Key Vault that receives the content-share connection string (Elastic Premium only).')
param keyVaultName string

@description('Secret name of the content-share connection string.')
param contentShareSecretName string

@description('Log Analytics workspace (writes and deletes of the package and pages are audited).')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

var needsKey = !empty(contentShareName)
var publicAccess = privateNetwork && empty(deploymentClientCidrs) ? 'Disabled' : 'Enabled'

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: needsKey
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicAccess
    networkAcls: {
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [for cidr in deploymentClientCidrs: { value: cidr, action: 'Allow' }]
      virtualNetworkRules: []
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
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = [
  for container in [deploymentContainerName, webContainerName]: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2026-09-01' = if (needsKey) {
  parent: account
  name: 'default'
}

// Created here because WEBSITE_SKIP_CONTENTSHARE_VALIDATION=1 (required with a Key Vault reference) makes the
// platform assume it exists.
resource contentShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2026-09-01' = if (needsKey) {
  parent: fileService
  name: needsKey ? contentShareName : 'unused'
  properties: {
    shareQuota: 100
  }
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource contentShareSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (needsKey) {
  parent: vault
  name: contentShareSecretName
  properties: {
    contentType: 'text/plain'
    value: 'DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${account.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

#disable-next-line use-recent-api-versions
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
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

@description('Blob endpoint (ends with /).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table
