// Key Vault (RBAC authorization, no access policies) for the app's secrets: the HMAC key that hashes ID numbers
// (PensionCert__Identity__HashKey), and the encryption key (PensionCert__DataProtection__Keys__k1) of
// personal data. The Function App reads them through Key Vault references with its managed identity
// (Key Vault Secrets User, roles.bicep). A secret is written here only when its value is passed in; otherwise
// set it once with `az keyvault secret set` (docs/deploy.md). Never regenerate the hash key: every stored lookup
// key depends on it.

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

@description('Secrets to create or update: name -> value. Empty values are skipped.')
@secure()
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
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
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for secret in filter(items(secrets), s => !empty(s.value)): {
    parent: vault
    name: secret.key
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

@description('Vault resource id.')
output id string = vault.id

@description('Vault name.')
output name string = vault.name

@description('Vault URI, e.g. https://<name>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
