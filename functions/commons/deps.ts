import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CloudWatchLogsSink } from '../../lib/aws/cloudwatch-logs-sink';
import { DynamoDbAlertLedger } from '../../lib/aws/dynamodb-alert-ledger';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import { SnsNotifier } from '../../lib/aws/sns-notifier';
import { topicArn, type Config } from '../../lib/config';
import type { AlertChannel, IngestDeps } from '../../lib/ingest';
import { notificationChannel } from '../../lib/notify';
import { ruleAnalyser, type RulePack } from '../../lib/rules';
import type { LoggerLike, MetricsLike } from '../../lib/telemetry';

/**
 * The Lambda's dependencies, from its configuration: AWS clients (endpoints, region and
 * retries from the standard AWS_* variables), adapters and the rule pack. Shared by the
 * handler and the CLI's replay commands, so a replay runs exactly what the function runs.
 */
export function buildIngestDeps(
  config: Config,
  pack: RulePack,
  telemetry: { logger: LoggerLike; metrics: MetricsLike },
  invokedFunctionArn?: string,
): IngestDeps {
  const channels: AlertChannel[] = [];
  const complete = (arn: string | undefined, name: string | undefined): string | undefined => {
    if (arn || invokedFunctionArn) return topicArn(arn, name, invokedFunctionArn);
    // not in Lambda (serverless invoke local without -e …_TOPIC_ARN): say so, send nothing
    if (name) telemetry.logger.warn(`topic ${name} has no ARN outside Lambda: set its *_TOPIC_ARN to publish; notifications to it are off`);
    return undefined;
  };
  const alertTopic = complete(config.ALERT_TOPIC_ARN, config.ALERT_TOPIC_NAME);
  const findingsTopic = complete(config.FINDINGS_TOPIC_ARN, config.FINDINGS_TOPIC_NAME);
  const notifyOptions = {
    logGroup: config.LOG_GROUP_NAME,
    always: config.NOTIFY_ALWAYS,
    minSeverity: config.NOTIFY_MIN_SEVERITY,
    consoleRegion: process.env.AWS_REGION,
  };
  const sns = alertTopic || findingsTopic ? new SNSClient({}) : undefined;
  if (sns && alertTopic) {
    channels.push(notificationChannel('people', new SnsNotifier(sns, alertTopic), { ...notifyOptions, format: 'text' }));
  }
  if (sns && findingsTopic) {
    channels.push(notificationChannel('machines', new SnsNotifier(sns, findingsTopic), { ...notifyOptions, format: 'json' }));
  }
  const dynamo = config.DEDUP_TABLE_NAME ? new DynamoDBClient({}) : undefined;
  return {
    source: new S3ObjectSource(new S3Client({})),
    sink: new CloudWatchLogsSink(new CloudWatchLogsClient({})),
    logGroup: config.LOG_GROUP_NAME,
    gunzip: { maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES },
    maxInFlight: config.PUT_LOG_EVENTS_MAX_IN_FLIGHT,
    analysersFor: (ref) => [ruleAnalyser(pack, ref)],
    channels,
    ...(dynamo && config.DEDUP_TABLE_NAME
      ? {
          ledger: new DynamoDbAlertLedger(dynamo, { tableName: config.DEDUP_TABLE_NAME }),
          idempotency: { store: new DynamoDBPersistenceLayer({ tableName: config.DEDUP_TABLE_NAME, awsSdkV3Client: dynamo }) },
        }
      : {}),
    ...telemetry,
  };
}
