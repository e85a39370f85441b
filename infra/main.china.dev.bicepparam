// Development on Azure China: the AzureChina profile on EP1 with public endpoints, API Management Developer (no
// SLA; the cheapest tier Azure China offers), locally redundant storage, purge protection off.
using './main.bicep'

param tenantCode = readEnvironmentVariable('PENSIONCERT_TENANT', 'demo')
param environmentName = 'dev'
param hostingProfile = 'AzureChina'
param chinaPlanSku = 'EP1'
param maximumInstanceCount = 4
param alwaysReadyHttpInstances = 1
param storageSku = 'Standard_LRS'
param zoneRedundant = false
param selfieRetentionDays = 7
param blobSoftDeleteDays = 2
param pointInTimeRestoreDays = 1
param versionRetentionDays = 7
param privateNetwork = false
param serviceBusSku = 'Standard'
param enableKeyVaultPurgeProtection = false
param keyVaultSoftDeleteDays = 7
param gatewaySku = 'Developer'
param logRetentionDays = 30
param auditRetentionDays = 180
param logDailyQuotaGb = 1
param alertEmail = readEnvironmentVariable('PENSIONCERT_ALERT_EMAIL', '')
param operatorTokenIssuer = readEnvironmentVariable('PENSIONCERT_OPERATOR_ISSUER', 'https://login.example.gov.cn/pensioncert')
param operatorTokenAudience = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUDIENCE', 'api://pensioncert')
param operatorTokenAuthority = readEnvironmentVariable('PENSIONCERT_OPERATOR_AUTHORITY', 'https://login.example.gov.cn/pensioncert')
