// The Function App on the Flex Consumption plan (FC1, Linux), .NET 10 isolated worker, running as the
// user-assigned identity. Every connection is identity-based and every secret is a Key Vault reference:
// the app settings hold no connection string and no key.

@description('Function App name (globally unique host name <name>.azurewebsites.net).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region (one that offers Flex Consumption).')
param location string

@description('Resource tags.')
param tags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account name (AzureWebJobsStorage).')
param storageAccountName string

@description('Blob endpoint of the storage account (ends with /).')
param blobEndpoint string

@description('Queue endpoint of the storage account.')
param queueEndpoint string

@description('Table endpoint of the storage account.')
param tableEndpoint string

@description('Private blob container the platform deploys the package from.')
param deploymentContainerName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Key Vault name (Key Vault references).')
param keyVaultName string

@description('Service Bus fully qualified namespace (events).')
param serviceBusNamespace string

@description('Worker runtime of functionAppConfig.runtime.')
param runtimeName string

@description('Runtime version (the project targets .NET 10: 10.0). The Bicep type is a free string; the platform rejects versions it does not offer.')
param runtimeVersion string

@description('Upper bound of instances the platform scales out to (the peak-season knob; also the cost ceiling).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB; CPU grows with it (2048 MB is about one core).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready instances for the HTTP functions (no cold start for the first requests); 0 for none. Billed while idle.')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Always-ready instances for the verification queue function; 0 for none. Billed while idle.')
@minValue(0)
param alwaysReadyVerificationInstances int

@description('Concurrent HTTP requests per instance (Flex Consumption default: 16 at 2048 MB).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Key Vault secret name of the ID-number hash key.')
param hashKeySecretName string

@description('Key Vault secret name of the personal-data encryption key with key id k1 (PensionCert:DataProtection:Keys:k1). To rotate, add a k2 secret and setting and switch ActiveKeyId.')
param dataProtectionKeySecretName string

@description('Issuer (iss) of operator tokens.')
param operatorTokenIssuer string

@description('Audience (aud) of operator tokens.')
param operatorTokenAudience string

@description('OpenID Connect authority whose metadata publishes the token signing keys.')
param operatorTokenAuthority string

@description('Additional app settings (name -> value), e.g. PensionCert__Verification__AcceptThreshold. Must not hold secrets: use Key Vault references.')
param extraAppSettings object

// FunctionNames.VerifyCertification: the always-ready group of the queue function is "function:<name>".
var verificationFunctionName = 'VerifyCertification'

var alwaysReady = concat(
  alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
  alwaysReadyVerificationInstances > 0
    ? [{ name: 'function:${verificationFunctionName}', instanceCount: alwaysReadyVerificationInstances }]
    : []
)

// Identity-based connections (the names the Functions host and the app read; see StorageOptions).
var storageSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// Events: the Service Bus publisher (ServiceBusEventOptions, section PensionCert:Events:ServiceBus), identity-based
// with the user-assigned identity (Azure Service Bus Data Sender).
var serviceBusSettings = {
  PensionCert__Events__ServiceBus__FullyQualifiedNamespace: serviceBusNamespace
  PensionCert__Events__ServiceBus__ManagedIdentityClientId: identityClientId
  PensionCert__Events__ServiceBus__TopicName: 'pensioncert-events'
}

// Telemetry with Entra ID (local auth is off on Application Insights); AZURE_CLIENT_ID makes every
// DefaultAzureCredential in the process pick the user-assigned identity.
var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
}

// Secrets: Key Vault references resolved by the platform with keyVaultReferenceIdentity.
var secretSettings = {
  PensionCert__Identity__HashKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${hashKeySecretName})'
  PensionCert__DataProtection__Keys__k1: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${dataProtectionKeySecretName})'
}

var applicationSettings = {
  // The Functions host checks function keys for client routes; the app checks operator bearer tokens.
  PensionCert__Auth__EnforceClientKeys: 'false'
  PensionCert__DataProtection__ActiveKeyId: 'k1'
  PensionCert__OperatorAuth__Issuer: operatorTokenIssuer
  PensionCert__OperatorAuth__Audience: operatorTokenAudience
  PensionCert__OperatorAuth__Authority: operatorTokenAuthority
  // Bicep creates the containers, queues and tables; the app does not create them at start-up.
  PensionCert__Storage__CreateResources: 'false'
}

var appSettings = union(extraAppSettings, storageSettings, serviceBusSettings, platformSettings, secretSettings, applicationSettings)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
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
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
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
  }
}

// No publishing with user names and passwords: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Function App resource id.')
output id string = site.id

@description('Function App name.')
output name string = site.name

@description('Default host name, e.g. <name>.azurewebsites.net.')
output defaultHostName string = site.properties.defaultHostName
