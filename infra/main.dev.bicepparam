// Development: small and cheap, no always-ready instances, locally redundant storage, purge protection off so
// the environment can be deleted and recreated. Secrets come from environment variables when set (never commit
// them), else set them once with `az keyvault secret set` (docs/deploy.md).
using './main.bicep'

param tenantCode = readEnvironmentVariable('PENSIONCERT_TENANT', 'demo')
param environmentName = 'dev'
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 0
param alwaysReadyVerificationInstances = 0
param storageSku = 'Standard_LRS'
param selfieRetentionDays = 7
param blobSoftDeleteDays = 1
param serviceBusSku = 'Standard'
param enableKeyVaultPurgeProtection = false
param keyVaultSoftDeleteDays = 7
param logRetentionDays = 30
param logDailyQuotaGb = 1
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL', '')
param identityHashKey = readEnvironmentVariable('PENSIONCERT_IDENTITY_HASH_KEY', '')
param dataProtectionKey = readEnvironmentVariable('PENSIONCERT_DATA_PROTECTION_KEY', '')
param operatorTokenIssuer = readEnvironmentVariable('PENSIONCERT_OPERATOR_ISSUER', 'https://login.example.gov.cn/pensioncert')
param operatorTokenAudience = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUDIENCE', 'api://pensioncert')
param operatorTokenAuthority = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUTHORITY', 'https://login.example.gov.cn/pensioncert')
param keyVaultOfficerPrincipalId = readEnvironmentVariable('PENSIONCERT_KEYVAULT_OFFICER_ID', '')
