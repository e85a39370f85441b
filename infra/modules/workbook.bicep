// The season's view: an Azure Monitor workbook over Application Insights (the app's OpenTelemetry metrics and the
// platform's telemetry) and the workspace (queue and Service Bus logs). Time range picker; one tile per question
// an operations team asks during the season.

@description('Workbook display name.')
param displayName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Application Insights resource id (the workbook\'s source).')
param applicationInsightsId string

@description('The OpenTelemetry metric names (alerts.bicep output).')
param metricNames object

var tiles = [
  {
    title: 'Decisions by status (per hour)'
    query: 'customMetrics | where name == "${metricNames.decisions}" | extend status = tostring(customDimensions["status"]) | summarize Decisions = sum(valueSum) by status, bin(timestamp, 1h) | render columnchart'
    visualization: 'barchart'
  }
  {
    title: 'Decisions by region and channel'
    query: 'customMetrics | where name == "${metricNames.decisions}" | extend region = tostring(customDimensions["region"]), channel = tostring(customDimensions["channel"]), status = tostring(customDimensions["status"]) | summarize Decisions = sum(valueSum) by region, channel, status | order by Decisions desc'
    visualization: 'table'
  }
  {
    title: 'Rejections and reviews by reason'
    query: 'customMetrics | where name == "${metricNames.decisions}" | extend status = tostring(customDimensions["status"]), reason = tostring(customDimensions["reason"]) | where status != "Approved" | summarize Decisions = sum(valueSum) by status, reason | order by Decisions desc'
    visualization: 'table'
  }
  {
    title: 'Verification queue age (s): mean and p95 of maxima'
    query: 'customMetrics | where name == "${metricNames.queueAge}" | summarize Mean = sum(valueSum) / sum(valueCount), P95 = percentile(valueMax, 95) by bin(timestamp, 5m) | render timechart'
    visualization: 'timechart'
  }
  {
    title: 'Verification duration (ms) by stage'
    query: 'customMetrics | where name == "${metricNames.verificationDuration}" | extend stage = tostring(customDimensions["stage"]) | summarize Mean = sum(valueSum) / sum(valueCount) by stage, bin(timestamp, 5m) | render timechart'
    visualization: 'timechart'
  }
  {
    title: 'Oldest open review case (hours)'
    query: 'customMetrics | where name == "${metricNames.reviewBacklogOldestAge}" | summarize Hours = max(valueMax) / 3600.0 by bin(timestamp, 1h) | render timechart'
    visualization: 'timechart'
  }
  {
    title: 'Cycle exceptions per day'
    query: 'customMetrics | where name == "${metricNames.cycleExceptions}" | summarize Exceptions = sum(valueSum) by bin(timestamp, 1d) | render columnchart'
    visualization: 'barchart'
  }
  {
    title: 'Outbox lag (s)'
    query: 'customMetrics | where name == "${metricNames.outboxLag}" | summarize Lag = max(valueMax) by bin(timestamp, 5m) | render timechart'
    visualization: 'timechart'
  }
  {
    title: 'Instances'
    query: 'union requests, traces | summarize Instances = dcount(cloud_RoleInstance) by bin(timestamp, 5m) | render timechart'
    visualization: 'timechart'
  }
  {
    title: 'Failed requests by operation'
    query: 'requests | where success == false | summarize Failures = count() by operation_Name, resultCode | order by Failures desc'
    visualization: 'table'
  }
]

var workbook = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        content: {
          json: '## PensionCert: the certification season\nDecisions, queue age, review backlog, cycle exceptions, outbox lag and scale. Metric names: docs/deploy.md, "Metrics".'
        }
        name: 'title'
      }
      {
        type: 9
        content: {
          version: 'KqlParameterItem/1.0'
          parameters: [
            {
              id: 'time-range'
              version: 'KqlParameterItem/1.0'
              name: 'TimeRange'
              type: 4
              value: { durationMs: 86400000 }
              typeSettings: {
                selectableValues: [
                  { durationMs: 3600000 }
                  { durationMs: 86400000 }
                  { durationMs: 604800000 }
                  { durationMs: 2592000000 }
                ]
              }
            }
          ]
        }
        name: 'parameters'
      }
    ],
    map(range(0, length(tiles)), i => {
      type: 3
      content: {
        version: 'KqlItem/1.0'
        title: tiles[i].title
        query: tiles[i].query
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: tiles[i].visualization
      }
      customWidth: '50'
      name: 'tile-${i}'
    })
  )
}

resource season 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'pensioncert-season', displayName)
  location: location
  tags: union(tags, { 'hidden-title': displayName })
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(workbook)
  }
}

@description('Workbook resource id.')
output id string = season.id

@description('Number of query tiles.')
output tileCount int = length(tiles)
