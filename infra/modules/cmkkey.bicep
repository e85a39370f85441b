// One storage encryption key (customer-managed key) in the deployment's Key Vault, and the one identity that may
// use it: Key Vault Crypto Service Encryption User on this key only (wrap and unwrap, nothing else). main.bicep
// creates one per storage account that holds personal data: 'storage-cmk' for the data account and 'audit-cmk' for
// the audit archive, each with its own user-assigned identity, so that neither account can use the other's key and
// the data account's key can be retired (crypto-erasure at decommissioning) without making the archive unreadable
// while its retention still runs.
//
// RSA 3072, rotated by Key Vault every year; the accounts follow the latest version (no version in their key
// reference). Azure Storage requires soft delete and purge protection on the vault (main.bicep refuses
// customerManagedKey without purge protection).

@description('Name of the vault (created by keyvault.bicep).')
param vaultName string

@description('Key name, e.g. storage-cmk.')
param keyName string

@description('Principal id of the user-assigned identity the storage account unwraps this key with.')
param principalId string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

resource key 'Microsoft.KeyVault/vaults/keys@2026-05-15' = {
  parent: vault
  name: keyName
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
resource access 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(key.id, principalId, 'e147488a-f6f5-4113-8e2d-b22465e65bf6')
  scope: key
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'e147488a-f6f5-4113-8e2d-b22465e65bf6')
  }
}

@description('Resource id of the key.')
output id string = key.id

@description('Name of the key once its access is granted (a storage account that uses it depends on this).')
output name string = last(split(access.id, '/')) == '' ? '' : key.name
