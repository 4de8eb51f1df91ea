import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { buildIngestDeps } from '../../functions/commons/deps';
import { loadConfig } from '../../lib/config';
import { ingestEvent, type IngestSummary } from '../../lib/ingest';
import { buildRulePack } from '../../lib/rules';
import type { LoggerLike, MetricsLike } from '../../lib/telemetry';
import { createBaselineTable } from '../../testkit/dynamodb';
import { FaultProxy, serviceErrors } from '../../testkit/fault-proxy';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';

/**
 * Issue 9 item 4: the baseline store failing (UpdateItem answered 500 on every attempt) must
 * not pass as an INFO line. Runs the function's own wiring (functions/commons/deps.ts,
 * `buildIngestDeps`) against dynalite behind a fault proxy, through nothing but the
 * standard AWS_* variables, as the Lambda would.
 */
const BUCKET = 'anomaly-failure-trail';
const GROUP = '/trailwatch/anomaly-failure';
const TABLE = 'trailwatch-it-anomaly';
const NOW = Date.UTC(2026, 10, 24, 9, 20);
const KEY = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/24/111122223333_CloudTrail_eu-west-1_20261124T0905Z_StoreFailure0001.json.gz';

describe('a baseline-store failure in the deployed wiring', () => {
  let stack: LocalStack;
  let proxy: FaultProxy;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    stack = await startLocalStack({ buckets: [BUCKET], logsNow: () => NOW });
    proxy = await FaultProxy.start(stack.dynamodb.endpoint);
    const env = {
      ...stack.env,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      // two attempts instead of the function's eight: the same outcome, sooner
      AWS_MAX_ATTEMPTS: '2',
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const dynamo = new DynamoDBClient({ ...stack.clientConfig, endpoint: stack.dynamodb.endpoint });
    await createBaselineTable(dynamo, TABLE);
    dynamo.destroy();
    const logs = new CloudWatchLogsClient({ ...stack.clientConfig, endpoint: stack.logs.endpoint });
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    logs.destroy();
    const records = Array.from({ length: 40 }, (_, i) => ({
      eventVersion: '1.11',
      eventTime: `2026-11-24T09:0${i % 5}:00Z`,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      eventType: 'AwsApiCall',
      readOnly: true,
      awsRegion: 'eu-west-1',
      eventID: `store-failure-${i}`,
    }));
    const s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: gzipSync(JSON.stringify({ Records: records })) }));
    s3.destroy();
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await Promise.allSettled([proxy?.stop(), stack?.stop()]);
  });

  it('logs an ERROR and counts AnomalyStoreFailures, and the delivery itself still succeeds', async () => {
    // Prepare: every counter write fails with DynamoDB's 500
    proxy.injectFault((r) => (r.operation === 'UpdateItem' ? serviceErrors.dynamoDbInternalError() : undefined));
    const lines: { level: string; message: string }[] = [];
    const log = (level: string) => (message: string) => void lines.push({ level, message });
    const logger: LoggerLike = { info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
    const metrics: string[] = [];
    const metricsFake: MetricsLike = {
      addMetric: (name, _unit, value) => metrics.push(`${name}=${value}`),
      addCountWithReason: (name, reason) => metrics.push(`${name}:${reason}`),
      addCountBy: (name, _dimension, value, count) => metrics.push(`${name}:${value}=${count}`),
    };
    const config = loadConfig({ LOG_GROUP_NAME: GROUP, ANOMALY_TABLE_NAME: TABLE });
    const deps = buildIngestDeps(config, buildRulePack([]), { logger, metrics: metricsFake });
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: KEY, size: 1 } } }] };

    // Act
    const summary = (await ingestEvent(event, deps)) as IngestSummary;

    // Assess: the records were forwarded (the delivery is not failed for lost counts) …
    expect(summary.objects).toMatchObject([{ status: 'processed', recordsForwarded: 40 }]);
    expect(proxy.requests().filter((r) => r.operation === 'UpdateItem' && r.status === 500)).toHaveLength(2);
    // … and the lost counts are loud: an ERROR line naming the store failure, and the metric
    const anomalyLines = lines.filter((l) => l.message.startsWith('anomaly detection:'));
    expect(anomalyLines).toEqual([{ level: 'ERROR', message: expect.stringMatching(/^anomaly detection: failed: baseline store failed/) }]);
    expect(metrics).toContain('AnomalyStoreFailures=1');
  });
});
