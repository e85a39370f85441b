// Service Bus namespace with the events topic and one subscription per consumer. Local (SAS key)
// authentication is off: publishers use Entra ID (Azure Service Bus Data Sender, roles.bicep).
// Duplicate detection on the topic turns the outbox's at-least-once publishing into exactly-once delivery
// within the window, because the event id is the MessageId.
//
// The names must equal functions/PensionCert.Core/Definitions/ServiceBusNames.cs (checked by PensionCert.Infra.Tests).

@description('Namespace name (6-50 characters, globally unique).')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Standard is enough for topics and duplicate detection; Premium adds isolation, private endpoints and predictable throughput.')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Private network: public network access disabled, private endpoint only (requires Premium).')
param privateNetwork bool

@description('Log Analytics workspace of the audit logs.')
param workspaceId string

@description('Immutable archive storage account of the audit logs.')
param archiveStorageId string

@description('Duplicate detection window (ISO 8601, at most P7D). Cover the longest outage after which the outbox may republish.')
param duplicateDetectionWindow string

@description('How long an undelivered event waits in a subscription (ISO 8601).')
param messageTimeToLive string

// ServiceBusNames.EventsTopic
var topicName = 'pensioncert-events'

// ServiceBusNames.SmsSubscription, WeChatAlipaySubscription, PayrollSubscription
var subscriptions = [
  'sms'
  'wechat-alipay'
  'payroll'
]

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? 1 : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    // Premium namespaces are zone redundant in regions with availability zones.
    premiumMessagingPartitions: skuName == 'Premium' ? 1 : null
  }
}

// Private endpoints need Premium: refuse the combination instead of deploying a namespace nobody can reach.
var tierCheck = privateNetwork && skuName != 'Premium' ? fail('Service Bus private endpoints need the Premium tier: set serviceBusSku to Premium or turn privateNetwork off.') : skuName

// Audit: operational logs (namespace and entity changes) and, on Premium, runtime audit logs (who sent or received).
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: namespace
  properties: {
    workspaceId: workspaceId
    storageAccountId: archiveStorageId
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

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    enableBatchedOperations: true
    supportOrdering: false
    maxSizeInMegabytes: 5120
  }
}

resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = [
  for subscription in subscriptions: {
    parent: topic
    name: subscription
    properties: {
      lockDuration: 'PT1M'
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: messageTimeToLive
      enableBatchedOperations: true
    }
  }
]

@description('Namespace resource id.')
output id string = namespace.id

@description('Namespace name.')
output name string = namespace.name

@description('Fully qualified namespace host name (<name>.servicebus.windows.net, cloud-specific).')
output fullyQualifiedNamespace string = replace(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')

@description('Tier actually deployed (checked against privateNetwork).')
output sku string = tierCheck

@description('Topic name.')
output topicName string = topic.name
