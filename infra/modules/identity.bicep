// The user-assigned managed identity the Function App runs as: storage, Service Bus, Key Vault and
// Application Insights trust it through role assignments (roles.bicep); no keys or connection strings.

@description('Identity name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id (for the site identity, Key Vault references and deployment storage).')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client id (AzureWebJobsStorage__clientId and the other __clientId settings).')
output clientId string = identity.properties.clientId

@description('Principal (object) id, for role assignments.')
output principalId string = identity.properties.principalId
