// The Function App (.NET 10 isolated worker, Linux) in one of two hosting profiles, from the same settings:
//
//   FlexConsumption  global Azure: Flex Consumption (FC1), per-function scale-out, package from a blob container
//   ElasticPremium   Azure China: Elastic Premium (EP1-EP3), which no Azure China region lacks; event-driven scale
//   Dedicated        Azure China alternative: an App Service plan (P1v3-P3v3), fixed instances, no content share
//
// Every connection is identity-based and every secret is a Key Vault reference; the only key anywhere is the
// Elastic Premium content-share exception of hoststorage.bicep, itself a Key Vault reference here. Inbound: only
// through the private endpoint (the gateway's VNet); the SCM (deployment) site only from deploymentClientCidrs.
// Outbound: all traffic through the VNet, so storage, Key Vault and Service Bus are reached on their private
// endpoints.

@description('Function App name (globally unique host name).')
param name string

@description('Plan name.')
param planName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Hosting: FlexConsumption (global Azure), ElasticPremium or Dedicated (Azure China).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
  'Dedicated'
])
param hosting string

@description('Plan SKU: FC1, EP1-EP3, P1v3-P3v3.')
param planSku string

@description('Spread instances over availability zones (production; Elastic Premium and dedicated need at least 3 instances).')
param zoneRedundant bool

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Host storage account (AzureWebJobsStorage): name.')
param hostStorageName string

@description('Host storage blob endpoint (ends with /).')
param hostBlobEndpoint string

@description('Host storage queue endpoint.')
param hostQueueEndpoint string

@description('Host storage table endpoint.')
param hostTableEndpoint string

@description('Data storage blob endpoint (the app\'s photos).')
param dataBlobEndpoint string

@description('Data storage queue endpoint (verification queue).')
param dataQueueEndpoint string

@description('Data storage table endpoint (the system of record).')
param dataTableEndpoint string

@description('Blob endpoint of the audit archive (the nightly table export, PensionCertAuditArchive).')
param auditBlobEndpoint string

@description('Container of the host account the Flex Consumption platform deploys the package from.')
param deploymentContainerName string

@description('Elastic Premium content share (Azure Files) name; empty otherwise.')
param contentShareName string

@description('Key Vault secret with the content-share connection string (Elastic Premium).')
param contentShareSecretName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Telemetry authenticated with Entra ID (global Azure only).')
param entraOnlyIngestion bool

@description('Key Vault name (Key Vault references).')
param keyVaultName string

@description('Service Bus fully qualified namespace (events).')
param serviceBusNamespace string

@description('Worker runtime.')
param runtimeName string

@description('Runtime version (the project targets .NET 10: 10.0).')
param runtimeVersion string

@description('Instance ceiling: Flex maximumInstanceCount, Elastic Premium maximum burst, dedicated fixed count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready (Flex) or pre-warmed minimum (Elastic Premium) instances for HTTP.')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Always-ready instances for the verification queue function (Flex).')
@minValue(0)
param alwaysReadyVerificationInstances int

@description('Concurrent HTTP requests per instance (Flex).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Key Vault secret name of the ID-number hash key.')
param hashKeySecretName string

@description('Ids of every personal-data encryption key still needed to read stored data, e.g. [\'k1\', \'k2\']. Each is a Key Vault secret data-protection-key-<id>.')
param dataProtectionKeyIds array

@description('The key new data is encrypted with (one of dataProtectionKeyIds).')
param activeDataProtectionKeyId string

@description('Issuer (iss) of operator tokens.')
param operatorTokenIssuer string

@description('Audience (aud) of operator tokens.')
param operatorTokenAudience string

@description('OpenID Connect authority whose metadata publishes the token signing keys.')
param operatorTokenAuthority string

@description('Private network: VNet integration, inbound through the private endpoint only.')
param privateNetwork bool

@description('Subnet of the outbound VNet integration.')
param appSubnetId string

@description('Addresses (CIDR) of deployment runners allowed on the SCM site; empty = deploy from inside the VNet.')
param deploymentClientCidrs array

@description('Log Analytics workspace of the audit logs.')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

@description('Additional app settings (name -> value). Must not hold secrets: use Key Vault references.')
param extraAppSettings object

// FunctionNames.VerifyCertification: the always-ready group of the queue function is "function:<name>".
var verificationFunctionName = 'VerifyCertification'
var isFlex = hosting == 'FlexConsumption'
var isPremium = hosting == 'ElasticPremium'

var alwaysReady = concat(
  alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
  alwaysReadyVerificationInstances > 0
    ? [{ name: 'function:${verificationFunctionName}', instanceCount: alwaysReadyVerificationInstances }]
    : []
)

// The Functions host's own storage (leases, timers, keys): the host account, identity-based.
var hostStorageSettings = {
  AzureWebJobsStorage__accountName: hostStorageName
  AzureWebJobsStorage__blobServiceUri: hostBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: hostQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: hostTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// The app's data and its queue trigger (StorageOptions.DataConnectionSettingName): the data account.
var storageSettings = {
  PensionCertStorage__blobServiceUri: dataBlobEndpoint
  PensionCertStorage__queueServiceUri: dataQueueEndpoint
  PensionCertStorage__tableServiceUri: dataTableEndpoint
  PensionCertStorage__credential: 'managedidentity'
  PensionCertStorage__clientId: identityClientId
}

// Events: the Service Bus publisher (ServiceBusEventOptions), identity-based (Azure Service Bus Data Sender).
// The nightly table export's archive connection (TableExportOptions), identity-based like the data account's.
var auditArchiveSettings = {
  PensionCertAuditArchive__blobServiceUri: auditBlobEndpoint
  PensionCertAuditArchive__credential: 'managedidentity'
  PensionCertAuditArchive__clientId: identityClientId
}

var serviceBusSettings = {
  PensionCert__Events__ServiceBus__FullyQualifiedNamespace: serviceBusNamespace
  PensionCert__Events__ServiceBus__ManagedIdentityClientId: identityClientId
  PensionCert__Events__ServiceBus__TopicName: 'pensioncert-events'
}

// Telemetry: with Entra ID on global Azure; on Azure China with the connection string only (no Entra ingestion there).
var platformSettings = union(
  {
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    AZURE_CLIENT_ID: identityClientId
  },
  entraOnlyIngestion ? { APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD' } : {},
  isFlex
    ? {}
    : {
        FUNCTIONS_EXTENSION_VERSION: '~4'
        FUNCTIONS_WORKER_RUNTIME: runtimeName
        WEBSITE_RUN_FROM_PACKAGE: '1'
      }
)

// Elastic Premium content share: the documented key exception, held in Key Vault, mounted over the VNet.
var contentShareSettings = isPremium
  ? {
      WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${contentShareSecretName})'
      WEBSITE_CONTENTSHARE: contentShareName
      WEBSITE_SKIP_CONTENTSHARE_VALIDATION: '1'
      WEBSITE_CONTENTOVERVNET: '1'
    }
  : {}

// Secrets: Key Vault references resolved by the platform with keyVaultReferenceIdentity. Every data key that
// stored data may still be encrypted with stays listed; the active one encrypts new data.
var secretSettings = union(
  {
    PensionCert__Identity__HashKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${hashKeySecretName})'
  },
  toObject(
    dataProtectionKeyIds,
    id => 'PensionCert__DataProtection__Keys__${id}',
    id => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=data-protection-key-${id})'
  )
)

var applicationSettings = {
  // The Functions host checks function keys for client routes; the app checks operator bearer tokens.
  PensionCert__Auth__EnforceClientKeys: 'false'
  PensionCert__DataProtection__ActiveKeyId: activeDataProtectionKeyId
  PensionCert__OperatorAuth__Issuer: operatorTokenIssuer
  PensionCert__OperatorAuth__Audience: operatorTokenAudience
  PensionCert__OperatorAuth__Authority: operatorTokenAuthority
  // Bicep creates the containers, queues and tables; the app does not create them at start-up.
  PensionCert__Storage__CreateResources: 'false'
}

var appSettings = union(extraAppSettings, hostStorageSettings, storageSettings, auditArchiveSettings, serviceBusSettings, platformSettings, contentShareSettings, secretSettings, applicationSettings)

var publicAccess = privateNetwork && empty(deploymentClientCidrs) ? 'Disabled' : 'Enabled'
var scmRules = [
  for (cidr, i) in deploymentClientCidrs: {
    name: 'deploy-${i}'
    action: 'Allow'
    priority: 100 + i
    ipAddress: cidr
  }
]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : (isPremium ? 'elastic' : 'linux')
  sku: isFlex
    ? {
        tier: 'FlexConsumption'
        name: 'FC1'
      }
    : {
        name: planSku
        capacity: isPremium ? max(alwaysReadyHttpInstances, zoneRedundant ? 3 : 1) : max(maximumInstanceCount, zoneRedundant ? 3 : 1)
      }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
    maximumElasticWorkerCount: isPremium ? maximumInstanceCount : null
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: publicAccess
    virtualNetworkSubnetId: privateNetwork ? appSubnetId : null
    outboundVnetRouting: {
      allTraffic: privateNetwork
      contentShareTraffic: isPremium && privateNetwork
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|${runtimeVersion}'
      alwaysOn: hosting == 'Dedicated'
      functionAppScaleLimit: isPremium ? maximumInstanceCount : null
      minimumElasticInstanceCount: isPremium ? max(alwaysReadyHttpInstances, 1) : null
      // Main site: nothing from the internet; the gateway comes in through the private endpoint, which access
      // restrictions do not apply to. SCM: only the deployment runners.
      ipSecurityRestrictionsDefaultAction: privateNetwork ? 'Deny' : 'Allow'
      ipSecurityRestrictions: []
      scmIpSecurityRestrictionsUseMain: false
      scmIpSecurityRestrictionsDefaultAction: privateNetwork ? 'Deny' : 'Allow'
      scmIpSecurityRestrictions: scmRules
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: isFlex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: '${hostBlobEndpoint}${deploymentContainerName}'
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identityId
              }
            }
          }
          scaleAndConcurrency: {
            maximumInstanceCount: maximumInstanceCount
            instanceMemoryMB: instanceMemoryMB
            alwaysReady: alwaysReady
            triggers: {
              http: {
                perInstanceConcurrency: httpPerInstanceConcurrency
              }
            }
          }
          runtime: {
            name: runtimeName
            version: runtimeVersion
          }
        }
      : null
  }
}

// No publishing with user names and passwords: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Audit and operations: the app's logs (FunctionAppLogs) to Log Analytics and the immutable archive.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: site
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

@description('Function App resource id.')
output id string = site.id

@description('Function App name.')
output name string = site.name

@description('Default host name, e.g. <name>.azurewebsites.net (<name>.chinacloudsites.cn on Azure China).')
output defaultHostName string = site.properties.defaultHostName

@description('Private DNS zone of the site\'s private endpoint: privatelink. + the host name\'s domain.')
output privateDnsZoneName string = 'privatelink.${join(skip(split(site.properties.defaultHostName, '.'), 1), '.')}'
