// Key Vault (RBAC authorization, no access policies) for the app's secrets: the HMAC key that hashes ID numbers
// (PensionCert__Identity__HashKey), the personal-data encryption keys (PensionCert__DataProtection__Keys__<id>), and
// on Elastic Premium the content-share connection string; plus, when customer-managed keys are on, the storage
// encryption key. The Function App reads the secrets through Key Vault references with its managed identity.
//
// This template never writes the hash key or a data-protection key: they are created once, by hand or by a
// pipeline step that refuses to overwrite (infra/scripts/create-secret.sh), so no redeployment can replace the hash
// key (which would orphan every enrolled pensioner) or silently bring back an old data key.

@description('Vault name (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Purge protection: a deleted vault or secret cannot be purged during the retention period (production). Cannot be turned off once on.')
param enablePurgeProtection bool

@description('Days a deleted vault or secret can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Private network: public network access disabled (private endpoint only); trusted Azure services (storage encryption with a customer-managed key) still pass.')
param privateNetwork bool

@description('Name of the storage encryption key to create (customer-managed keys); empty for none.')
param cmkKeyName string

@description('Principal id of the identity the storage account unwraps the customer-managed key with; empty for none.')
param cmkPrincipalId string

@description('Log Analytics workspace of the audit logs.')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
  }
}

// The storage encryption key: RSA 3072, rotated by Key Vault every year; storage follows the latest version
// (no version in the storage account's key reference).
resource cmkKey 'Microsoft.KeyVault/vaults/keys@2026-05-15' = if (!empty(cmkKeyName)) {
  parent: vault
  name: empty(cmkKeyName) ? 'unused' : cmkKeyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    rotationPolicy: {
      attributes: {
        expiryTime: 'P2Y'
      }
      lifetimeActions: [
        {
          action: { type: 'rotate' }
          trigger: { timeAfterCreate: 'P1Y' }
        }
        {
          action: { type: 'notify' }
          trigger: { timeBeforeExpiry: 'P30D' }
        }
      ]
    }
  }
}

// Key Vault Crypto Service Encryption User on the key only.
resource cmkAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(cmkKeyName)) {
  name: guid(cmkKey.id, cmkPrincipalId, 'e147488a-f6f5-4113-8e2d-b22465e65bf6')
  scope: cmkKey
  properties: {
    principalId: cmkPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'e147488a-f6f5-4113-8e2d-b22465e65bf6')
  }
}

// Audit: every secret read, write and failed access (AuditEvent).
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Vault resource id.')
output id string = vault.id

@description('Vault name.')
output name string = vault.name

@description('Vault URI, e.g. https://<name>.vault.azure.net/ (cloud-specific suffix).')
output uri string = vault.properties.vaultUri

@description('Resource id of the storage encryption key (empty when customer-managed keys are off).')
output cmkKeyId string = empty(cmkKeyName) ? '' : cmkKey.id

@description('Name of the storage encryption key once its access is granted (storage depends on this).')
output cmkKeyName string = empty(cmkKeyName) ? '' : last(split(cmkAccess.id, '/')) == '' ? '' : cmkKey.name
