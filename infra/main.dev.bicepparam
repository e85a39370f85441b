// Development on global Azure: small and cheap, public endpoints (no VNet, no private endpoints), no always-ready
// instances, locally redundant storage, purge protection off so the environment can be deleted and recreated.
// Secrets are never passed here: create them once with infra/scripts/create-secret.sh (docs/deploy.md).
using './main.bicep'

param tenantCode = readEnvironmentVariable('PENSIONCERT_TENANT', 'demo')
param environmentName = 'dev'
param hostingProfile = 'FlexConsumption'
param maximumInstanceCount = 4
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 0
param alwaysReadyVerificationInstances = 0
param storageSku = 'Standard_LRS'
param zoneRedundant = false
param selfieRetentionDays = 7
param blobSoftDeleteDays = 2
param pointInTimeRestoreDays = 1
param versionRetentionDays = 7
param enableBlobBackup = false
param enableResourceLocks = false
param customerManagedKey = false
param infrastructureEncryption = false
param privateNetwork = false
param serviceBusSku = 'Standard'
param enableKeyVaultPurgeProtection = false
param keyVaultSoftDeleteDays = 7
param gatewaySku = 'StandardV2'
param logRetentionDays = 30
param auditRetentionDays = 180
param lockAuditImmutability = false
param logDailyQuotaGb = 1
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL', '')
param operatorTokenIssuer = readEnvironmentVariable('PENSIONCERT_OPERATOR_ISSUER', 'https://login.example.gov.cn/pensioncert')
param operatorTokenAudience = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUDIENCE', 'api://pensioncert')
param operatorTokenAuthority = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUTHORITY', 'https://login.example.gov.cn/pensioncert')
