// Alerts for the season, each firing an optional e-mail action group.
//
// On the app's OpenTelemetry metrics (one Meter, names in docs/deploy.md "Metrics"; Application Insights stores
// them in customMetrics, a histogram as count/sum/min/max per export interval):
//   queue age p95           pensioncert.queue.age (s): 95th percentile of the per-interval maxima, an upper bound
//                           of the true p95 (histogram buckets do not reach Application Insights)
//   failure share           pensioncert.decisions with status=Failed / all decisions (%)
//   review backlog age      pensioncert.review.backlog.oldest_age (s)
//   cycle exceptions        pensioncert.cycle.scan.failed (count of pensioners the scan failed on)
//   outbox lag              pensioncert.outbox.lag (s)
// On the platform:
//   poison queue            a PutMessage on '<queue>-poison' (StorageQueueLogs)
//   function failure rate   failed share of function executions (requests)
//   dead letters            Service Bus DeadletteredMessages on any subscription
//   instances near ceiling  distinct instances reporting telemetry >= instanceAlertPercent of the ceiling
//   storage throttling      data account transactions answered ServerBusy / ClientThrottling / ServerTimeout
//   Key Vault failures      Key Vault API results 4xx/5xx (a lost role, a deleted secret, throttling)

@description('Name prefix of the alert rules.')
param namePrefix string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Application Insights resource id (requests, traces, customMetrics).')
param applicationInsightsId string

@description('Log Analytics workspace id (StorageQueueLogs of the data account).')
param workspaceId string

@description('Data storage account id (throttling).')
param dataStorageId string

@description('Service Bus namespace id (dead letters).')
param serviceBusId string

@description('Key Vault id (failures).')
param keyVaultId string

@description('Poison queue names, e.g. certification-verification-poison.')
param poisonQueues array

@description('Alert when more than this percentage of function executions fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param failureRatePercent int

@description('Only judge a failure share when at least this many executions or decisions happened in the window.')
@minValue(1)
param failureRateMinimumExecutions int

@description('Alert when the p95 queue age of verification messages exceeds this many seconds.')
@minValue(10)
param maxQueueAgeSeconds int

@description('Alert when more than this percentage of decisions in 15 minutes are Failed.')
@minValue(1)
@maxValue(100)
param decisionFailurePercent int

@description('Alert when the oldest open review case is older than this many hours.')
@minValue(1)
param reviewBacklogMaxAgeHours int

@description('Alert when the outbox lag exceeds this many seconds.')
@minValue(10)
param maxOutboxLagSeconds int

@description('The instance ceiling of the Function App (maximumInstanceCount).')
@minValue(1)
param instanceCeiling int

@description('Alert when the instance count reaches this percentage of the ceiling.')
@minValue(10)
@maxValue(100)
param instanceAlertPercent int

@description('Alert when the data account answers more than this many throttled requests in 5 minutes.')
@minValue(1)
param storageThrottlingThreshold int

@description('E-mail address that receives the alerts; empty for none (the alerts still show in Azure Monitor).')
param alertEmail string

// OpenTelemetry instrument names: PensionCert.Core.Definitions.TelemetryNames emits them (docs/deploy.md "Metrics";
// PensionCert.Infra.Tests checks each is an emitted name).
var metricNames = {
  queueAge: 'pensioncert.queue.age'
  decisions: 'pensioncert.decisions'
  reviewBacklogOldestAge: 'pensioncert.review.backlog.oldest_age'
  cycleExceptions: 'pensioncert.cycle.scan.failed'
  outboxLag: 'pensioncert.outbox.lag'
  verificationDuration: 'pensioncert.verification.duration'
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${namePrefix}-oncall'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'pc-oncall'
    enabled: true
    emailReceivers: [
      {
        name: 'oncall'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? {} : { actionGroups: [actionGroup.id] }
var metricActions = empty(alertEmail) ? [] : [{ actionGroupId: actionGroup.id }]

var poisonFilter = join(map(poisonQueues, q => 'Uri contains "/${q}/messages"'), ' or ')

// Log alerts: name, title, what to do, severity, scope, query, aggregation, measure column, threshold, window.
var logAlerts = [
  {
    name: 'poison-queue'
    displayName: 'PensionCert: messages moved to a poison queue'
    description: 'A verification message failed maxDequeueCount times. The poison handler records the certification as Failed; inspect the message, fix the cause.'
    severity: 1
    scope: workspaceId
    query: 'StorageQueueLogs | where OperationName == "PutMessage" and StatusCode between (200 .. 299) | where ${poisonFilter}'
    aggregation: 'Count'
    measure: null
    threshold: 0
    window: 'PT15M'
    frequency: 'PT5M'
  }
  {
    name: 'failure-rate'
    displayName: 'PensionCert: function failure rate'
    description: 'More than ${failureRatePercent}% of function executions failed in a 5-minute bin. Check exceptions and storage availability.'
    severity: 2
    scope: applicationInsightsId
    query: 'requests | summarize Executions = count(), Failures = countif(success == false) by bin(timestamp, 5m) | where Executions >= ${failureRateMinimumExecutions} | extend FailureRatePercent = 100.0 * Failures / Executions'
    aggregation: 'Maximum'
    measure: 'FailureRatePercent'
    threshold: failureRatePercent
    window: 'PT15M'
    frequency: 'PT5M'
  }
  {
    name: 'queue-age-p95'
    displayName: 'PensionCert: verification queue age p95'
    description: 'Verification messages waited more than ${maxQueueAgeSeconds} s (p95) before a worker took them: instances at the ceiling or failing. Raise the ceiling or check failures.'
    severity: 2
    scope: applicationInsightsId
    query: 'customMetrics | where name == "${metricNames.queueAge}" | summarize QueueAgeP95 = percentile(valueMax, 95) by bin(timestamp, 5m)'
    aggregation: 'Maximum'
    measure: 'QueueAgeP95'
    threshold: maxQueueAgeSeconds
    window: 'PT15M'
    frequency: 'PT5M'
  }
  {
    name: 'decision-failure-share'
    displayName: 'PensionCert: share of certifications ending Failed'
    description: 'More than ${decisionFailurePercent}% of decisions in 15 minutes were Failed (not Rejected): the pipeline, not the pensioners, is failing.'
    severity: 2
    scope: applicationInsightsId
    query: 'customMetrics | where name == "${metricNames.decisions}" | extend status = tostring(customDimensions["status"]) | summarize Decisions = sum(valueSum), Failed = sumif(valueSum, status == "Failed") | where Decisions >= ${failureRateMinimumExecutions} | extend FailedPercent = 100.0 * Failed / Decisions'
    aggregation: 'Maximum'
    measure: 'FailedPercent'
    threshold: decisionFailurePercent
    window: 'PT15M'
    frequency: 'PT5M'
  }
  {
    name: 'review-backlog-age'
    displayName: 'PensionCert: oldest open review case'
    description: 'The oldest NeedsReview case has waited more than ${reviewBacklogMaxAgeHours} h: a pensioner is waiting on a reviewer.'
    severity: 3
    scope: applicationInsightsId
    query: 'customMetrics | where name == "${metricNames.reviewBacklogOldestAge}" | summarize OldestAgeSeconds = max(valueMax)'
    aggregation: 'Maximum'
    measure: 'OldestAgeSeconds'
    threshold: reviewBacklogMaxAgeHours * 3600
    window: 'PT1H'
    frequency: 'PT15M'
  }
  {
    name: 'cycle-exceptions'
    displayName: 'PensionCert: certification cycle exceptions'
    description: 'The daily cycle scan could not process some pensioners (listed for operators as cycle exceptions; retried next run).'
    severity: 3
    scope: applicationInsightsId
    query: 'customMetrics | where name == "${metricNames.cycleExceptions}" | summarize Exceptions = sum(valueSum)'
    aggregation: 'Maximum'
    measure: 'Exceptions'
    threshold: 0
    window: 'P1D'
    frequency: 'PT1H'
  }
  {
    name: 'outbox-lag'
    displayName: 'PensionCert: event outbox lag'
    description: 'Events (SMS, app messages, payroll) waited more than ${maxOutboxLagSeconds} s in the outbox: Service Bus unreachable or the dispatcher stopped.'
    severity: 2
    scope: applicationInsightsId
    query: 'customMetrics | where name == "${metricNames.outboxLag}" | summarize LagSeconds = max(valueMax)'
    aggregation: 'Maximum'
    measure: 'LagSeconds'
    threshold: maxOutboxLagSeconds
    window: 'PT15M'
    frequency: 'PT5M'
  }
  {
    name: 'instances-near-ceiling'
    displayName: 'PensionCert: instance count near the ceiling'
    description: 'The Function App ran on at least ${instanceAlertPercent}% of its ${instanceCeiling}-instance ceiling: raise the ceiling (and the regional quota) before a backlog builds.'
    severity: 2
    scope: applicationInsightsId
    query: 'union requests, traces | where timestamp > ago(15m) | summarize Instances = dcount(cloud_RoleInstance) by bin(timestamp, 5m)'
    aggregation: 'Maximum'
    measure: 'Instances'
    threshold: max(1, (instanceCeiling * instanceAlertPercent) / 100 - 1)
    window: 'PT15M'
    frequency: 'PT5M'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        alert.scope
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: alert.aggregation
            metricMeasureColumn: alert.measure
            operator: 'GreaterThan'
            threshold: alert.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: actions
    }
  }
]

// Metric alerts: resource, metric, dimension filter, aggregation, threshold.
var metricAlertDefinitions = [
  {
    name: 'dead-letters'
    description: 'Events were dead-lettered on a Service Bus subscription (SMS, app messages or payroll did not get them). Inspect and resubmit.'
    severity: 1
    scope: serviceBusId
    metric: 'DeadletteredMessages'
    dimensions: [
      {
        name: 'EntityName'
        operator: 'Include'
        values: ['*']
      }
    ]
    aggregation: 'Maximum'
    threshold: 0
  }
  {
    name: 'storage-throttling'
    description: 'The data storage account throttled or timed out requests: the account or a partition is at its scale target.'
    severity: 2
    scope: dataStorageId
    metric: 'Transactions'
    dimensions: [
      {
        name: 'ResponseType'
        operator: 'Include'
        values: ['ServerBusyError', 'ClientThrottlingError', 'ServerTimeoutError']
      }
    ]
    aggregation: 'Total'
    threshold: storageThrottlingThreshold
  }
  {
    name: 'keyvault-failures'
    description: 'Key Vault answered requests with errors: the app may have lost access to its keys (role, network, deleted secret) or is throttled.'
    severity: 1
    scope: keyVaultId
    metric: 'ServiceApiResult'
    dimensions: [
      {
        name: 'StatusCodeClass'
        operator: 'Include'
        values: ['4xx', '5xx']
      }
    ]
    aggregation: 'Count'
    threshold: 0
  }
]

resource metricAlertRules 'Microsoft.Insights/metricAlerts@2026-01-01' = [
  for alert in metricAlertDefinitions: {
    name: '${namePrefix}-${alert.name}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        alert.scope
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.metric
            metricName: alert.metric
            dimensions: alert.dimensions
            operator: 'GreaterThan'
            threshold: alert.threshold
            timeAggregation: alert.aggregation
          }
        ]
      }
      autoMitigate: true
      actions: metricActions
    }
  }
]

@description('Alert rule names.')
output alertNames array = concat(map(logAlerts, a => '${namePrefix}-${a.name}'), map(metricAlertDefinitions, a => '${namePrefix}-${a.name}'))

@description('The OpenTelemetry metric names the alerts and the workbook read.')
output metricNames object = metricNames
