// PensionCert in one resource group: one deployment per tenant (a province or city social security bureau)
// and environment. Provision with `az deployment group create` (docs/deploy.md), then publish the app package.
//
//   identity       user-assigned managed identity the Function App runs as
//   monitoring     Log Analytics + Application Insights (Entra ID ingestion only)
//   storage        blobs (reference photos, selfies with a retention rule), queue + poison queue, tables
//   serviceBus     topic pensioncert-events with duplicate detection; subscriptions sms, wechat-alipay, payroll
//   keyVault       hash and encryption keys, operator key (Key Vault references from app settings)
//   functionApp    Flex Consumption (FC1), dotnet-isolated 10.0, identity-based settings only
//   roles          the identity's role assignments
//   alerts         poison queue, failure rate, queue age
targetScope = 'resourceGroup'

@description('Short lower-case code of the tenant (province/city bureau), e.g. gd, sh, zj-hz. Part of every resource name.')
@minLength(2)
@maxLength(8)
param tenantCode string

@description('Environment name, e.g. dev, test, prod. Part of every resource name.')
@minLength(2)
@maxLength(6)
param environmentName string

@description('Azure region of every resource; it must offer Flex Consumption. Defaults to the resource group region.')
param location string = resourceGroup().location

@description('Upper bound of Function App instances. Size it for the peak (docs/deploy.md): instances = peak verifications per second x CPU seconds per verification / cores per instance, with headroom.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance in MB (512, 2048 or 4096). The face pipeline needs 2048 (about one core and room for the four ONNX models).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the HTTP functions (0 = scale from zero, with cold starts). Billed at the always-ready rate while idle.')
@minValue(0)
param alwaysReadyHttpInstances int = 0

@description('Always-ready instances for the verification queue function (0 = scale from zero).')
@minValue(0)
param alwaysReadyVerificationInstances int = 0

@description('Concurrent HTTP requests per instance.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Storage replication (Standard_ZRS for production).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Days after upload when selfies are deleted (lifecycle rule). Longer than the review backlog of NeedsReview certifications, and as short as the retention policy of the bureau allows.')
@minValue(1)
@maxValue(3650)
param selfieRetentionDays int = 30

@description('Days deleted blobs and containers stay recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

@description('Service Bus tier.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Duplicate detection window of the events topic (ISO 8601, at most P7D).')
param duplicateDetectionWindow string = 'P1D'

@description('Time to live of undelivered events (ISO 8601).')
param eventTimeToLive string = 'P14D'

@description('Key Vault purge protection (on for production; cannot be turned off again).')
param enableKeyVaultPurgeProtection bool = true

@description('Days a deleted Key Vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteDays int = 90

@description('Optional initial value of the ID-number hash key (base64 of at least 32 random bytes). Leave empty and set the secret once by hand; never change it afterwards.')
@secure()
param identityHashKey string = ''

@description('Optional initial value of the personal-data encryption key (AES-256: base64 of 32 random bytes) with key id "k1". Leave empty and set the secret by hand.')
@secure()
param dataProtectionKey string = ''

@description('Issuer (iss) of operator tokens: the identity provider that signs them.')
param operatorTokenIssuer string

@description('Audience (aud) of operator tokens: the API\'s app id URI.')
param operatorTokenAudience string

@description('OpenID Connect authority of the identity provider; its signing keys come from {authority}/.well-known/openid-configuration.')
param operatorTokenAuthority string

@description('Optional object id of a person or pipeline allowed to set the Key Vault secrets (Key Vault Secrets Officer).')
param keyVaultOfficerPrincipalId string = ''

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Daily Log Analytics ingestion cap in GB (-1 = none).')
param logDailyQuotaGb int = -1

@description('E-mail that receives alerts (empty = none).')
param alertEmail string = ''

@description('Alert when more than this percentage of function executions fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param alertFailureRatePercent int = 5

@description('Alert when a verification message waited longer than this many seconds.')
@minValue(10)
param alertMaxQueueAgeSeconds int = 300

@description('Extra app settings (name -> value), e.g. thresholds under PensionCert__Verification__*. No secrets here.')
param extraAppSettings object = {}

// Names: <abbreviation>-pensioncert-<tenant>-<environment>, with a short hash of the resource group where the name
// must be globally unique.
var suffix = '${tenantCode}-${environmentName}'
var token = substring(uniqueString(subscription().id, resourceGroup().id, suffix), 0, 6)
var compact = toLower(replace('${tenantCode}${environmentName}', '-', ''))
var tags = {
  application: 'PensionCert'
  tenant: tenantCode
  environment: environmentName
}
var deploymentContainerName = 'app-package'
var hashKeySecretName = 'identity-hash-key'
var dataProtectionKeySecretName = 'data-protection-key-k1'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-pensioncert-${suffix}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-pensioncert-${suffix}'
    applicationInsightsName: 'appi-pensioncert-${suffix}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('stpc${compact}${token}', 24)
    location: location
    tags: tags
    skuName: storageSku
    selfieRetentionDays: selfieRetentionDays
    blobSoftDeleteDays: blobSoftDeleteDays
    deploymentContainerName: deploymentContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'serviceBus'
  params: {
    name: 'sb-pensioncert-${suffix}-${token}'
    location: location
    tags: tags
    skuName: serviceBusSku
    duplicateDetectionWindow: duplicateDetectionWindow
    messageTimeToLive: eventTimeToLive
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: take('kvpc${compact}${token}', 24)
    location: location
    tags: tags
    enablePurgeProtection: enableKeyVaultPurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteDays
    secrets: {
      '${hashKeySecretName}': identityHashKey
      '${dataProtectionKeySecretName}': dataProtectionKey
    }
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultOfficerPrincipalId: keyVaultOfficerPrincipalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: 'func-pensioncert-${suffix}-${token}'
    planName: 'plan-pensioncert-${suffix}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: keyVault.outputs.name
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    alwaysReadyVerificationInstances: alwaysReadyVerificationInstances
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    hashKeySecretName: hashKeySecretName
    dataProtectionKeySecretName: dataProtectionKeySecretName
    operatorTokenIssuer: operatorTokenIssuer
    operatorTokenAudience: operatorTokenAudience
    operatorTokenAuthority: operatorTokenAuthority
    extraAppSettings: extraAppSettings
  }
  // The site resolves Key Vault references and reaches storage with its identity from the first start.
  dependsOn: [
    roles
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'pensioncert-${suffix}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    poisonQueues: storage.outputs.poisonQueues
    verificationFunctionName: 'VerifyCertification'
    failureRatePercent: alertFailureRatePercent
    failureRateMinimumExecutions: 20
    maxQueueAgeSeconds: alertMaxQueueAgeSeconds
    alertEmail: alertEmail
  }
}

@description('Base URL of the HTTP API, e.g. https://func-pensioncert-gd-prod-abc123.azurewebsites.net/api.')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Function App name (az functionapp deployment / azd deploy).')
output functionAppName string = functionApp.outputs.name

@description('Storage account name.')
output storageAccountName string = storage.outputs.name

@description('Key Vault name (set the secrets here).')
output keyVaultName string = keyVault.outputs.name

@description('Service Bus namespace (fully qualified).')
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace

@description('Client id of the Function App identity.')
output identityClientId string = identity.outputs.clientId
