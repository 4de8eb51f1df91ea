import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createBaselineTable, createDedupTable } from '../../testkit/dynamodb';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';
import { loadRulePack } from '../../lib/rules';
import { sigmaRuleFormat } from '../../lib/rules/sigma';
import { ROOT, serverless } from './serverless-cli';

/**
 * The deployable function, bundled by serverless-esbuild and run by `serverless invoke
 * local`, against the local stack through nothing but the standard AWS_* variables.
 */
const BUCKET = 'invoke-local-trail';
const GROUP = '/trailwatch/invoke-local';
const NOW = Date.UTC(2026, 10, 24, 9, 20);
const KEY =
  'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/24/111122223333_CloudTrail_eu-west-1_20261124T0905Z_InvokeLocal00001.json.gz';

function invokeLocal(stack: LocalStack, eventFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return serverless(['invoke', 'local', '-f', 'ingest', '-p', eventFile, `--param=logGroupName=${GROUP}`], // no SNS here: alerts explicitly off (without it, a topic with no ARN is a configuration error)
    { env: { ...stack.env, TRAILWATCH_ALERTS: 'off' } }).then((run) => ({
    ...run,
    code: run.code ?? 1,
  }));
}

function jsonLine(line: string): Record<string, unknown> | undefined {
  try {
    return line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // the pretty-printed return value spans several lines
  }
}

describe('serverless invoke local against the local stack', () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startLocalStack({ buckets: [BUCKET], logsNow: () => NOW });
    dir = mkdtempSync(path.join(tmpdir(), 'trailwatch-invoke-'));
    const clientConfig = { ...stack.clientConfig };
    const logs = new CloudWatchLogsClient({ ...clientConfig, endpoint: stack.logs.endpoint });
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    logs.destroy();
    // what the stack creates: the de-duplication table under serverless.yml's default name
    const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: stack.dynamodb.endpoint });
    await createDedupTable(dynamo, 'trailwatch-dev-dedup');
    await createBaselineTable(dynamo, 'trailwatch-dev-anomaly');
    dynamo.destroy();
    const records = Array.from({ length: 25 }, (_, i) => ({
      eventVersion: '1.11',
      eventTime: `2026-11-24T09:0${i % 5}:00Z`,
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      awsRegion: 'eu-west-1',
      eventID: `id-${i}`,
    }));
    const s3 = new S3Client({ ...clientConfig, endpoint: stack.s3Endpoint });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: gzipSync(JSON.stringify({ Records: records })) }));
    s3.destroy();
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards the object named by a direct S3 event and logs one structured line for it', async () => {
    // Prepare
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'eu-west-1',
          eventTime: '2026-11-24T09:06:00.000Z',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: KEY, size: 1 } },
        },
      ],
    };
    const eventFile = path.join(dir, 's3.json');
    writeFileSync(eventFile, JSON.stringify(event));

    // Act
    const run = await invokeLocal(stack, eventFile);

    // Assess
    if (run.code !== 0) console.log(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    expect(stack.logs.events(GROUP, '111122223333_CloudTrail_eu-west-1')).toHaveLength(25);
    const line = run.stdout
      .split('\n')
      .map(jsonLine)
      .find((l) => l?.key === KEY);
    expect(line).toMatchObject({ level: 'INFO', service: 'trailwatch-dev', status: 'processed', records: { read: 25, forwarded: 25 } });
    // the bundle's built-in pack (parsed at build time) is the pack the YAML files give
    const fromYaml = await loadRulePack({ builtinDir: path.join(ROOT, 'rules'), formats: [sigmaRuleFormat] });
    const loaded = run.stdout.split('\n').map(jsonLine).find((l) => String(l?.message).startsWith('rule pack loaded'));
    expect(loaded?.message).toBe(`rule pack loaded: ${fromYaml.rules.length} rules active`);
  }, 120_000);

  it('fails the invocation (so Lambda retries and dead-letters it) when the object is missing', async () => {
    // Prepare
    const eventFile = path.join(dir, 'missing.json');
    const missingKey = KEY.replace('InvokeLocal00001', 'Missing000000001');
    writeFileSync(
      eventFile,
      JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: missingKey } } }] }),
    );

    // Act
    const run = await invokeLocal(stack, eventFile);

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/DeliveryFailed|NoSuchKey/);
  }, 120_000);
});
