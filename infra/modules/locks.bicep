// CanNotDelete locks on what must survive a mistaken delete: the data account (the system of record and the
// reference photos), the audit archive, Key Vault (the hash key) and Service Bus. Removing a lock needs
// Microsoft.Authorization/locks/delete (Owner or User Access Administrator), which nobody holds standing.

@description('Data storage account name.')
param dataStorageName string

@description('Audit archive storage account name.')
param auditStorageName string

@description('Key Vault name.')
param keyVaultName string

@description('Service Bus namespace name.')
param serviceBusName string

resource dataStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: dataStorageName
}

resource auditStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: auditStorageName
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusName
}

var notes = 'PensionCert: deleting this resource loses pensioners\' records, photos, keys or audit trails. See docs/deploy.md.'

resource dataLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: dataStorage
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource auditLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: auditStorage
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource vaultLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: vault
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource serviceBusLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: serviceBus
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}
