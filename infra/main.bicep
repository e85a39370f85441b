// PensionCert in one resource group: one deployment per tenant (a province or city social security bureau)
// and environment. Provision with `az deployment group create` (docs/deploy.md), then publish the app package.
//
// Two hosting profiles from this one template (parameter hostingProfile):
//   FlexConsumption  global Azure: Flex Consumption, API Management StandardV2, Entra ID-only telemetry ingestion
//   AzureChina       Azure operated by 21Vianet (chinanorth3, chinaeast3, ...): Elastic Premium (or a dedicated
//                    plan), API Management Premium/Developer, telemetry by connection string
// Every endpoint comes from environment() or from the resources themselves: no cloud's host names are written here.
//
//   identity       user-assigned managed identities: the app's, and one per storage encryption key (CMK)
//   monitoring     Log Analytics + Application Insights
//   network        VNet: app integration, private endpoints, gateway subnets (privateNetwork)
//   keyVault       secrets (created once, never by this template); *CmkKey: the storage encryption keys
//   auditStorage   immutable archive of every diagnostic log and the nightly table export (WORM, auditRetentionDays),
//                  encrypted with its own key; keyVaultAudit: the vault's audit log, once the archive exists
//   storage        data account: photos, queue, tables (the system of record); versioning, restore, audit logs
//   hostStorage    the Functions host's account, the app package and the static pages (/h5/, /console/)
//   serviceBus     topic pensioncert-events with duplicate detection; subscriptions sms, wechat-alipay, payroll
//   functionApp    the Function App in the chosen hosting profile, private inbound, VNet outbound
//   gateway        API Management: the only public entry; rate limits, quotas, bureau-only operator routes
//   dns / *Pe      private DNS zones and private endpoints
//   roles          least-privilege role assignments of the app's identity
//   backup         Azure Backup of the reference photos
//   alerts         alerts on the app's metrics and the platform; workbook: the season's view
targetScope = 'resourceGroup'

@description('Short lower-case code of the tenant (province/city bureau), e.g. gd, sh, zj-hz. Part of every resource name.')
@minLength(2)
@maxLength(8)
param tenantCode string

@description('Environment name, e.g. dev, test, prod. Part of every resource name. "prod" turns on the production posture checks.')
@minLength(2)
@maxLength(6)
param environmentName string

@description('Azure region of every resource. Defaults to the resource group region (global: one that offers Flex Consumption; Azure China: e.g. chinanorth3).')
param location string = resourceGroup().location

@description('Hosting profile: FlexConsumption (global Azure) or AzureChina (Elastic Premium or dedicated plan; see chinaPlanSku).')
@allowed([
  'FlexConsumption'
  'AzureChina'
])
param hostingProfile string = 'FlexConsumption'

@description('Plan of the AzureChina profile: EP1-EP3 (Elastic Premium, event-driven scale) or P1v3-P3v3 (dedicated, fixed instances, no content share key).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
  'P1v3'
  'P2v3'
  'P3v3'
])
param chinaPlanSku string = 'EP1'

@description('Instance ceiling (docs/deploy.md, "Sizing"). Flex: maximumInstanceCount, all Flex apps of a subscription and region share a 250-core quota; Elastic Premium: maximum burst; dedicated: instance count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 20

@description('Flex Consumption memory per instance in MB (512, 2048 or 4096). The face pipeline needs 2048 (about one core).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the HTTP functions (Flex) or pre-warmed minimum (Elastic Premium). Billed while idle.')
@minValue(0)
param alwaysReadyHttpInstances int = 0

@description('Always-ready instances for the verification queue function (Flex).')
@minValue(0)
param alwaysReadyVerificationInstances int = 0

@description('Concurrent HTTP requests per instance (Flex).')
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

@description('Zone redundancy of the plan, the gateway (Premium) and the backup vault (production).')
param zoneRedundant bool = false

@description('Days after upload when selfies are deleted (lifecycle rule). Longer than the review backlog, as short as the bureau\'s retention policy allows.')
@minValue(1)
@maxValue(3650)
param selfieRetentionDays int = 30

@description('Days deleted blobs and containers stay recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

@description('Days reference photos can be restored to a point in time (0 = off; less than blobSoftDeleteDays).')
@minValue(0)
@maxValue(364)
param pointInTimeRestoreDays int = 0

@description('Days old blob versions are kept.')
@minValue(1)
@maxValue(3650)
param versionRetentionDays int = 30

@description('Azure Backup (vaulted) of the reference photos.')
param enableBlobBackup bool = false

@description('Days each daily backup of the reference photos is kept.')
@minValue(7)
@maxValue(3650)
param backupRetentionDays int = 30

@description('CanNotDelete locks on the data account, the audit archive, Key Vault, Service Bus, the Log Analytics workspace and the backup vault (production).')
param enableResourceLocks bool = false

@description('Customer-managed keys for the data account (key storage-cmk) and the audit archive (key audit-cmk), each with its own identity (production). Needs enableKeyVaultPurgeProtection.')
param customerManagedKey bool = false

@description('Infrastructure (double) encryption of the storage accounts (production; only when an account is created).')
param infrastructureEncryption bool = false

@description('Private network: VNet integration, private endpoints, public network access disabled (production).')
param privateNetwork bool = false

@description('Address space of the VNet (a /22 or larger).')
param vnetAddressPrefix string = '10.40.0.0/22'

@description('Networks (CIDR) of the bureau: operator routes and /console/ accept only these sources.')
param bureauNetworkCidrs array = []

@description('Addresses (CIDR) of deployment runners allowed to reach the SCM site and the host storage; empty = deploy from inside the VNet.')
param deploymentClientCidrs array = []

@description('Service Bus tier (Premium for private endpoints).')
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

@description('Ids of every personal-data encryption key still needed to read stored data (secrets data-protection-key-<id>). Rotation: add the new id, create its secret, set activeDataProtectionKeyId to it; never remove an id while data is encrypted with it.')
param dataProtectionKeyIds array = [
  'k1'
]

@description('The data key new data is encrypted with (one of dataProtectionKeyIds).')
param activeDataProtectionKeyId string = 'k1'

@description('Issuer (iss) of operator tokens: the identity provider that signs them.')
param operatorTokenIssuer string

@description('Audience (aud) of operator tokens: the API\'s app id URI.')
param operatorTokenAudience string

@description('OpenID Connect authority of the identity provider; its signing keys come from {authority}/.well-known/openid-configuration.')
param operatorTokenAuthority string

@description('Gateway tier: StandardV2 on global Azure; Premium (production) or Developer (tests) on Azure China, which has no Consumption or v2 tiers.')
@allowed([
  'StandardV2'
  'Premium'
  'Developer'
])
param gatewaySku string = hostingProfile == 'AzureChina' ? 'Premium' : 'StandardV2'

@description('Gateway units.')
@minValue(1)
param gatewayCapacity int = 1

@description('Publisher e-mail of the gateway (API Management notifications).')
param gatewayPublisherEmail string = alertEmail

@description('Requests per minute per client address at the gateway (every route; carrier NAT shares addresses).')
@minValue(1)
param gatewayPerAddressCallsPerMinute int = 600

@description('Requests per minute per client app (function key) at the gateway.')
@minValue(1)
param gatewayPerClientCallsPerMinute int = 6000

@description('Requests per day per client app (function key) at the gateway.')
@minValue(1)
param gatewayPerClientCallsPerDay int = 2000000

@description('Requests per minute per operator (token subject) at the gateway.')
@minValue(1)
param gatewayPerOperatorCallsPerMinute int = 300

@description('Requests per minute per pensioner id in the route at the gateway.')
@minValue(1)
param gatewayPerPensionerCallsPerMinute int = 30

@description('Client routes open to the internet (method + URL template under /api): the Anonymous, Client and Session endpoints of PensionCert.Http.HttpEndpoints (a test keeps them equal); every other /api route is an operator route (bureau network only).')
param gatewayClientOperations array = [
  { method: 'GET', template: '/health' }
  { method: 'GET', template: '/openapi.json' }
  { method: 'GET', template: '/pensioners/{pensionerId}/eligibility' }
  { method: 'POST', template: '/certifications' }
  { method: 'GET', template: '/certifications/{certificationId}' }
  { method: 'POST', template: '/certification-sessions' }
  { method: 'GET', template: '/certification-sessions/{sessionId}' }
  { method: 'GET', template: '/page/session' }
  { method: 'POST', template: '/page/session/frames' }
  { method: 'POST', template: '/page/session/submit' }
  { method: 'POST', template: '/page/session/home-visit-request' }
  { method: 'POST', template: '/home-visit-requests' }
  { method: 'GET', template: '/home-visit-requests/{visitId}' }
  { method: 'POST', template: '/family-helper-requests' }
]

@description('Days Log Analytics keeps logs (the audit logs included).')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Days the immutable archive keeps every audit log (China\'s Cybersecurity Law: at least six months).')
@minValue(180)
@maxValue(3650)
param auditRetentionDays int = 180

@description('Lock the archive\'s immutability policy (production; irreversible).')
param lockAuditImmutability bool = false

@description('Daily Log Analytics ingestion cap in GB (-1 = none).')
param logDailyQuotaGb int = -1

@description('E-mail that receives alerts (empty = none).')
param alertEmail string = ''

@description('Alert when more than this percentage of function executions fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param alertFailureRatePercent int = 5

@description('Alert when the verification queue age p95 exceeds this many seconds.')
@minValue(10)
param alertMaxQueueAgeSeconds int = 300

@description('Alert when more than this percentage of decisions are Failed.')
@minValue(1)
@maxValue(100)
param alertDecisionFailurePercent int = 2

@description('Alert when the oldest open review case is older than this many hours.')
@minValue(1)
param alertReviewBacklogMaxAgeHours int = 72

@description('Alert when the event outbox lags more than this many seconds.')
@minValue(10)
param alertMaxOutboxLagSeconds int = 600

@description('Alert when the instance count reaches this percentage of maximumInstanceCount.')
@minValue(10)
@maxValue(100)
param alertInstancePercent int = 80

@description('Alert when the data account throttles more than this many requests in 5 minutes.')
@minValue(1)
param alertStorageThrottlingThreshold int = 10

@description('Extra app settings (name -> value), e.g. thresholds under PensionCert__Verification__*. No secrets here.')
param extraAppSettings object = {}

// Names: <abbreviation>-pensioncert-<tenant>-<environment>, with a short hash of the resource group where the name
// must be globally unique.
var suffix = '${tenantCode}-${environmentName}'
var token = substring(uniqueString(subscription().id, resourceGroup().id, suffix), 0, 6)
var compact = toLower(replace('${tenantCode}${environmentName}', '-', ''))
var isProd = environmentName == 'prod'
var isChinaCloud = environment().name == 'AzureChinaCloud'
var hosting = hostingProfile == 'FlexConsumption' ? 'FlexConsumption' : (startsWith(chinaPlanSku, 'EP') ? 'ElasticPremium' : 'Dedicated')
var deploymentContainerName = 'app-package'
var pagesContainerName = 'web'
var hashKeySecretName = 'identity-hash-key'
var contentShareSecretName = 'host-content-share-connection'

// Placeholder values that must never reach production (the parameter files refuse them too).
var placeholderMarkers = [
  'example'
  'localhost'
  'placeholder'
  'changeme'
  'todo'
]
var operatorSettings = [
  operatorTokenIssuer
  operatorTokenAudience
  operatorTokenAuthority
]
var placeholderSettings = filter(
  operatorSettings,
  v => empty(trim(v)) || length(filter(placeholderMarkers, m => contains(toLower(v), m))) > 0
)

// The production posture: each entry is a broken rule. A prod deployment with any fails before creating anything.
var postureErrors = isProd
  ? filter(
      [
        empty(placeholderSettings) ? '' : 'operator-token settings are placeholders: ${join(placeholderSettings, ', ')}'
        privateNetwork ? '' : 'privateNetwork must be true'
        serviceBusSku == 'Premium' ? '' : 'serviceBusSku must be Premium (private endpoints)'
        enableKeyVaultPurgeProtection ? '' : 'enableKeyVaultPurgeProtection must be true'
        empty(bureauNetworkCidrs) || contains(bureauNetworkCidrs, '0.0.0.0/0') ? 'bureauNetworkCidrs must list the bureau networks' : ''
        lockAuditImmutability ? '' : 'lockAuditImmutability must be true'
        // Application Insights telemetry (requests, traces) is kept only in Log Analytics: six months there too.
        logRetentionDays >= 180 ? '' : 'logRetentionDays must be at least 180 (Cybersecurity Law: six months of logs)'
        customerManagedKey ? '' : 'customerManagedKey must be true'
        empty(alertEmail) ? 'alertEmail is required' : ''
      ],
      e => !empty(e)
    )
  : []
var cloudErrors = isChinaCloud && hostingProfile == 'FlexConsumption'
  ? ['Flex Consumption is not offered on Azure China: use hostingProfile AzureChina']
  : []
var keyErrors = contains(dataProtectionKeyIds, activeDataProtectionKeyId)
  ? []
  : ['activeDataProtectionKeyId ${activeDataProtectionKeyId} is not in dataProtectionKeyIds']
// Azure Storage accepts a customer-managed key only from a vault with soft delete and purge protection.
var encryptionErrors = customerManagedKey && !enableKeyVaultPurgeProtection
  ? ['customerManagedKey needs enableKeyVaultPurgeProtection (Azure Storage refuses a key from a vault without purge protection)']
  : []
var deploymentErrors = concat(postureErrors, cloudErrors, keyErrors, encryptionErrors)
var postureCheck = empty(deploymentErrors)
  ? (isProd ? 'checked' : 'not-prod')
  : fail('PensionCert deployment refused: ${join(deploymentErrors, '; ')}')

var tags = {
  application: 'PensionCert'
  tenant: tenantCode
  environment: environmentName
  posture: postureCheck
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-pensioncert-${suffix}'
    location: location
    tags: tags
  }
}

// One identity per storage encryption key: the data account's and the archive's each unwrap only their own key.
module cmkIdentity 'modules/identity.bicep' = if (customerManagedKey) {
  name: 'cmkIdentity'
  params: {
    name: 'id-pensioncert-${suffix}-cmk'
    location: location
    tags: tags
  }
}

module auditCmkIdentity 'modules/identity.bicep' = if (customerManagedKey) {
  name: 'auditCmkIdentity'
  params: {
    name: 'id-pensioncert-${suffix}-audit-cmk'
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
    entraOnlyIngestion: !isChinaCloud
  }
}

module network 'modules/network.bicep' = if (privateNetwork) {
  name: 'network'
  params: {
    name: 'vnet-pensioncert-${suffix}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    appSubnetDelegation: hosting == 'FlexConsumption' ? 'Microsoft.App/environments' : 'Microsoft.Web/serverFarms'
    gatewayUsesVnetIntegration: gatewaySku == 'StandardV2'
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
    privateNetwork: privateNetwork
  }
}

// The storage encryption keys, each usable by its account's identity only. The vault and the keys come before the
// archive (encrypted with audit-cmk); the vault's own audit log goes to the archive afterwards (keyVaultAudit).
module dataCmkKey 'modules/cmkkey.bicep' = if (customerManagedKey) {
  name: 'dataCmkKey'
  params: {
    vaultName: keyVault.outputs.name
    keyName: 'storage-cmk'
    principalId: cmkIdentity!.outputs.principalId
  }
}

module auditCmkKey 'modules/cmkkey.bicep' = if (customerManagedKey) {
  name: 'auditCmkKey'
  params: {
    vaultName: keyVault.outputs.name
    keyName: 'audit-cmk'
    principalId: auditCmkIdentity!.outputs.principalId
  }
}

module auditStorage 'modules/auditstorage.bicep' = {
  name: 'auditStorage'
  params: {
    name: take('stpcaud${compact}${token}', 24)
    location: location
    tags: tags
    skuName: storageSku
    retentionDays: auditRetentionDays
    lockImmutability: lockAuditImmutability
    infrastructureEncryption: infrastructureEncryption
    tableExportsContainer: 'table-exports'
    privateNetwork: privateNetwork
    cmkKeyVaultUri: customerManagedKey ? keyVault.outputs.uri : ''
    cmkKeyName: customerManagedKey ? auditCmkKey!.outputs.name : ''
    cmkIdentityId: customerManagedKey ? auditCmkIdentity!.outputs.id : ''
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVaultAudit 'modules/keyvaultaudit.bicep' = {
  name: 'keyVaultAudit'
  params: {
    vaultName: keyVault.outputs.name
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
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
    pointInTimeRestoreDays: pointInTimeRestoreDays
    versionRetentionDays: versionRetentionDays
    privateNetwork: privateNetwork
    infrastructureEncryption: infrastructureEncryption
    cmkKeyVaultUri: customerManagedKey ? keyVault.outputs.uri : ''
    cmkKeyName: customerManagedKey ? dataCmkKey!.outputs.name : ''
    cmkIdentityId: customerManagedKey ? cmkIdentity!.outputs.id : ''
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
  }
}

module hostStorage 'modules/hoststorage.bicep' = {
  name: 'hostStorage'
  params: {
    name: take('stpchost${compact}${token}', 24)
    location: location
    tags: tags
    skuName: storageSku
    privateNetwork: privateNetwork
    deploymentClientCidrs: deploymentClientCidrs
    infrastructureEncryption: infrastructureEncryption
    deploymentContainerName: deploymentContainerName
    webContainerName: pagesContainerName
    contentShareName: hosting == 'ElasticPremium' ? 'func-${suffix}' : ''
    keyVaultName: keyVault.outputs.name
    contentShareSecretName: contentShareSecretName
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'serviceBus'
  params: {
    name: 'sb-pensioncert-${suffix}-${token}'
    location: location
    tags: tags
    skuName: serviceBusSku
    privateNetwork: privateNetwork
    duplicateDetectionWindow: duplicateDetectionWindow
    messageTimeToLive: eventTimeToLive
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    dataStorageName: storage.outputs.name
    photoContainers: storage.outputs.photoContainers
    tables: storage.outputs.tables
    auditTable: 'OperatorAudit'
    hostStorageName: hostStorage.outputs.name
    auditStorageName: auditStorage.outputs.name
    tableExportsContainer: auditStorage.outputs.tableExportsContainer
    serviceBusNamespaceName: serviceBus.outputs.name
    topicName: serviceBus.outputs.topicName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

// Private DNS zones of the services, from the cloud's own suffixes.
var storageZones = map(['blob', 'queue', 'table', 'file'], s => 'privatelink.${s}.${environment().suffixes.storage}')
var vaultZone = 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
var serviceBusZone = 'privatelink.${replace(environment().suffixes.storage, 'core.', 'servicebus.')}'

module dns 'modules/privatedns.bicep' = if (privateNetwork) {
  name: 'dns'
  params: {
    zoneNames: concat(storageZones, [vaultZone, serviceBusZone])
    vnetId: network!.outputs.id
    tags: tags
  }
}

// Private endpoints: data account (blob, queue, table), host account (blob, queue, table; file on Elastic Premium),
// the audit archive's blob (the app writes the nightly table export there), Key Vault, Service Bus.
// Zone index: 0 blob, 1 queue, 2 table, 3 file, 4 vault, 5 Service Bus.
var privateEndpoints = concat(
  [
    { name: 'data-blob', service: 'data', groupId: 'blob', zone: 0 }
    { name: 'data-queue', service: 'data', groupId: 'queue', zone: 1 }
    { name: 'data-table', service: 'data', groupId: 'table', zone: 2 }
    { name: 'host-blob', service: 'host', groupId: 'blob', zone: 0 }
    { name: 'host-queue', service: 'host', groupId: 'queue', zone: 1 }
    { name: 'host-table', service: 'host', groupId: 'table', zone: 2 }
    { name: 'audit-blob', service: 'audit', groupId: 'blob', zone: 0 }
    { name: 'vault', service: 'vault', groupId: 'vault', zone: 4 }
    { name: 'servicebus', service: 'servicebus', groupId: 'namespace', zone: 5 }
  ],
  hosting == 'ElasticPremium' ? [{ name: 'host-file', service: 'host', groupId: 'file', zone: 3 }] : []
)
var serviceIds = {
  data: storage.outputs.id
  host: hostStorage.outputs.id
  audit: auditStorage.outputs.id
  vault: keyVault.outputs.id
  servicebus: serviceBus.outputs.id
}

module servicePrivateEndpoints 'modules/privateendpoint.bicep' = [
  for pe in privateEndpoints: if (privateNetwork) {
    name: 'pe-${pe.name}'
    params: {
      name: 'pe-pensioncert-${suffix}-${pe.name}'
      location: location
      tags: tags
      subnetId: network!.outputs.privateEndpointSubnetId
      serviceId: serviceIds[pe.service]
      groupId: pe.groupId
      dnsZoneId: dns!.outputs.zoneIds[pe.zone]
    }
  }
]

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: 'func-pensioncert-${suffix}-${token}'
    planName: 'plan-pensioncert-${suffix}'
    location: location
    tags: tags
    hosting: hosting
    planSku: hosting == 'FlexConsumption' ? 'FC1' : chinaPlanSku
    zoneRedundant: zoneRedundant
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageName: hostStorage.outputs.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    hostQueueEndpoint: hostStorage.outputs.queueEndpoint
    hostTableEndpoint: hostStorage.outputs.tableEndpoint
    dataBlobEndpoint: storage.outputs.blobEndpoint
    dataQueueEndpoint: storage.outputs.queueEndpoint
    dataTableEndpoint: storage.outputs.tableEndpoint
    auditBlobEndpoint: auditStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    contentShareName: hosting == 'ElasticPremium' ? 'func-${suffix}' : ''
    contentShareSecretName: contentShareSecretName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    entraOnlyIngestion: !isChinaCloud
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
    dataProtectionKeyIds: dataProtectionKeyIds
    activeDataProtectionKeyId: activeDataProtectionKeyId
    operatorTokenIssuer: operatorTokenIssuer
    operatorTokenAudience: operatorTokenAudience
    operatorTokenAuthority: operatorTokenAuthority
    privateNetwork: privateNetwork
    appSubnetId: privateNetwork ? network!.outputs.appSubnetId : ''
    deploymentClientCidrs: deploymentClientCidrs
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
    extraAppSettings: extraAppSettings
  }
  // The site resolves Key Vault references and reaches storage (over the private endpoints) from its first start.
  dependsOn: [
    roles
    servicePrivateEndpoints
  ]
}

// The site's private endpoint and zone: the zone name comes from the host name the platform gave the site.
module siteDns 'modules/privatedns.bicep' = if (privateNetwork) {
  name: 'siteDns'
  params: {
    zoneNames: [
      functionApp.outputs.privateDnsZoneName
    ]
    vnetId: network!.outputs.id
    tags: tags
  }
}

module sitePrivateEndpoint 'modules/privateendpoint.bicep' = if (privateNetwork) {
  name: 'pe-site'
  params: {
    name: 'pe-pensioncert-${suffix}-site'
    location: location
    tags: tags
    subnetId: network!.outputs.privateEndpointSubnetId
    serviceId: functionApp.outputs.id
    groupId: 'sites'
    dnsZoneId: siteDns!.outputs.zoneIds[0]
  }
}

module gateway 'modules/gateway.bicep' = {
  name: 'gateway'
  params: {
    name: 'apim-pensioncert-${suffix}-${token}'
    location: location
    tags: tags
    skuName: gatewaySku
    capacity: gatewayCapacity
    zoneRedundant: zoneRedundant
    publisherEmail: empty(gatewayPublisherEmail) ? 'pensioncert-${tenantCode}@invalid.invalid' : gatewayPublisherEmail
    publisherName: 'PensionCert ${tenantCode}'
    subnetId: privateNetwork ? network!.outputs.gatewaySubnetId : ''
    functionHostName: functionApp.outputs.defaultHostName
    pagesBlobEndpoint: hostStorage.outputs.blobEndpoint
    pagesStorageName: hostStorage.outputs.name
    pagesContainerName: pagesContainerName
    bureauNetworkCidrs: empty(bureauNetworkCidrs) ? ['0.0.0.0/0'] : bureauNetworkCidrs
    consoleAuthorityOrigin: '${split(operatorTokenAuthority, '/')[0]}//${split(operatorTokenAuthority, '/')[2]}'
    clientOperations: gatewayClientOperations
    perAddressCallsPerMinute: gatewayPerAddressCallsPerMinute
    perClientCallsPerMinute: gatewayPerClientCallsPerMinute
    perClientCallsPerDay: gatewayPerClientCallsPerDay
    perOperatorCallsPerMinute: gatewayPerOperatorCallsPerMinute
    perPensionerCallsPerMinute: gatewayPerPensionerCallsPerMinute
    workspaceId: monitoring.outputs.workspaceId
    archiveStorageId: auditStorage.outputs.id
  }
  dependsOn: [
    sitePrivateEndpoint
  ]
}

module backup 'modules/backup.bicep' = if (enableBlobBackup) {
  name: 'backup'
  params: {
    name: 'bvault-pensioncert-${suffix}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
    storageAccountName: storage.outputs.name
    containers: [
      'reference-photos'
    ]
    retentionDays: backupRetentionDays
    zoneRedundant: zoneRedundant
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'pensioncert-${suffix}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    dataStorageId: storage.outputs.id
    serviceBusId: serviceBus.outputs.id
    keyVaultId: keyVault.outputs.id
    poisonQueues: storage.outputs.poisonQueues
    failureRatePercent: alertFailureRatePercent
    failureRateMinimumExecutions: 20
    maxQueueAgeSeconds: alertMaxQueueAgeSeconds
    decisionFailurePercent: alertDecisionFailurePercent
    reviewBacklogMaxAgeHours: alertReviewBacklogMaxAgeHours
    maxOutboxLagSeconds: alertMaxOutboxLagSeconds
    instanceCeiling: maximumInstanceCount
    instanceAlertPercent: alertInstancePercent
    storageThrottlingThreshold: alertStorageThrottlingThreshold
    alertEmail: alertEmail
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    displayName: 'PensionCert season (${tenantCode} ${environmentName})'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    metricNames: alerts.outputs.metricNames
  }
}

module locks 'modules/locks.bicep' = if (enableResourceLocks) {
  name: 'locks'
  params: {
    dataStorageName: storage.outputs.name
    auditStorageName: auditStorage.outputs.name
    keyVaultName: keyVault.outputs.name
    serviceBusName: serviceBus.outputs.name
    workspaceName: monitoring.outputs.workspaceName
    backupVaultName: enableBlobBackup ? backup!.outputs.name : ''
  }
}

@description('Base URL of the HTTP API: the gateway, e.g. https://apim-pensioncert-gd-prod-abc123.azure-api.net/api.')
output apiBaseUrl string = 'https://${gateway.outputs.gatewayHostName}/api'

@description('Pensioner page (/h5/) and operator console (/console/) base URL.')
output pagesBaseUrl string = 'https://${gateway.outputs.gatewayHostName}'

@description('Function App name (az functionapp deployment).')
output functionAppName string = functionApp.outputs.name

@description('Function App host name (reachable only through the gateway\'s VNet when privateNetwork is on).')
output functionAppHostName string = functionApp.outputs.defaultHostName

@description('Data storage account name.')
output storageAccountName string = storage.outputs.name

@description('Host storage account name (app package, pages).')
output hostStorageAccountName string = hostStorage.outputs.name

@description('Audit archive storage account name.')
output auditStorageAccountName string = auditStorage.outputs.name

@description('Key Vault name (set the secrets here, once).')
output keyVaultName string = keyVault.outputs.name

@description('Service Bus namespace (fully qualified).')
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace

@description('Client id of the Function App identity.')
output identityClientId string = identity.outputs.clientId

@description('Hosting actually deployed: FlexConsumption, ElasticPremium or Dedicated.')
output hosting string = hosting

@description('Result of the production posture checks.')
output posture string = postureCheck
