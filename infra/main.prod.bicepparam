// Production for one tenant (province or city bureau) during the certification season: zone-redundant storage,
// purge protection, always-ready instances so the first pensioners of the morning meet no cold start, and a
// maximumInstanceCount sized for the peak (docs/deploy.md, "Scaling for the peak"). Review every value with the
// tenant's volumes before deploying; secrets are never committed.
using './main.bicep'

param tenantCode = readEnvironmentVariable('PENSIONCERT_TENANT')
param environmentName = 'prod'
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 2
param alwaysReadyVerificationInstances = 2
param httpPerInstanceConcurrency = 16
param storageSku = 'Standard_ZRS'
param selfieRetentionDays = 30
param blobSoftDeleteDays = 7
param serviceBusSku = 'Standard'
param duplicateDetectionWindow = 'P1D'
param enableKeyVaultPurgeProtection = true
param keyVaultSoftDeleteDays = 90
param logRetentionDays = 90
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL')
param alertFailureRatePercent = 5
param alertMaxQueueAgeSeconds = 300
param identityHashKey = readEnvironmentVariable('PENSIONCERT_IDENTITY_HASH_KEY', '')
param dataProtectionKey = readEnvironmentVariable('PENSIONCERT_DATA_PROTECTION_KEY', '')
param operatorTokenIssuer = readEnvironmentVariable('PENSIONCERT_OPERATOR_ISSUER', 'https://login.example.gov.cn/pensioncert')
param operatorTokenAudience = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUDIENCE', 'api://pensioncert')
param operatorTokenAuthority = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUTHORITY', 'https://login.example.gov.cn/pensioncert')
param keyVaultOfficerPrincipalId = readEnvironmentVariable('PENSIONCERT_KEYVAULT_OFFICER_ID', '')
