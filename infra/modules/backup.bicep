// Azure Backup (a Backup vault) of the reference photos: a daily vaulted copy of the 'reference-photos' container,
// kept retentionDays outside the storage account, so that a deleted account, a deleted container or a bad bulk
// overwrite can be undone beyond the account's own soft delete, versioning and point-in-time restore.
// The vault itself is immutable and soft-deletes backups, so a compromised operator cannot erase them.
// (Tables are not covered by Azure Backup's blob backup: see docs/deploy.md, "Data that survives mistakes".)

@description('Backup vault name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Data storage account id.')
param storageAccountId string

@description('Data storage account name.')
param storageAccountName string

@description('Containers to back up.')
param containers array

@description('Days each daily backup is kept.')
@minValue(7)
@maxValue(3650)
param retentionDays int

@description('Zone-redundant backup storage (production).')
param zoneRedundant bool

var storageAccountBackupContributor = 'e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1'

resource vault 'Microsoft.DataProtection/backupVaults@2026-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    storageSettings: [
      {
        datastoreType: 'VaultStore'
        type: zoneRedundant ? 'ZoneRedundant' : 'LocallyRedundant'
      }
    ]
    securitySettings: {
      softDeleteSettings: {
        state: 'AlwaysOn'
        retentionDurationInDays: 14
      }
      immutabilitySettings: {
        state: 'Unlocked'
      }
    }
  }
}

resource policy 'Microsoft.DataProtection/backupVaults/backupPolicies@2026-07-01' = {
  parent: vault
  name: 'reference-photos-daily'
  properties: {
    objectType: 'BackupPolicy'
    datasourceTypes: [
      'Microsoft.Storage/storageAccounts/blobServices'
    ]
    policyRules: [
      {
        name: 'BackupDaily'
        objectType: 'AzureBackupRule'
        backupParameters: {
          objectType: 'AzureBackupParams'
          backupType: 'Discrete'
        }
        dataStore: {
          dataStoreType: 'VaultStore'
          objectType: 'DataStoreInfoBase'
        }
        trigger: {
          objectType: 'ScheduleBasedTriggerContext'
          schedule: {
            // 02:00 China Standard Time, after the day's certifications.
            repeatingTimeIntervals: [
              'R/2025-01-01T18:00:00+00:00/P1D'
            ]
            timeZone: 'UTC'
          }
          taggingCriteria: [
            {
              isDefault: true
              taggingPriority: 99
              tagInfo: {
                tagName: 'Default'
              }
            }
          ]
        }
      }
      {
        name: 'Default'
        objectType: 'AzureRetentionRule'
        isDefault: true
        lifecycles: [
          {
            deleteAfter: {
              objectType: 'AbsoluteDeleteOption'
              duration: 'P${retentionDays}D'
            }
            sourceDataStore: {
              dataStoreType: 'VaultStore'
              objectType: 'DataStoreInfoBase'
            }
            targetDataStoreCopySettings: []
          }
        ]
      }
    ]
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: storageAccountName
}

resource backupRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, vault.id, storageAccountBackupContributor)
  scope: storage
  properties: {
    principalId: vault.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageAccountBackupContributor)
  }
}

resource instance 'Microsoft.DataProtection/backupVaults/backupInstances@2026-07-01' = {
  parent: vault
  name: storageAccountName
  properties: {
    objectType: 'BackupInstance'
    friendlyName: storageAccountName
    dataSourceInfo: {
      objectType: 'Datasource'
      resourceID: storageAccountId
      resourceName: storageAccountName
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceUri: storageAccountId
      resourceLocation: location
      datasourceType: 'Microsoft.Storage/storageAccounts/blobServices'
    }
    policyInfo: {
      policyId: policy.id
      policyParameters: {
        // The type library of this Bicep version lists only the auto-protection variant; the service (and the
        // Azure Backup documentation) use BlobBackupDatasourceParameters for a fixed container list.
        backupDatasourceParametersList: [
          any({
            objectType: 'BlobBackupDatasourceParameters'
            containersList: containers
          })
        ]
      }
    }
  }
  dependsOn: [
    backupRole
  ]
}

@description('Backup vault resource id.')
output id string = vault.id

@description('Backup vault name (its CanNotDelete lock).')
output name string = vault.name
