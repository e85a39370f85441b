// The Key Vault's audit log: every secret and key read, write and failed access (AuditEvent) to Log Analytics and
// the immutable archive. A module of its own because the archive is encrypted with a key from this vault
// (customerManagedKey): the vault and its keys come first, then the archive, then this setting.

@description('Vault name.')
param vaultName string

@description('Log Analytics workspace of the audit logs.')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

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
