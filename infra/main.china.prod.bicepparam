// Production on Azure China (operated by 21Vianet; hosting profile AzureChina) for one tenant, in a mainland region
// such as chinanorth3 (PIPL Art. 36: personal information processed by state organs stays in the PRC). Elastic
// Premium EP1 (Flex Consumption is not offered there), API Management Premium (no Consumption or v2 tiers there),
// telemetry by connection string (no Entra ID ingestion there); the rest as on global Azure. Everything a security review asks for is on: private network, Premium Service Bus,
// customer-managed key and infrastructure encryption, zone redundancy, locks, backup, a locked audit archive kept
// 365 days. tests/PensionCert.Infra.Tests asserts this posture, and main.bicep refuses a prod deployment without it.
// The tenant's own values come from the environment and have no defaults; placeholders are refused here at
// `bicep build-params` time (and again by main.bicep at deployment). Review the sizing with the tenant's volumes
// (docs/deploy.md, "Sizing").
using './main.bicep'

var issuer = readEnvironmentVariable('PENSIONCERT_OPERATOR_ISSUER')
var audience = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUDIENCE')
var authority = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUTHORITY')

param tenantCode = readEnvironmentVariable('PENSIONCERT_TENANT')
param environmentName = 'prod'
param hostingProfile = 'AzureChina'
param chinaPlanSku = 'EP1'
// Load model (docs/deploy.md): a 15-million-pensioner province needs 1-2 verification instances at the season's
// peak hour; EP1 is one core, so a burst ceiling of 20 leaves 10x headroom. Three pre-warmed instances, one per
// zone (zone-redundant Elastic Premium needs at least three).
param maximumInstanceCount = 20
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 3
param alwaysReadyVerificationInstances = 2
param httpPerInstanceConcurrency = 16
param storageSku = 'Standard_ZRS'
param zoneRedundant = true
param selfieRetentionDays = 30
param blobSoftDeleteDays = 35
param pointInTimeRestoreDays = 30
param versionRetentionDays = 90
param enableBlobBackup = true
param backupRetentionDays = 365
param enableResourceLocks = true
param customerManagedKey = true
param infrastructureEncryption = true
param privateNetwork = true
param vnetAddressPrefix = readEnvironmentVariable('PENSIONCERT_VNET_PREFIX', '10.40.0.0/22')
param bureauNetworkCidrs = split(readEnvironmentVariable('PENSIONCERT_BUREAU_CIDRS'), ',')
param deploymentClientCidrs = empty(readEnvironmentVariable('PENSIONCERT_DEPLOY_CIDRS', '')) ? [] : split(readEnvironmentVariable('PENSIONCERT_DEPLOY_CIDRS', ''), ',')
param serviceBusSku = 'Premium'
param duplicateDetectionWindow = 'P1D'
// The tenant's data keys, from its pipeline's variables and with no default: a redeploy can neither drop a key that
// still encrypts data nor silently go back to the previous active key after a rotation (docs/deploy.md, "Secrets").
param dataProtectionKeyIds = split(readEnvironmentVariable('PENSIONCERT_DATA_KEY_IDS'), ',')
param activeDataProtectionKeyId = readEnvironmentVariable('PENSIONCERT_ACTIVE_DATA_KEY')
param enableKeyVaultPurgeProtection = true
param keyVaultSoftDeleteDays = 90
param gatewaySku = 'Premium'
param gatewayCapacity = 3
param logRetentionDays = 180
param auditRetentionDays = 365
param lockAuditImmutability = true
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL')
param alertFailureRatePercent = 5
param alertMaxQueueAgeSeconds = 300
param operatorTokenIssuer = contains(toLower(issuer), 'example') || contains(toLower(issuer), 'localhost') ? fail('PENSIONCERT_OPERATOR_ISSUER is a placeholder: set the identity provider of the bureau') : issuer
param operatorTokenAudience = contains(toLower(audience), 'example') || contains(toLower(audience), 'placeholder') ? fail('PENSIONCERT_OPERATOR_AUDIENCE is a placeholder') : audience
param operatorTokenAuthority = contains(toLower(authority), 'example') || contains(toLower(authority), 'localhost') ? fail('PENSIONCERT_OPERATOR_AUTHORITY is a placeholder: set the identity provider of the bureau') : authority
