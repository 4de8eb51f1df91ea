import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CloudWatchLogsSink } from '../../lib/aws/cloudwatch-logs-sink';
import { anomalyAnalysersFor, anomalyOptionsFromEnv, insightAnalyser } from '../../lib/anomaly';
import { DynamoDbAlertLedger } from '../../lib/aws/dynamodb-alert-ledger';
import { DynamoDbBaselineStore } from '../../lib/aws/dynamodb-baseline-store';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import { EventBridgePublisher } from '../../lib/aws/eventbridge-publisher';
import type { SecurityHubImporter } from '../../lib/aws/securityhub-importer';
import { CloudTrailPublicKeys } from '../../lib/aws/cloudtrail-public-keys';
import { DynamoDbLogHashStore } from '../../lib/aws/dynamodb-log-hash-store';
import { CachedPublicKeys, IntegrityReader } from '../../lib/integrity';
import { SnsNotifier } from '../../lib/aws/sns-notifier';
import { ConfigError, topicArn, type Config } from '../../lib/config';
import type { KeyClass } from '../../lib/cloudtrail/classify';
import type { ObjectRef } from '../../lib/cloudtrail/types';
import type { AlertChannel, IngestDeps } from '../../lib/ingest';
import type { Analyser } from '../../lib/pipeline';
import { notificationChannel } from '../../lib/notify';
import { eventBridgeChannel, securityHubChannel } from '../../lib/outputs';
import { exceptionAnalyser, type RulePack } from '../../lib/rules';
import { recordAnomalyResult, type LoggerLike, type MetricsLike } from '../../lib/telemetry';

/**
 * The Lambda's dependencies, from its configuration: AWS clients (endpoints, region and
 * retries from the standard AWS_* variables), adapters and the rule pack. Shared by the
 * handler and the CLI's replay commands, so a replay runs exactly what the function runs.
 */
/**
 * Every client gives up on a connection after 5 s and on a silent socket after 30 s (an
 * S3 download counts as alive while bytes flow), so a stalled call becomes a retried,
 * logged error rather than a Lambda timeout with no reason (the SDK's default waits longer).
 */
export const HTTP = { requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } } as const;

export function buildIngestDeps(
  config: Config,
  pack: RulePack,
  telemetry: { logger: LoggerLike; metrics: MetricsLike },
  invokedFunctionArn?: string,
): IngestDeps {
  const channels: AlertChannel[] = [];
  const alertsOn = config.TRAILWATCH_ALERTS;
  const complete = (arn: string | undefined, name: string | undefined, variable: string): string | undefined => {
    if (!alertsOn) return undefined;
    if (arn || invokedFunctionArn) return topicArn(arn, name, invokedFunctionArn);
    // Not in Lambda (serverless invoke local, replay tools) and no ARN: refuse rather than run
    // without alerting and record the object as done, which would lose its findings for good.
    if (name) {
      throw new ConfigError(
        `topic ${name} has no ARN outside Lambda: set ${variable}, or TRAILWATCH_ALERTS=off (--no-alerts) to process without alerting (findings are then left pending for a later run)`,
      );
    }
    return undefined;
  };
  const alertTopic = complete(config.ALERT_TOPIC_ARN, config.ALERT_TOPIC_NAME, 'ALERT_TOPIC_ARN');
  const findingsTopic = complete(config.FINDINGS_TOPIC_ARN, config.FINDINGS_TOPIC_NAME, 'FINDINGS_TOPIC_ARN');
  if (!alertsOn) telemetry.logger.warn('alerts are off (TRAILWATCH_ALERTS=off): findings are left pending; a later run with topics sends them');
  const notifyOptions = {
    logGroup: config.LOG_GROUP_NAME,
    always: config.NOTIFY_ALWAYS,
    minSeverity: config.NOTIFY_MIN_SEVERITY,
    consoleRegion: process.env.AWS_REGION,
  };
  const chatTopic = config.CHAT_ENABLED ? complete(config.CHAT_TOPIC_ARN, config.CHAT_TOPIC_NAME, 'CHAT_TOPIC_ARN') : undefined;
  const sns = alertTopic || findingsTopic || chatTopic ? new SNSClient(HTTP) : undefined;
  if (sns && alertTopic) {
    channels.push(notificationChannel('people', new SnsNotifier(sns, alertTopic), { ...notifyOptions, format: 'text' }));
  }
  if (sns && findingsTopic) {
    channels.push(notificationChannel('machines', new SnsNotifier(sns, findingsTopic), { ...notifyOptions, format: 'json' }));
  }
  if (sns && chatTopic) {
    channels.push(notificationChannel('chat', new SnsNotifier(sns, chatTopic), { ...notifyOptions, format: 'chat' }));
  }
  if (alertsOn && config.SECURITY_HUB_ENABLED) {
    const [, partition, , region, account] = (invokedFunctionArn ?? '').split(':');
    const accountId = account || process.env.TRAILWATCH_ACCOUNT_ID;
    const home = region || process.env.AWS_REGION;
    if (!accountId || !home) {
      throw new ConfigError('Security Hub output needs the function\'s account and Region: run in Lambda, or set TRAILWATCH_ACCOUNT_ID and AWS_REGION');
    }
    channels.push(securityHubChannel(securityHubImporter(), { accountId, region: home, partition: partition || 'aws' }, telemetry.metrics));
  }
  if (alertsOn && config.EVENT_BUS_NAME) {
    channels.push(eventBridgeChannel(new EventBridgePublisher(new EventBridgeClient(HTTP)), config.EVENT_BUS_NAME, telemetry.metrics));
  }
  const dynamo = config.DEDUP_TABLE_NAME || config.ANOMALY_TABLE_NAME || config.INTEGRITY_TABLE_NAME ? new DynamoDBClient(HTTP) : undefined;
  // Insights-like signal: needs its baseline table; real CloudTrail Insights files need nothing
  const anomalyOptions = anomalyOptionsFromEnv();
  const store = dynamo && config.ANOMALY_TABLE_NAME ? new DynamoDbBaselineStore({ tableName: config.ANOMALY_TABLE_NAME, client: dynamo }) : undefined;
  const anomalies: (ref: ObjectRef, key: KeyClass) => Analyser[] = store
    ? anomalyAnalysersFor(store, anomalyOptions, {
        // a store failure loses the delivery's counts: ERROR and AnomalyStoreFailures, not INFO
        onResult: (result) => recordAnomalyResult(telemetry.logger, telemetry.metrics, result),
      })
    : (ref, key) =>
        key.kind === 'insight' ? [insightAnalyser(ref, key, { severity: anomalyOptions.severity, endSeverity: anomalyOptions.endSeverity })] : [];
  const source = new S3ObjectSource(new S3Client(HTTP));
  return {
    source,
    // log file integrity: hashes kept as files are forwarded, digests checked as they arrive
    ...(config.LOG_INTEGRITY
      ? {
          digests: { reader: new IntegrityReader(source, { maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES }), keys: new CachedPublicKeys(new CloudTrailPublicKeys(HTTP)) },
          ...(dynamo && config.INTEGRITY_TABLE_NAME ? { logHashes: new DynamoDbLogHashStore(dynamo, { tableName: config.INTEGRITY_TABLE_NAME }) } : {}),
        }
      : {}),
    sink: new CloudWatchLogsSink(new CloudWatchLogsClient(HTTP)),
    logGroup: config.LOG_GROUP_NAME,
    gunzip: { maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES },
    maxInFlight: config.PUT_LOG_EVENTS_MAX_IN_FLIGHT,
    analysersFor: (ref, key) => [exceptionAnalyser(pack, ref), ...anomalies(ref, key)],
    channels,
    ...(config.DEDUP_TABLE_NAME && dynamo
      ? {
          ledger: new DynamoDbAlertLedger(dynamo, { tableName: config.DEDUP_TABLE_NAME }),
          idempotency: { store: new DynamoDBPersistenceLayer({ tableName: config.DEDUP_TABLE_NAME, awsSdkV3Client: dynamo }) },
        }
      : {}),
    ...telemetry,
  };
}

/**
 * The Security Hub importer and its client, loaded when a deployment turns the output on
 * (SECURITY_HUB_ENABLED), not when the module loads: the client is the largest part of the
 * bundle (290 KB, mostly the schema of a finding) and a deployment without the output never
 * runs its module code. `require` makes esbuild wrap the module in a function inside the same
 * bundle, which a cold start only pre-parses (the shared SDK core stays one copy, unlike a
 * file of its own); lib/aws/securityhub-importer.ts names the two exports it uses, so the
 * rest of the package stays out.
 */
function securityHubImporter(): SecurityHubImporter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, see above
  const importer = require('../../lib/aws/securityhub-importer') as typeof import('../../lib/aws/securityhub-importer');
  return importer.securityHubImporter(HTTP);
}
