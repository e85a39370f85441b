// One private endpoint for one sub-resource (groupId) of a service, registered in its private DNS zone.

@description('Private endpoint name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Subnet of the private endpoints.')
param subnetId string

@description('Resource id of the service (storage account, vault, namespace, site).')
param serviceId string

@description('Sub-resource: blob, queue, table, file, vault, namespace, sites.')
param groupId string

@description('Resource id of the private DNS zone of that sub-resource.')
param dnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: serviceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: dnsZoneId
        }
      }
    ]
  }
}

@description('Private endpoint resource id.')
output id string = endpoint.id
