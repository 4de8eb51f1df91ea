import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { CloudTrailServer } from './cloudtrail-server';
import { CloudWatchLogsServer } from './cloudwatch-logs-server';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb';
import { foldDelimiterListings } from './s3rver-delimiter';
import { SnsServer } from './sns-server';

/** s3rver accepts only these credentials; the project's own servers accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

export interface LocalStackOptions {
  /** Buckets to create in the local S3. */
  readonly buckets: readonly string[];
  /** Clock for the CloudWatch Logs server's too-old/too-new checks (ms since epoch). */
  readonly logsNow?: () => number;
}

export interface LocalStack {
  readonly s3Endpoint: string;
  readonly logs: CloudWatchLogsServer;
  readonly sns: SnsServer;
  readonly dynamodb: LocalDynamoDb;
  /** CloudTrail ListPublicKeys, for the digest check (no keys until a test or `npm start` adds them). */
  readonly cloudtrail: CloudTrailServer;
  /**
   * The standard AWS_* variables that point the SDK (and so the unchanged Lambda code) at
   * the local servers: no code path knows it is local.
   */
  readonly env: Record<string, string>;
  /**
   * The S3 event notifications s3rver emits (ObjectCreated:Put/Copy/Post, ObjectRemoved:Delete),
   * as S3 would send them to the function; returns a function that stops listening.
   */
  onS3Event(listener: (event: unknown) => void): () => void;
  /** SDK client options for tests and tools in this process. */
  readonly clientConfig: {
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/**
 * Starts S3 (s3rver), CloudWatch Logs and SNS (the project's strict test servers) and
 * DynamoDB (dynalite) on 127.0.0.1, ephemeral ports.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const directory = await mkdtemp(path.join(tmpdir(), 'trailwatch-s3-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  foldDelimiterListings(s3);
  const address = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${address.port}`;
  let logs: CloudWatchLogsServer | undefined;
  let sns: SnsServer | undefined;
  let dynamodb: LocalDynamoDb | undefined;
  let cloudtrail: CloudTrailServer | undefined;
  try {
    logs = await CloudWatchLogsServer.start({ now: options.logsNow });
    sns = await SnsServer.start();
    dynamodb = await startDynamoDb();
    cloudtrail = await CloudTrailServer.start();
  } catch (err) {
    await Promise.allSettled([s3.close(), logs?.stop(), sns?.stop(), dynamodb?.stop(), cloudtrail?.stop()]);
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  const started = { logs, sns, dynamodb, cloudtrail };
  const env = {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudtrail.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
  };
  return {
    s3Endpoint,
    ...started,
    env,
    onS3Event(listener) {
      s3.on('event', listener);
      return () => void s3.off('event', listener);
    },
    clientConfig: { region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } },
    async stop() {
      await Promise.allSettled([s3.close(), started.logs.stop(), started.sns.stop(), started.dynamodb.stop(), started.cloudtrail.stop()]);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
