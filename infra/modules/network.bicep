// The private network of one deployment: a VNet with three subnets, each with its own network security group.
//
//   snet-app                 outbound VNet integration of the Function App (delegated to the plan's service)
//   snet-private-endpoints   private endpoints of storage, Key Vault, Service Bus and the Function App (inbound)
//   snet-gateway             API Management: outbound VNet integration (v2 tiers, delegated to Microsoft.Web/serverFarms)
//                            or VNet injection (classic Developer/Premium tiers, the only ones Azure China offers)
//
// Nothing in this VNet is reachable from the internet: the only public entry is the API Management gateway.

@description('VNet name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Address space of the VNet, e.g. 10.40.0.0/22 (must not overlap the bureau network if the two are peered).')
param addressPrefix string

@description('Service the app subnet is delegated to: Microsoft.App/environments (Flex Consumption) or Microsoft.Web/serverFarms (Elastic Premium, dedicated).')
@allowed([
  'Microsoft.App/environments'
  'Microsoft.Web/serverFarms'
])
param appSubnetDelegation string

@description('True when the gateway is a v2 tier (outbound VNet integration, subnet delegated to Microsoft.Web/serverFarms); false for a classic tier injected into the subnet.')
param gatewayUsesVnetIntegration bool

var appPrefix = cidrSubnet(addressPrefix, 24, 0)
var privateEndpointPrefix = cidrSubnet(addressPrefix, 24, 1)
var gatewayPrefix = cidrSubnet(addressPrefix, 24, 2)

// Classic API Management injected into a VNet needs its management endpoint (3443 from the ApiManagement service
// tag) and the load balancer probe (6390) open; clients reach the gateway on 443.
var injectedGatewayRules = [
  {
    name: 'allow-clients-https'
    properties: {
      priority: 100
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourceAddressPrefix: 'Internet'
      sourcePortRange: '*'
      destinationAddressPrefix: 'VirtualNetwork'
      destinationPortRange: '443'
    }
  }
  {
    name: 'allow-apim-management'
    properties: {
      priority: 110
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourceAddressPrefix: 'ApiManagement'
      sourcePortRange: '*'
      destinationAddressPrefix: 'VirtualNetwork'
      destinationPortRange: '3443'
    }
  }
  {
    name: 'allow-load-balancer'
    properties: {
      priority: 120
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourceAddressPrefix: 'AzureLoadBalancer'
      sourcePortRange: '*'
      destinationAddressPrefix: 'VirtualNetwork'
      destinationPortRange: '6390'
    }
  }
]

// Private endpoints and the app's integration subnet take no traffic from the internet.
var denyInternetInbound = [
  {
    name: 'deny-internet-inbound'
    properties: {
      priority: 4000
      direction: 'Inbound'
      access: 'Deny'
      protocol: '*'
      sourceAddressPrefix: 'Internet'
      sourcePortRange: '*'
      destinationAddressPrefix: '*'
      destinationPortRange: '*'
    }
  }
]

resource appNsg 'Microsoft.Network/networkSecurityGroups@2026-03-01' = {
  name: 'nsg-${name}-app'
  location: location
  tags: tags
  properties: {
    securityRules: denyInternetInbound
  }
}

resource privateEndpointNsg 'Microsoft.Network/networkSecurityGroups@2026-03-01' = {
  name: 'nsg-${name}-pe'
  location: location
  tags: tags
  properties: {
    securityRules: denyInternetInbound
  }
}

resource gatewayNsg 'Microsoft.Network/networkSecurityGroups@2026-03-01' = {
  name: 'nsg-${name}-gateway'
  location: location
  tags: tags
  properties: {
    securityRules: gatewayUsesVnetIntegration ? denyInternetInbound : injectedGatewayRules
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'snet-app'
        properties: {
          addressPrefix: appPrefix
          networkSecurityGroup: { id: appNsg.id }
          delegations: [
            {
              name: 'app'
              properties: { serviceName: appSubnetDelegation }
            }
          ]
        }
      }
      {
        name: 'snet-private-endpoints'
        properties: {
          addressPrefix: privateEndpointPrefix
          networkSecurityGroup: { id: privateEndpointNsg.id }
          privateEndpointNetworkPolicies: 'Enabled'
        }
      }
      {
        name: 'snet-gateway'
        properties: {
          addressPrefix: gatewayPrefix
          networkSecurityGroup: { id: gatewayNsg.id }
          delegations: gatewayUsesVnetIntegration
            ? [
                {
                  name: 'apim'
                  properties: { serviceName: 'Microsoft.Web/serverFarms' }
                }
              ]
            : []
        }
      }
    ]
  }
}

@description('VNet resource id.')
output id string = vnet.id

@description('Subnet of the Function App\'s outbound VNet integration.')
output appSubnetId string = vnet.properties.subnets[0].id

@description('Subnet of the private endpoints.')
output privateEndpointSubnetId string = vnet.properties.subnets[1].id

@description('Subnet of the API Management gateway.')
output gatewaySubnetId string = vnet.properties.subnets[2].id
