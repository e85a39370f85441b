// CanNotDelete locks on what must survive a mistaken delete: the data account (the system of record and the
// reference photos), the audit archive, Key Vault (the hash key and the storage encryption keys), Service Bus, the
// Log Analytics workspace (the only copy of the app's telemetry, kept six months) and the backup vault (when
// backups are on). Removing a lock needs
// Microsoft.Authorization/locks/delete (Owner or User Access Administrator), which nobody holds standing.

@description('Data storage account name.')
param dataStorageName string

@description('Audit archive storage account name.')
param auditStorageName string

@description('Key Vault name.')
param keyVaultName string

@description('Service Bus namespace name.')
param serviceBusName string

@description('Log Analytics workspace name.')
param workspaceName string

@description('Backup vault name; empty when backups are off.')
param backupVaultName string

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

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' existing = {
  name: workspaceName
}

resource workspaceLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: workspace
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource backupVault 'Microsoft.DataProtection/backupVaults@2026-07-01' existing = if (!empty(backupVaultName)) {
  name: empty(backupVaultName) ? 'unused' : backupVaultName
}

resource backupVaultLock 'Microsoft.Authorization/locks@2020-05-01' = if (!empty(backupVaultName)) {
  name: 'do-not-delete'
  scope: backupVault
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}
