// Log alerts for the peak season: messages given up to the poison queue, the failure rate of function
// executions, and the age of verification messages when a worker picks them up (the backlog). Each fires an
// optional e-mail action group.

@description('Name prefix of the alert rules.')
param namePrefix string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Application Insights resource id (requests and traces of the Function App).')
param applicationInsightsId string

@description('Log Analytics workspace id (StorageQueueLogs of the storage account).')
param workspaceId string

@description('Poison queue names, e.g. certification-verification-poison.')
param poisonQueues array

@description('Function name of the verification queue trigger (FunctionNames.VerifyCertification).')
param verificationFunctionName string

@description('Alert when more than this percentage of function executions fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param failureRatePercent int

@description('Only judge the failure rate when at least this many executions ran in the window.')
@minValue(1)
param failureRateMinimumExecutions int

@description('Alert when a verification message waited longer than this (seconds) before a worker picked it up.')
@minValue(10)
param maxQueueAgeSeconds int

@description('E-mail address that receives the alerts; empty for none (the alerts still show in Azure Monitor).')
param alertEmail string

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

var poisonFilter = join(map(poisonQueues, q => 'Uri contains "/${q}/messages"'), ' or ')

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-poison-queue'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'PensionCert: messages moved to a poison queue'
    description: 'A verification message failed maxDequeueCount times and the Functions host moved it to the poison queue. Inspect it with Storage Explorer; requeue after fixing the cause.'
    severity: 1
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'StorageQueueLogs | where OperationName == "PutMessage" and StatusCode between (200 .. 299) | where ${poisonFilter}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
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

resource failureRateAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-failure-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'PensionCert: function failure rate'
    description: 'More than ${failureRatePercent}% of function executions (HTTP and queue) failed in 15 minutes. Check exceptions and storage availability.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: replace('''
requests
| summarize Executions = count(), Failures = countif(success == false) by bin(timestamp, 5m)
| where Executions >= MIN_EXECUTIONS
| extend FailureRatePercent = 100.0 * Failures / Executions
''', 'MIN_EXECUTIONS', string(failureRateMinimumExecutions))
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'FailureRatePercent'
          operator: 'GreaterThan'
          threshold: failureRatePercent
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

// The Functions host logs "Trigger Details: MessageId: …, DequeueCount: …, InsertedOn: <ISO time>" for every
// queue-triggered execution; InsertedOn to the log time is how long the message waited.
resource queueAgeAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-queue-age'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'PensionCert: verification backlog (queue message age)'
    description: 'Verification messages waited more than ${maxQueueAgeSeconds} s before a worker picked them up: instances are at maximumInstanceCount or failing. Raise maximumInstanceCount or check failures.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: replace('''
traces
| where operation_Name == "FUNCTION" and message startswith "Trigger Details:"
| extend InsertedOn = todatetime(extract(@"InsertedOn: ([^,\s]+)", 1, message))
| where isnotnull(InsertedOn)
| extend AgeSeconds = datetime_diff("second", timestamp, InsertedOn)
''', 'FUNCTION', verificationFunctionName)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'AgeSeconds'
          operator: 'GreaterThan'
          threshold: maxQueueAgeSeconds
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

@description('Alert rule resource ids.')
output alertIds array = [
  poisonAlert.id
  failureRateAlert.id
  queueAgeAlert.id
]
