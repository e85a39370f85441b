// Private DNS zones (privatelink.*) linked to the VNet, so that the services' own host names resolve to their
// private endpoints from inside it. The zone names come from the cloud's suffixes (environment()) or from the
// host names the services report, never from literals: the same template serves global Azure and Azure China.

@description('Zone names, e.g. privatelink.blob.core.windows.net (global) or privatelink.blob.core.chinacloudapi.cn (Azure China).')
param zoneNames array

@description('VNet to link the zones to.')
param vnetId string

@description('Resource tags.')
param tags object

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in zoneNames: {
    name: zone
    location: 'global'
    tags: tags
  }
]

resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in zoneNames: {
    parent: zones[i]
    name: 'vnet'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnetId
      }
    }
  }
]

@description('Zone resource ids, in the order of zoneNames.')
output zoneIds array = [for (zone, i) in zoneNames: zones[i].id]
