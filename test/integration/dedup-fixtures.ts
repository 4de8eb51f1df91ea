import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CloudWatchLogsSink } from '../../lib/aws/cloudwatch-logs-sink';
import { DynamoDbAlertLedger } from '../../lib/aws/dynamodb-alert-ledger';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import type { TrailRecord } from '../../lib/cloudtrail/types';
import type { Finding } from '../../lib/findings';
import type { AlertChannel, IngestDeps } from '../../lib/ingest';
import type { Analyser } from '../../lib/pipeline';
import type { DeliveryReport } from '../../lib/report';
import type { LoggerLike, MetricsLike } from '../../lib/telemetry';
import { createDedupTable, startDynamoDb } from '../../testkit/dynamodb';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';

/**
 * What the de-duplication and delivery-trust suites share: small log files of sign-ins
 * (`login-*` ids are ConsoleLogin records), a stand-in rule engine that finds each of them,
 * and a channel that records what it was asked to publish.
 */
export const trailKey = (unique: string): string =>
  `AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0905Z_${unique}.json.gz`;

/** S3's own notification for one object; it carries the object's ETag bare, without quotes. */
export const s3EventIn =
  (bucket: string) =>
  (key: string, eTag?: string) => ({
    Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: 1, eTag } } }],
  });

export function loginRecords(ids: string[]) {
  return ids.map((id, i) => ({
    eventVersion: '1.11',
    eventTime: `2026-11-24T09:0${i % 5}:00Z`,
    eventSource: 'signin.amazonaws.com',
    eventName: id.startsWith('login') ? 'ConsoleLogin' : 'GetCallerIdentity',
    awsRegion: 'us-east-1',
    eventID: id,
  }));
}

/** A stand-in for the rule engine: one finding per ConsoleLogin, keyed by eventID. */
export function loginAnalyser(ref: { bucket: string; key: string }): Analyser {
  const found: Finding[] = [];
  return {
    observe(rs: readonly TrailRecord[]) {
      for (const r of rs) {
        if (r.record.eventName !== 'ConsoleLogin') continue;
        const id = String(r.record.eventID);
        found.push({ ruleId: 'console-login', title: 'Console login', severity: 'HIGH', source: 'rule', eventID: id, object: ref, count: 1, dedupKey: `console-login:${id}` });
      }
    },
    finish: () => found,
  };
}

/** Records what it publishes; `failNext` fails one call, `down` every call until cleared. */
export class RecordingChannel implements AlertChannel {
  constructor(readonly name = 'test') {}
  readonly sent: DeliveryReport[] = [];
  failNext = false;
  down = false;
  async notify(report: DeliveryReport) {
    if (this.down || this.failNext) {
      this.failNext = false;
      throw new Error('SNS is down');
    }
    if (report.findings.length === 0) return { published: false };
    this.sent.push(report);
    return { published: true, messageId: `m${this.sent.length}` };
  }
  /** The eventIDs alerted, in the order they were published. */
  get alertedEventIds(): string[] {
    return this.sent.flatMap((r) => r.findings.map((f) => f.eventID ?? ''));
  }
}

export interface DedupEnvironment {
  readonly stack: LocalStack;
  readonly s3: S3Client;
  readonly ddb: DynamoDBClient;
  /** The Lambda's dependencies against the local servers, without channels (each test adds its own). */
  readonly deps: IngestDeps;
  stop(): Promise<void>;
}

/**
 * s3rver, the strict CloudWatch Logs server and dynalite, with the bucket, the log group and
 * the de-duplication table made, and the deps the function would build against them.
 */
export async function startDedupEnvironment(options: {
  readonly bucket: string;
  readonly group: string;
  readonly table: string;
  readonly now: number;
  readonly logger: LoggerLike;
  readonly metrics: MetricsLike;
}): Promise<DedupEnvironment> {
  const [stack, dynamo] = await Promise.all([startLocalStack({ buckets: [options.bucket], logsNow: () => options.now }), startDynamoDb()]);
  const s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint });
  const ddb = new DynamoDBClient(dynamo.clientConfig);
  await createDedupTable(ddb, options.table);
  const logs = new CloudWatchLogsClient({ ...stack.clientConfig, endpoint: stack.logs.endpoint });
  await logs.send(new CreateLogGroupCommand({ logGroupName: options.group }));
  const deps: IngestDeps = {
    source: new S3ObjectSource(s3),
    sink: new CloudWatchLogsSink(logs),
    logGroup: options.group,
    logger: options.logger,
    metrics: options.metrics,
    analysersFor: (ref) => [loginAnalyser(ref)],
    ledger: new DynamoDbAlertLedger(ddb, { tableName: options.table }),
    idempotency: { store: new DynamoDBPersistenceLayer({ tableName: options.table, awsSdkV3Client: ddb }) },
  };
  return {
    stack,
    s3,
    ddb,
    deps,
    stop: async () => {
      s3.destroy();
      ddb.destroy();
      logs.destroy();
      await Promise.all([stack.stop(), dynamo.stop()]);
    },
  };
}
