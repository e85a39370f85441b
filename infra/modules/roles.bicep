// Role assignments, each on the narrowest resource that works, named guid(scope, principal, role) so that
// redeployments are idempotent. The GUIDs are Azure built-in role ids. No person holds a standing role here:
// secret and data access for people is just in time (docs/deploy.md, "Access for people").
//
// The app's identity:
//   data account     Blob Data Contributor on each photo container; Queue Data Contributor on the account's queues
//                    (verification and cycle-scan-items, their poison queues, the event sink); Table Data Contributor on each table except OperatorAudit; on OperatorAudit
//                    only the custom "audit appender" role (read + insert entity: no update, no delete), so the app
//                    can add audit rows but never rewrite or remove one
//   host account     Blob Data Owner, Queue and Table Data Contributor (the Functions host's leases, timers,
//                    diagnostics and the app package; no personal data there)
//   audit archive    on the table-exports container only, the custom "table export writer" role (read, create and
//                    write blobs: no delete); the account's immutability policy keeps every version written
//   Service Bus      Data Sender on the events topic only
//   Key Vault        Secrets User (Key Vault references)
//   App Insights     Monitoring Metrics Publisher (Entra ID telemetry ingestion)
// The gateway's identity reads the pages container (gateway.bicep).

@description('Principal (object) id of the Function App identity.')
param principalId string

@description('Data storage account name.')
param dataStorageName string

@description('Photo containers of the data account.')
param photoContainers array

@description('Tables of the data account.')
param tables array

@description('The operator audit table (append-only for the app).')
param auditTable string

@description('Host storage account name.')
param hostStorageName string

@description('The audit archive account (the nightly table export).')
param auditStorageName string

@description('The table export container of the audit archive.')
param tableExportsContainer string

@description('Service Bus namespace of the events topic.')
param serviceBusNamespaceName string

@description('Events topic.')
param topicName string

@description('Key Vault with the app secrets.')
param keyVaultName string

@description('Application Insights component.')
param applicationInsightsName string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The Functions host's own account: no personal data.
var hostStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

var dataTables = filter(tables, t => t != auditTable)

// Insert Entity needs entities/add/action; Update, Merge, Insert-or-Replace and Delete need update/action,
// write or delete, which this role does not have.
resource auditAppender 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'pensioncert-audit-appender')
  properties: {
    roleName: 'PensionCert audit appender (${resourceGroup().name})'
    description: 'Read and insert table entities; no update, replace or delete. For the operator audit table.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/tableServices/tables/read'
        ]
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read'
          'Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action'
        ]
        notDataActions: []
      }
    ]
  }
}

// The nightly table export: read (the manifest, the lease's blob), create and write blobs (Put Blob, Put Block, lease);
// no delete. Narrower than Storage Blob Data Contributor, which can delete.
resource tableExportWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'pensioncert-table-export-writer')
  properties: {
    roleName: 'PensionCert table export writer (${resourceGroup().name})'
    description: 'Read, create and write blobs; no delete. For the table-exports container of the audit archive.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/read'
        ]
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
        ]
        notDataActions: []
      }
    ]
  }
}

resource tableExportsResource 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' existing = {
  name: '${auditStorageName}/default/${tableExportsContainer}'
}

resource tableExportAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(tableExportsResource.id, principalId, tableExportWriter.id)
  scope: tableExportsResource
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: tableExportWriter.id
  }
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: dataStorageName
}

resource photoContainerResources 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' existing = [
  for container in photoContainers: {
    name: '${dataStorageName}/default/${container}'
  }
]

resource dataTableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-09-01' existing = [
  for table in dataTables: {
    name: '${dataStorageName}/default/${table}'
  }
]

resource auditTableResource 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-09-01' existing = {
  name: '${dataStorageName}/default/${auditTable}'
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: hostStorageName
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' existing = {
  name: '${serviceBusNamespaceName}/${topicName}'
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource photoAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in photoContainers: {
    name: guid(photoContainerResources[i].id, principalId, roles.storageBlobDataContributor)
    scope: photoContainerResources[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    }
  }
]

resource queueAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, principalId, roles.storageQueueDataContributor)
  scope: dataStorage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource tableAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (table, i) in dataTables: {
    name: guid(dataTableResources[i].id, principalId, roles.storageTableDataContributor)
    scope: dataTableResources[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    }
  }
]

resource auditAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(auditTableResource.id, principalId, auditAppender.id)
  scope: auditTableResource
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: auditAppender.id
  }
}

resource hostAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in hostStorageRoles: {
    name: guid(hostStorage.id, principalId, role)
    scope: hostStorage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, roles.serviceBusDataSender)
  scope: topic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
