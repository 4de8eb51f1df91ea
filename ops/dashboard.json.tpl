{
  "start": "-PT24H",
  "periodOverride": "inherit",
  "widgets": [
    {
      "type": "text",
      "x": 0,
      "y": 0,
      "width": 24,
      "height": 2,
      "properties": {
        "markdown": "## trailwatch ${Service}\nCloudTrail log files from S3 to the log group `${LogGroup}`, findings, one notification per delivery. Alarms publish to the operations topic; saved queries (event history, one event, events around one event, comparison of up to five events) are under **Logs Insights → Saved queries → ${Service}**. Runbooks: the README, Operations."
      }
    },
    {
      "type": "alarm",
      "x": 0,
      "y": 2,
      "width": 24,
      "height": 3,
      "properties": {
        "title": "Alarms",
        "alarms": [
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-function-errors",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-function-throttles",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-function-duration",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-failure-queue-not-empty",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-failure-queue-stale",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-objects-failed",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-triggers-rejected",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-rule-files-broken",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-anomaly-store-failures",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-no-log-file-processed",
          "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Service}-no-digest-verified"
        ]
      }
    },
    {
      "type": "metric",
      "x": 0,
      "y": 5,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Deliveries",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "ObjectsProcessed", "service", "${Service}", {"stat": "Sum", "label": "processed"}],
          ["Trailwatch", "ObjectsSkipped", "service", "${Service}", {"stat": "Sum", "label": "skipped"}],
          ["Trailwatch", "ObjectsFailed", "service", "${Service}", {"stat": "Sum", "label": "failed"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 8,
      "y": 5,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Failed deliveries by reason",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          [{"expression": "SEARCH('{Trailwatch,Reason,service} MetricName=\"ObjectsFailedByReason\" service=\"${Service}\"', 'Sum', 300)", "id": "failedByReason", "label": ""}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 16,
      "y": 5,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Skipped objects by kind",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          [{"expression": "SEARCH('{Trailwatch,Reason,service} MetricName=\"ObjectsSkippedByReason\" service=\"${Service}\"', 'Sum', 300)", "id": "skippedByKind", "label": ""}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 0,
      "y": 11,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Records",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "RecordsRead", "service", "${Service}", {"stat": "Sum", "label": "read"}],
          ["Trailwatch", "RecordsForwarded", "service", "${Service}", {"stat": "Sum", "label": "forwarded"}],
          ["Trailwatch", "RecordsRejected", "service", "${Service}", {"stat": "Sum", "label": "rejected by CloudWatch Logs"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 8,
      "y": 11,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Bytes",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "BytesCompressed", "service", "${Service}", {"stat": "Sum", "label": "gzip read"}],
          ["Trailwatch", "BytesDecompressed", "service", "${Service}", {"stat": "Sum", "label": "JSON decoded"}],
          ["Trailwatch", "BytesForwarded", "service", "${Service}", {"stat": "Sum", "label": "forwarded"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 16,
      "y": 11,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "PutLogEvents calls",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "PutLogEventsCalls", "service", "${Service}", {"stat": "Sum", "label": "calls"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 0,
      "y": 17,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Duration (ms)",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "ObjectDuration", "service", "${Service}", {"stat": "Average", "label": "per object, average"}],
          ["Trailwatch", "ObjectDuration", "service", "${Service}", {"stat": "Maximum", "label": "per object, maximum"}],
          ["AWS/Lambda", "Duration", "FunctionName", "${FunctionName}", {"stat": "Maximum", "label": "invocation, maximum"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 8,
      "y": 17,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Failure queue",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${QueueName}", {"stat": "Maximum", "label": "messages waiting"}],
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${QueueName}", {"stat": "Maximum", "label": "oldest (s)", "yAxis": "right"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 16,
      "y": 17,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Function",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["AWS/Lambda", "Invocations", "FunctionName", "${FunctionName}", {"stat": "Sum", "label": "invocations"}],
          ["AWS/Lambda", "Errors", "FunctionName", "${FunctionName}", {"stat": "Sum", "label": "errors"}],
          ["AWS/Lambda", "Throttles", "FunctionName", "${FunctionName}", {"stat": "Sum", "label": "throttles"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 0,
      "y": 23,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Findings by severity",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": true,
        "period": 300,
        "metrics": [
          [{"expression": "SEARCH('{Trailwatch,Severity,service} MetricName=\"FindingsBySeverity\" service=\"${Service}\"', 'Sum', 300)", "id": "bySeverity", "label": ""}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 8,
      "y": 23,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Findings by rule",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": true,
        "period": 300,
        "metrics": [
          [{"expression": "SEARCH('{Trailwatch,RuleId,service} MetricName=\"FindingsByRule\" service=\"${Service}\"', 'Sum', 300)", "id": "byRule", "label": ""}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 16,
      "y": 23,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Unusual API rates (Insights-like)",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "AnomalyStarts", "service", "${Service}", {"stat": "Sum", "label": "Start"}],
          ["Trailwatch", "AnomalyEnds", "service", "${Service}", {"stat": "Sum", "label": "End"}],
          ["Trailwatch", "AnomalyStoreFailures", "service", "${Service}", {"stat": "Sum", "label": "baseline store failures"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 0,
      "y": 29,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Notifications",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "NotificationsPublished", "service", "${Service}", {"stat": "Sum", "label": "published"}],
          ["Trailwatch", "NotificationsFailed", "service", "${Service}", {"stat": "Sum", "label": "failed"}],
          ["Trailwatch", "FindingsSuppressedAsDuplicate", "service", "${Service}", {"stat": "Sum", "label": "already alerted"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 8,
      "y": 29,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Duplicates and retries",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          ["Trailwatch", "DuplicateDeliveries", "service", "${Service}", {"stat": "Sum", "label": "duplicate events"}],
          ["Trailwatch", "ConcurrentDuplicateDeliveries", "service", "${Service}", {"stat": "Sum", "label": "concurrent duplicates"}],
          ["Trailwatch", "PendingAlertsRetried", "service", "${Service}", {"stat": "Sum", "label": "pending alerts retried"}]
        ]
      }
    },
    {
      "type": "metric",
      "x": 16,
      "y": 29,
      "width": 8,
      "height": 6,
      "properties": {
        "title": "Rejected triggers by reason",
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": false,
        "period": 300,
        "metrics": [
          [{"expression": "SEARCH('{Trailwatch,Reason,service} MetricName=\"TriggersRejected\" service=\"${Service}\"', 'Sum', 300)", "id": "triggersRejected", "label": ""}]
        ]
      }
    },
    {
      "type": "log",
      "x": 0,
      "y": 35,
      "width": 12,
      "height": 8,
      "properties": {
        "title": "Recent console sign-ins",
        "region": "${AWS::Region}",
        "view": "table",
        "query": "SOURCE '${LogGroup}' | filter eventName = \"ConsoleLogin\"\n| fields @timestamp, userIdentity.type, userIdentity.arn, sourceIPAddress, responseElements.ConsoleLogin as result, additionalEventData.MFAUsed as mfa, errorMessage\n| sort @timestamp desc\n| limit 50"
      }
    },
    {
      "type": "log",
      "x": 12,
      "y": 35,
      "width": 12,
      "height": 8,
      "properties": {
        "title": "Root user activity",
        "region": "${AWS::Region}",
        "view": "table",
        "query": "SOURCE '${LogGroup}' | filter userIdentity.type = \"Root\"\n| fields @timestamp, eventSource, eventName, sourceIPAddress, userAgent, errorCode\n| sort @timestamp desc\n| limit 50"
      }
    },
    {
      "type": "log",
      "x": 0,
      "y": 43,
      "width": 8,
      "height": 8,
      "properties": {
        "title": "Top error codes",
        "region": "${AWS::Region}",
        "view": "table",
        "query": "SOURCE '${LogGroup}' | filter ispresent(errorCode)\n| stats count(*) as calls by errorCode\n| sort calls desc\n| limit 20"
      }
    },
    {
      "type": "log",
      "x": 8,
      "y": 43,
      "width": 8,
      "height": 8,
      "properties": {
        "title": "Top callers",
        "region": "${AWS::Region}",
        "view": "table",
        "query": "SOURCE '${LogGroup}' | filter ispresent(userIdentity.arn)\n| stats count(*) as calls by userIdentity.arn\n| sort calls desc\n| limit 20"
      }
    },
    {
      "type": "log",
      "x": 16,
      "y": 43,
      "width": 8,
      "height": 8,
      "properties": {
        "title": "Top event names",
        "region": "${AWS::Region}",
        "view": "table",
        "query": "SOURCE '${LogGroup}' | stats count(*) as calls by eventSource, eventName\n| sort calls desc\n| limit 20"
      }
    }
  ]
}
