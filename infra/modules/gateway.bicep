// The gateway: Azure API Management, the only public entry of a deployment. It serves the API (/api/...) and the
// static pages (/h5/ for pensioners, /console/ for operators) and enforces the request limits of the API in Azure:
//
//   every request        per client address            rate-limit-by-key (a bound for floods; generous, because
//                                                       many phones share one carrier NAT address)
//   client routes        per client app (function key)  rate-limit-by-key + a daily quota-by-key
//                        per pensioner in the route     rate-limit-by-key
//   operator routes      bureau network only            ip-filter (bureauNetworkCidrs); /console/ too
//                        per operator (token subject)   rate-limit-by-key
//                        per pensioner in the route     rate-limit-by-key
//
// The Function App has no public endpoint: the gateway reaches it through its private endpoint over the VNet
// (v2 tiers: outbound VNet integration; classic Developer/Premium: VNet injection). The app still checks the
// function keys of client routes and the bearer tokens of operators. Tier: StandardV2 on global Azure; on Azure
// China only the classic tiers exist (no Consumption, no v2): Premium in production, Developer for tests.
//
// Client routes are listed (clientOperations); everything else under /api is an operator route, so a new operator
// endpoint is closed to the internet by default and a new client endpoint must be added to the list.

@description('API Management service name (globally unique).')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Tier: StandardV2 (global Azure), Premium or Developer (classic; Azure China).')
@allowed([
  'StandardV2'
  'Premium'
  'Developer'
])
param skuName string

@description('Gateway units (Premium across three zones: 3).')
@minValue(1)
param capacity int

@description('Spread Premium units over availability zones.')
param zoneRedundant bool

@description('Publisher e-mail (API Management notifications).')
param publisherEmail string

@description('Publisher name.')
param publisherName string

@description('Subnet of the gateway (VNet integration or injection); empty = no VNet (the app must then be public).')
param subnetId string

@description('Host name of the Function App (reached through its private endpoint).')
param functionHostName string

@description('Blob endpoint of the host storage account (pages container).')
param pagesBlobEndpoint string

@description('Container of the static pages.')
param pagesContainerName string

@description('Host storage account name (the gateway reads the pages container with its identity).')
param pagesStorageName string

@description('Networks (CIDR) of the bureau: the only sources allowed on operator routes and /console/.')
param bureauNetworkCidrs array

@description('Origin of the operators\' OpenID Connect authority (the console\'s Content-Security-Policy connect-src).')
param consoleAuthorityOrigin string

@description('Client routes (method + URL template under /api) open to the internet, with the per-client limits.')
param clientOperations array

@description('Requests per minute per client address, every route.')
@minValue(1)
param perAddressCallsPerMinute int

@description('Requests per minute per client app (function key).')
@minValue(1)
param perClientCallsPerMinute int

@description('Requests per day per client app (function key).')
@minValue(1)
param perClientCallsPerDay int

@description('Requests per minute per operator (token subject).')
@minValue(1)
param perOperatorCallsPerMinute int

@description('Requests per minute per pensioner id in the route (client and operator routes separately).')
@minValue(1)
param perPensionerCallsPerMinute int

@description('Log Analytics workspace of the gateway logs.')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

var isV2 = skuName == 'StandardV2'

// ip-filter ranges from CIDRs (network address to broadcast address).
var bureauRanges = join(
  map(bureauNetworkCidrs, c => '<address-range from="${parseCidr(c).network}" to="${parseCidr(c).broadcast}" />'),
  ''
)
var bureauOnly = '<ip-filter action="allow">${bureauRanges}</ip-filter>'

// Policy expressions (C#), in rawxml policies.
var pensionerKey = 'System.Text.RegularExpressions.Regex.Match(context.Request.Url.Path, "pensioners/([^/]+)").Groups[1].Value'
var clientKey = 'context.Request.Headers.GetValueOrDefault("x-functions-key", context.Request.Url.Query.GetValueOrDefault("code", ""))'
var bearer = 'context.Request.Headers.GetValueOrDefault("Authorization", "")'
var operatorKey = '"operator:" + (${bearer}.StartsWith("Bearer ") ? (${bearer}.Substring(7).AsJwt()?.Subject ?? context.Request.IpAddress) : context.Request.IpAddress)'

var apiPolicy = '''
<policies>
  <inbound>
    <base />
    <rate-limit-by-key calls="PER_ADDRESS" renewal-period="60" counter-key="@("address:" + context.Request.IpAddress)" remaining-calls-header-name="RateLimit-Remaining" retry-after-header-name="Retry-After" />
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-header name="X-Powered-By" exists-action="delete" />
  </outbound>
  <on-error><base /></on-error>
</policies>'''

var clientPolicy = '''
<policies>
  <inbound>
    <base />
    <rate-limit-by-key calls="PER_CLIENT" renewal-period="60" counter-key="@("client:" + CLIENT_KEY)" increment-condition="@(CLIENT_KEY != "")" retry-after-header-name="Retry-After" />
    <quota-by-key calls="PER_DAY" renewal-period="86400" counter-key="@("client-day:" + CLIENT_KEY)" increment-condition="@(CLIENT_KEY != "")" />
    <rate-limit-by-key calls="PER_PENSIONER" renewal-period="60" counter-key="@("client-pensioner:" + PENSIONER_KEY)" increment-condition="@(PENSIONER_KEY != "")" retry-after-header-name="Retry-After" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>'''

var operatorPolicy = '''
<policies>
  <inbound>
    BUREAU_ONLY
    <base />
    <rate-limit-by-key calls="PER_OPERATOR" renewal-period="60" counter-key="@(OPERATOR_KEY)" retry-after-header-name="Retry-After" />
    <rate-limit-by-key calls="PER_PENSIONER" renewal-period="60" counter-key="@("operator-pensioner:" + PENSIONER_KEY)" increment-condition="@(PENSIONER_KEY != "")" retry-after-header-name="Retry-After" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>'''

// Pages: read from the private 'web' container with the gateway's managed identity; '/' means index.html.
var pagesPolicy = '''
<policies>
  <inbound>
    RESTRICT
    <base />
    <rate-limit-by-key calls="PER_ADDRESS" renewal-period="60" counter-key="@("address:" + context.Request.IpAddress)" retry-after-header-name="Retry-After" />
    <authentication-managed-identity resource="https://storage.azure.com/" />
    <set-header name="x-ms-version" exists-action="override"><value>2025-01-05</value></set-header>
    <set-header name="Cookie" exists-action="delete" />
    <rewrite-uri template="@(context.Request.Url.Path.EndsWith("/") ? context.Request.Url.Path + "index.html" : context.Request.Url.Path)" copy-unmatched-params="false" />
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-header name="x-ms-request-id" exists-action="delete" />
    <set-header name="x-ms-version" exists-action="delete" />
    <set-header name="x-ms-blob-type" exists-action="delete" />
    <set-header name="X-Content-Type-Options" exists-action="override"><value>nosniff</value></set-header>
    <set-header name="Referrer-Policy" exists-action="override"><value>no-referrer</value></set-header>
    <set-header name="Cache-Control" exists-action="override"><value>no-cache</value></set-header>
    <set-header name="Permissions-Policy" exists-action="override"><value>camera=(self), microphone=(), geolocation=()</value></set-header>
    <set-header name="Content-Security-Policy" exists-action="override"><value>CSP</value></set-header>
  </outbound>
  <on-error><base /></on-error>
</policies>'''

// TLS 1.2 at least, both to clients and to backends (the Function App, the host account).
var tlsProtocols = {
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'False'
}

// Classic tiers (Premium, Developer: the Azure China gateway) accept 3DES and RSA key exchange or CBC suites unless
// they are turned off; left on: ECDHE with AES-GCM (forward secrecy), which every TLS 1.2 phone and WeChat client
// offers. The v2 tiers (StandardV2) do not let the cipher configuration be changed, so it is not sent to them.
var tlsCiphers = {
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_GCM_SHA384': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA': 'False'
  'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA': 'False'
}

resource service 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    capacity: capacity
  }
  zones: zoneRedundant && skuName == 'Premium' ? ['1', '2', '3'] : null
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
    publicNetworkAccess: 'Enabled'
    virtualNetworkType: empty(subnetId) ? 'None' : 'External'
    virtualNetworkConfiguration: empty(subnetId)
      ? null
      : {
          subnetResourceId: subnetId
        }
    customProperties: union(tlsProtocols, isV2 ? {} : tlsCiphers)
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: service
  name: 'pensioncert'
  properties: {
    displayName: 'PensionCert API'
    path: 'api'
    protocols: [
      'https'
    ]
    serviceUrl: 'https://${functionHostName}/api'
    subscriptionRequired: false
  }
}

resource apiPolicyResource 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: replace(apiPolicy, 'PER_ADDRESS', string(perAddressCallsPerMinute))
  }
}

resource clientOps 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = [
  for op in clientOperations: {
    parent: api
    name: 'client-${toLower(op.method)}-${uniqueString(op.template)}'
    properties: {
      displayName: 'client ${op.method} ${op.template}'
      method: op.method
      urlTemplate: op.template
      templateParameters: [
        for p in filter(split(op.template, '/'), s => startsWith(s, '{')): {
          name: replace(replace(p, '{', ''), '}', '')
          type: 'string'
          required: true
        }
      ]
    }
  }
]

resource clientOpPolicies 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = [
  for (op, i) in clientOperations: {
    parent: clientOps[i]
    name: 'policy'
    properties: {
      format: 'rawxml'
      value: replace(replace(replace(replace(replace(clientPolicy, 'CLIENT_KEY', clientKey), 'PENSIONER_KEY', pensionerKey), 'PER_CLIENT', string(perClientCallsPerMinute)), 'PER_DAY', string(perClientCallsPerDay)), 'PER_PENSIONER', string(perPensionerCallsPerMinute))
    }
  }
]

// Everything else under /api: operator routes, bureau network only.
var operatorMethods = [
  'GET'
  'POST'
  'PUT'
  'PATCH'
  'DELETE'
]

resource operatorOps 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = [
  for method in operatorMethods: {
    parent: api
    name: 'operator-${toLower(method)}'
    properties: {
      displayName: 'operator ${method}'
      method: method
      urlTemplate: '/*'
    }
  }
]

resource operatorOpPolicies 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = [
  for (method, i) in operatorMethods: {
    parent: operatorOps[i]
    name: 'policy'
    properties: {
      format: 'rawxml'
      value: replace(replace(replace(replace(replace(operatorPolicy, 'BUREAU_ONLY', bureauOnly), 'OPERATOR_KEY', operatorKey), 'PER_OPERATOR', string(perOperatorCallsPerMinute)), 'PER_PENSIONER', string(perPensionerCallsPerMinute)), 'PENSIONER_KEY', pensionerKey)
    }
  }
]

// The pages: /h5/ (pensioners, from anywhere) and /console/ (operators, bureau network only), with the headers
// both hosts serve them with (PhonePage, ConsoleSite): same-origin API, camera for the page itself, no framing.
var pageCsp = 'default-src \'self\'; script-src \'self\'; style-src \'self\'; img-src \'self\' blob: data:; media-src \'self\' blob: mediastream:; frame-ancestors \'none\'; base-uri \'self\'; form-action \'self\'; object-src \'none\''
var pages = [
  {
    name: 'h5'
    restrict: ''
    csp: '${pageCsp}; connect-src \'self\''
  }
  {
    name: 'console'
    restrict: bureauOnly
    csp: '${pageCsp}; connect-src \'self\' ${consoleAuthorityOrigin}'
  }
]

resource pageApis 'Microsoft.ApiManagement/service/apis@2024-05-01' = [
  for page in pages: {
    parent: service
    name: 'pages-${page.name}'
    properties: {
      displayName: 'Pages /${page.name}/'
      path: page.name
      protocols: [
        'https'
      ]
      serviceUrl: '${pagesBlobEndpoint}${pagesContainerName}/${page.name}'
      subscriptionRequired: false
    }
  }
]

resource pageOps 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = [
  for (page, i) in pages: {
    parent: pageApis[i]
    name: 'get'
    properties: {
      displayName: 'GET /${page.name}/*'
      method: 'GET'
      urlTemplate: '/*'
    }
  }
]

resource pagePolicies 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = [
  for (page, i) in pages: {
    parent: pageApis[i]
    name: 'policy'
    properties: {
      format: 'rawxml'
      value: replace(replace(replace(pagesPolicy, 'RESTRICT', page.restrict), 'PER_ADDRESS', string(perAddressCallsPerMinute)), '<value>CSP</value>', '<value>${page.csp}</value>')
    }
    dependsOn: [
      pageOps
    ]
  }
]

resource pagesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' existing = {
  name: '${pagesStorageName}/default/${pagesContainerName}'
}

// Storage Blob Data Reader on the pages container only.
resource pagesReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pagesContainer.id, service.id, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  scope: pagesContainer
  properties: {
    principalId: service.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  }
}

#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: service
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Gateway resource id.')
output id string = service.id

@description('Gateway host name, e.g. <name>.azure-api.net (<name>.azure-api.cn on Azure China).')
output gatewayHostName string = replace(service.properties.gatewayUrl, 'https://', '')

@description('Principal id of the gateway\'s managed identity (reads the pages container).')
output principalId string = service.identity.principalId

@description('True for a v2 tier (outbound VNet integration).')
output usesVnetIntegration bool = isV2
