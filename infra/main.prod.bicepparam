// Production on global Azure (hosting profile FlexConsumption) for one tenant (province or city bureau) during the
// certification season. Everything a security review asks for is on: private network, Premium Service Bus,
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
param hostingProfile = 'FlexConsumption'
// Load model (docs/deploy.md): a 15-million-pensioner province needs 1-2 verification instances at the season's
// peak hour; 20 leaves 10x headroom for retry storms while keeping 20 of the region's 250 Flex cores.
param maximumInstanceCount = 20
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 2
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
param gatewaySku = 'StandardV2'
param gatewayCapacity = 1
param logRetentionDays = 180
param auditRetentionDays = 365
param lockAuditImmutability = true
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL')
param alertFailureRatePercent = 5
param alertMaxQueueAgeSeconds = 300
param operatorTokenIssuer = contains(toLower(issuer), 'example') || contains(toLower(issuer), 'localhost') ? fail('PENSIONCERT_OPERATOR_ISSUER is a placeholder: set the identity provider of the bureau') : issuer
param operatorTokenAudience = contains(toLower(audience), 'example') || contains(toLower(audience), 'placeholder') ? fail('PENSIONCERT_OPERATOR_AUDIENCE is a placeholder') : audience
param operatorTokenAuthority = contains(toLower(authority), 'example') || contains(toLower(authority), 'localhost') ? fail('PENSIONCERT_OPERATOR_AUTHORITY is a placeholder: set the identity provider of the bureau') : authority
