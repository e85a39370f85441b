// Log Analytics workspace and workspace-based Application Insights. On global Azure local (key) authentication to
// Application Insights is off: the Function App sends telemetry with its managed identity
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING) and needs Monitoring Metrics Publisher (roles.bicep). Microsoft
// documents Entra ID ingestion for the public cloud only, so on Azure China (entraOnlyIngestion false) ingestion
// uses the connection string's instrumentation key, which identifies the resource but grants no read access.

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights name.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Days Log Analytics keeps data (30-730).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Accept only Entra ID-authenticated telemetry (global Azure); false on Azure China.')
param entraOnlyIngestion bool

@description('Daily ingestion cap in GB (-1 = none). A cap protects the budget at the peak but drops telemetry once reached.')
param dailyQuotaGb int

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: entraOnlyIngestion
    RetentionInDays: retentionInDays
    IngestionMode: 'LogAnalytics'
  }
}

@description('Workspace resource id (diagnostic settings).')
output workspaceId string = workspace.id

@description('Workspace name (its CanNotDelete lock).')
output workspaceName string = workspace.name

@description('Application Insights resource id (alert scope).')
output applicationInsightsId string = appInsights.id

@description('Application Insights name.')
output applicationInsightsName string = appInsights.name

@description('Connection string (an endpoint and an instrumentation key, which is not a secret; on global Azure ingestion also requires Entra ID).')
output connectionString string = appInsights.properties.ConnectionString
