// Key Vault (RBAC authorization, no access policies) for the app's secrets: the HMAC key that hashes ID numbers
// (PensionCert__Identity__HashKey), the personal-data encryption keys (PensionCert__DataProtection__Keys__<id>), and
// on Elastic Premium the content-share connection string; plus, when customer-managed keys are on, the storage
// encryption keys (cmkkey.bicep). The Function App reads the secrets through Key Vault references with its managed
// identity. The vault's audit log (AuditEvent) is set up by keyvaultaudit.bicep once the audit archive exists: the
// archive is encrypted with a key from this vault, so the vault comes first.
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

@description('Vault resource id.')
output id string = vault.id

@description('Vault name.')
output name string = vault.name

@description('Vault URI, e.g. https://<name>.vault.azure.net/ (cloud-specific suffix).')
output uri string = vault.properties.vaultUri
