/**
 * Shared set-up for the fault-matrix tests: every server on 127.0.0.1 (s3rver, the strict
 * CloudWatch Logs, SNS and SQS servers, dynalite), fault proxies in front of S3 and
 * DynamoDB, the Lambda's asynchronous-invocation behaviour (two retries, then the
 * on-failure destination record on the SQS failure queue), and the record accounting that
 * every test asserts: records in S3 = stored in CloudWatch Logs + rejected + on the failure
 * path, with nothing lost.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsSink } from '../../../lib/aws/cloudwatch-logs-sink';
import { DynamoDbAlertLedger } from '../../../lib/aws/dynamodb-alert-ledger';
import { S3ObjectSource } from '../../../lib/aws/s3-source';
import { SnsNotifier } from '../../../lib/aws/sns-notifier';
import { PUT_LOG_EVENTS_LIMITS, type LogBatch, type PutLogEventsLimits } from '../../../lib/forward/batcher';
import type { LogSink, LogTarget, PutOutcome } from '../../../lib/forward/sink';
import { ingestEvent, type AlertChannel, type IngestDeps } from '../../../lib/ingest';
import { notificationChannel } from '../../../lib/notify';
import { loadRulePack, ruleAnalyser, type RulePack } from '../../../lib/rules';
import type { MetricsLike } from '../../../lib/telemetry';
import { encodeS3NotificationKey } from '../../../lib/trigger';
import { startDynamoDb, type LocalDynamoDb } from '../../../testkit/dynamodb';
import { FaultProxy } from '../../../testkit/fault-proxy';
import { startLocalStack, type LocalStack } from '../../../testkit/local-stack';
import { SnsServer } from '../../../testkit/sns-server';
import { SqsServer } from '../../../testkit/sqs-server';

export const BUCKET = 'fault-trail';
export const ACCOUNT = '111122223333';
export const STREAM = `${ACCOUNT}_CloudTrail_us-east-1`;
/** The servers' clock: records are minutes old, well inside CloudWatch Logs' 14 days. */
export const NOW = Date.UTC(2026, 10, 24, 9, 20);
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-dev-ingest';
/** serverless.yml: AWS_MAX_ATTEMPTS=8 (the SDK's retry strategy handles throttling and 5xx). */
export const LAMBDA_MAX_ATTEMPTS = 8;
/** serverless.yml: maximumRetryAttempts 2 (S3 invokes asynchronously). */
export const LAMBDA_ASYNC_RETRIES = 2;
const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The Lambda's retry decisions (the SDK's standard strategy: which errors, how many
 * attempts, the retry quota), with the back-off shortened from up to 20 s to milliseconds so
 * that a test with dozens of retries stays fast. Only the waiting differs.
 */
export function lambdaRetries(maxAttempts = LAMBDA_MAX_ATTEMPTS): { retryStrategy: ConfiguredRetryStrategy } {
  return { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt) => 5 * attempt) };
}

/**
 * Which attempt of one SDK call a request is (1 = the first), from the `amz-sdk-request:
 * attempt=N; max=M` header the SDK's retry middleware sends. A fault plan that faults "a
 * share of all calls" but never a call's later attempts keeps every call within the SDK's
 * retries however the concurrent calls interleave, so the invocation's outcome does not
 * depend on the machine's speed.
 */
export function sdkAttempt(headers: IncomingHttpHeaders): number {
  const attempt = /attempt=(\d+)/.exec(String(headers['amz-sdk-request'] ?? ''))?.[1];
  if (attempt === undefined) throw new Error('no amz-sdk-request header: not a request from the AWS SDK');
  return Number(attempt);
}

/**
 * Attempts of one SDK call that a "share of calls" fault plan may fault: below
 * LAMBDA_MAX_ATTEMPTS, so every call gets through within the SDK's retries. Without this
 * bound, which attempts of which call land on a faulted position depends on how concurrent
 * calls interleave, i.e. on the machine's speed, and now and then one call was faulted on all
 * its attempts (the invocation then failed where the test expected it to succeed).
 */
export const FAULTED_ATTEMPTS = 3;

/** Resolves once `condition()` holds, checked every 20 ms; rejects after `limitMs` with `what`. */
export async function eventually(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not the case after ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function key(unique: string, stamp = '20261124T0905Z'): string {
  const day = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  return `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${day}/${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${unique}.json.gz`;
}

export interface TrailFile {
  readonly key: string;
  /** The records' JSON texts, as forwarded. */
  readonly texts: string[];
  readonly eventIds: string[];
  readonly body: Buffer;
}

/**
 * A CloudTrail log file of `n` records with unique eventIDs (`<tag>-<i>`), `roots` of them
 * root-user calls (each one finding of the built-in rule root-account-usage), and `pad`
 * characters of filler per record to make batches large.
 */
export function trailFile(tag: string, n: number, options: { roots?: number; pad?: number; stamp?: string } = {}): TrailFile {
  const records = Array.from({ length: n }, (_, i) => {
    const root = i < (options.roots ?? 0);
    return {
      eventVersion: '1.11',
      userIdentity: root
        ? { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT }
        : { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`, accountId: ACCOUNT },
      eventTime: new Date(NOW - 15 * 60_000 + (i % 600) * 1000).toISOString().replace(/\.\d{3}/, ''),
      eventSource: 'ec2.amazonaws.com',
      eventName: root ? 'DescribeRegions' : 'DescribeInstances',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: { note: 'x'.repeat(options.pad ?? 0) },
      eventID: `${tag}-${i}`,
      readOnly: true,
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
    };
  });
  const texts = records.map((r) => JSON.stringify(r));
  return {
    key: key(tag.replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0').slice(0, 16), options.stamp),
    texts,
    eventIds: records.map((r) => r.eventID),
    body: gzipSync(`{"Records":[${texts.join(',')}]}`),
  };
}

/** The S3 event notification for objects (keys URL-encoded, as S3 sends them). */
export function s3Event(...objects: Array<{ key: string; eTag?: string; versionId?: string; sequencer?: string }>): unknown {
  return {
    Records: objects.map((o) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-11-24T09:06:00.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: {
          key: encodeS3NotificationKey(o.key),
          size: 1,
          ...(o.eTag ? { eTag: o.eTag } : {}),
          ...(o.versionId ? { versionId: o.versionId } : {}),
          ...(o.sequencer ? { sequencer: o.sequencer } : {}),
        },
      },
    })),
  };
}

export interface FaultStack {
  readonly local: LocalStack;
  /** In front of s3rver. */
  readonly s3Proxy: FaultProxy;
  readonly dynamo: LocalDynamoDb;
  /** In front of dynalite. */
  readonly dynamoProxy: FaultProxy;
  readonly sns: SnsServer;
  readonly sqs: SqsServer;
  readonly pack: RulePack;
  /** SDK clients the tests use to set up and inspect (never through a proxy, no faults). */
  readonly admin: { s3: S3Client; sqs: SQSClient; dynamo: DynamoDBClient; sns: SNSClient; logs: CloudWatchLogsClient };
  stop(): Promise<void>;
}

export const TABLE = 'trailwatch-faults-dedup';

export async function startFaultStack(): Promise<FaultStack> {
  const [local, dynamo, sns, sqs, pack] = await Promise.all([
    startLocalStack({ buckets: [BUCKET], logsNow: () => NOW }),
    startDynamoDb(),
    SnsServer.start({ now: () => NOW }),
    SqsServer.start({ now: () => NOW }),
    loadRulePack({ builtinDir: path.join(ROOT, 'rules') }),
  ]);
  const [s3Proxy, dynamoProxy] = await Promise.all([FaultProxy.start(local.s3Endpoint), FaultProxy.start(dynamo.endpoint)]);
  const admin = {
    s3: new S3Client({ ...local.clientConfig, endpoint: local.s3Endpoint }),
    sqs: new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: sqs.endpoint }),
    dynamo: new DynamoDBClient(dynamo.clientConfig),
    sns: new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: sns.endpoint }),
    logs: new CloudWatchLogsClient({ ...local.clientConfig, endpoint: local.logs.endpoint }),
  };
  // serverless.yml's DedupTable: one table for object idempotency and alert claims
  await admin.dynamo.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    local,
    s3Proxy,
    dynamo,
    dynamoProxy,
    sns,
    sqs,
    pack,
    admin,
    async stop() {
      for (const client of Object.values(admin)) client.destroy();
      await Promise.allSettled([local.stop(), dynamo.stop(), sns.stop(), sqs.stop(), s3Proxy.stop(), dynamoProxy.stop()]);
    },
  };
}

/**
 * Stands for the time Lambda waits before a retry (a minute, then two) when a test needs the
 * idempotency locks of earlier invocations to have run out by then: every in-progress
 * record's `in_progress_expiration` (the invocation's deadline; Powertools' attribute) is
 * moved into the past, exactly what the clock would have done. Returns how many it moved,
 * so a test can check that there was a lock to expire.
 */
export async function expireIdempotencyLocks(stack: FaultStack): Promise<number> {
  let moved = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.admin.dynamo.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': { S: 'INPROGRESS' } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      await stack.admin.dynamo.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { id: item.id! },
          UpdateExpression: 'SET in_progress_expiration = :past',
          ExpressionAttributeValues: { ':past': { N: String(Date.now() - 1) } },
        }),
      );
      moved++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return moved;
}

export async function putFile(stack: FaultStack, file: TrailFile): Promise<string> {
  const out = await stack.admin.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: file.body }));
  return (out.ETag ?? '').replace(/"/g, '');
}

/** Metric names and log lines a test can look at. */
export interface Telemetry {
  readonly metrics: string[];
  readonly lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}

export interface DepsOptions {
  readonly logGroup: string;
  /** Through the S3 fault proxy (default) or straight to s3rver. */
  readonly s3Endpoint?: string;
  readonly dynamoEndpoint?: string;
  readonly maxAttempts?: number;
  /** Socket (inactivity) timeout for CloudWatch Logs calls, if the test configures one. */
  readonly logsSocketTimeoutMs?: number;
  /** SNS topics to alert on (one channel each); none: no notifications. */
  readonly topics?: ReadonlyArray<{ name: string; arn: string }>;
  /** Wrap the sink (to count or freeze calls). */
  readonly wrapSink?: (sink: LogSink) => LogSink;
  /** Without object idempotency and the alert ledger. */
  readonly withoutDedup?: boolean;
  /** Smaller PutLogEvents batches than AWS allows, for more calls (more faults) per file. */
  readonly limits?: Partial<PutLogEventsLimits>;
}

/**
 * The Lambda's dependencies as functions/commons/deps.ts builds them (S3 source,
 * CloudWatch Logs sink, built-in rule pack, SNS channels, DynamoDB ledger and
 * idempotency), with each client pointed at the local servers; the log group exists, as
 * the deployed stack makes it.
 */
export function lambdaDeps(stack: FaultStack, telemetry: Telemetry, options: DepsOptions): { deps: IngestDeps; destroy(): void } {
  // The stack creates the destination group with its retention; the function never does.
  stack.local.logs.createGroup(options.logGroup, { retentionInDays: 90 });
  const retries = lambdaRetries(options.maxAttempts);
  const credentials = stack.local.clientConfig;
  const s3 = new S3Client({ ...credentials, endpoint: options.s3Endpoint ?? stack.s3Proxy.endpoint, ...retries });
  const logs = new CloudWatchLogsClient({
    ...credentials,
    endpoint: stack.local.logs.endpoint,
    ...retries,
    ...(options.logsSocketTimeoutMs ? { requestHandler: { socketTimeout: options.logsSocketTimeoutMs } } : {}),
  });
  const dynamo = new DynamoDBClient({ ...stack.dynamo.clientConfig, endpoint: options.dynamoEndpoint ?? stack.dynamoProxy.endpoint, ...retries });
  const sns = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: stack.sns.endpoint, ...retries });
  const metrics: MetricsLike = {
    addMetric: (name) => telemetry.metrics.push(name),
    addCountWithReason: (name, reason) => telemetry.metrics.push(`${name}:${reason}`),
    addCountBy: (name, _dimension, value) => telemetry.metrics.push(`${name}:${value}`),
  };
  const log =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]): void => {
      telemetry.lines.push({ level, message, ...(extra[0] ? { fields: extra[0] } : {}) });
    };
  const channels: AlertChannel[] = (options.topics ?? []).map((t) =>
    notificationChannel(t.name, new SnsNotifier(sns, t.arn), { logGroup: options.logGroup, format: 'json', now: () => new Date(NOW) }),
  );
  const sink = new CloudWatchLogsSink(logs);
  const deps: IngestDeps = {
    source: new S3ObjectSource(s3),
    sink: options.wrapSink ? options.wrapSink(sink) : sink,
    logGroup: options.logGroup,
    ...(options.limits ? { limits: { ...PUT_LOG_EVENTS_LIMITS, ...options.limits } } : {}),
    analysersFor: (ref) => [ruleAnalyser(stack.pack, ref)],
    channels,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics,
    ...(options.withoutDedup
      ? {}
      : {
          ledger: new DynamoDbAlertLedger(dynamo, { tableName: TABLE }),
          idempotency: { store: new DynamoDBPersistenceLayer({ tableName: TABLE, awsSdkV3Client: dynamo }) },
        }),
  };
  return {
    deps,
    destroy() {
      for (const client of [s3, logs, dynamo, sns]) client.destroy();
    },
  };
}

/** A Lambda context whose remaining time runs out `timeoutMs` after the invocation starts. */
export function lambdaContext(timeoutMs = 300_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'trailwatch-dev-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: FUNCTION_ARN,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/trailwatch-dev-ingest',
    logStreamName: '2026/11/24/[$LATEST]0',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface AsyncInvocation {
  /** Invocations Lambda made: 1 + retries. */
  readonly attempts: number;
  readonly outcome: 'succeeded' | 'failure-queue';
  readonly errors: string[];
  /** The on-failure destination record sent to the failure queue, if it was. */
  readonly record?: Record<string, unknown>;
}

/**
 * What Lambda does with an asynchronous invocation (S3 → Lambda): run the handler; on an
 * error retry it up to `retries` times (serverless.yml: maximumRetryAttempts 2); when every
 * attempt failed, send the invocation record to the on-failure destination (the SQS failure
 * queue), in the shape Lambda uses. `beforeRetry` runs between attempts (Lambda waits a
 * minute, then two: a test may end a fault there).
 */
export async function invokeAsync(
  stack: FaultStack,
  deps: IngestDeps,
  event: unknown,
  options: { queueUrl: string; retries?: number; timeoutMs?: number; beforeRetry?: (attempt: number) => void | Promise<void> },
): Promise<AsyncInvocation> {
  const retries = options.retries ?? LAMBDA_ASYNC_RETRIES;
  const errors: string[] = [];
  let last: unknown;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await options.beforeRetry?.(attempt);
    try {
      await ingestEvent(event, deps, lambdaContext(options.timeoutMs));
      return { attempts: attempt, outcome: 'succeeded', errors };
    } catch (err) {
      last = err;
      errors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  }
  const error = last instanceof Error ? last : new Error(String(last));
  const record = {
    version: '1.0',
    timestamp: new Date(NOW).toISOString(),
    requestContext: { requestId: randomUUID(), functionArn: `${FUNCTION_ARN}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: retries + 1 },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: error.name, errorMessage: error.message, trace: [] },
  };
  await stack.admin.sqs.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(record) }));
  return { attempts: retries + 1, outcome: 'failure-queue', errors, record };
}

/** Records of one file: where each ended. */
export interface Accounting {
  readonly inS3: number;
  /** Distinct records of the file stored in CloudWatch Logs. */
  readonly forwarded: number;
  /** Extra copies stored (the same record more than once). */
  readonly duplicates: number;
  /** Counted as rejected by CloudWatch Logs (never resent). */
  readonly rejected: number;
  /** Not stored, but part of an object whose failure is on the failure queue. */
  readonly onFailurePath: number;
  /** In S3, and in none of the above. Every test asserts 0. */
  readonly lost: number;
}

/**
 * Where the records of `file` ended: stored (by eventID, copies counted), rejected (from the
 * pipeline's counts), or on the failure path when the object's failure is on the queue.
 */
export function account(
  file: TrailFile,
  stored: ReadonlyArray<{ message: string }>,
  options: { rejected?: number; objectOnFailureQueue?: boolean } = {},
): Accounting {
  const mine = new Set(file.eventIds);
  const copies = new Map<string, number>();
  for (const event of stored) {
    const id = (JSON.parse(event.message) as { eventID?: string }).eventID;
    if (id !== undefined && mine.has(id)) copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const forwarded = copies.size;
  const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
  const rejected = options.rejected ?? 0;
  const missing = file.eventIds.length - forwarded - rejected;
  const onFailurePath = options.objectOnFailureQueue ? missing : 0;
  return { inS3: file.eventIds.length, forwarded, duplicates, rejected, onFailurePath, lost: missing - onFailurePath };
}

/**
 * A sink that dies like a killed invocation once `batches` PutLogEvents calls were sent:
 * every later call hangs for ever, so nothing after that point runs (no failure report, no
 * idempotency clean-up, no notification), exactly as when Lambda times out or the process is
 * killed. The calls already sent still complete, as requests already on the wire do.
 */
export class DyingSink implements LogSink {
  private sent = 0;
  private readonly inFlight: Array<Promise<unknown>> = [];
  private resolveDied!: () => void;
  private readonly diedSignal = new Promise<void>((resolve) => (this.resolveDied = resolve));

  constructor(
    private readonly inner: LogSink,
    private readonly batches: number,
  ) {}

  /** Resolves when the invocation has died and the calls it had sent have landed. */
  async died(): Promise<void> {
    await this.diedSignal;
    await Promise.allSettled(this.inFlight);
  }

  put(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    if (this.sent >= this.batches) {
      this.resolveDied();
      return new Promise<PutOutcome>(() => undefined);
    }
    this.sent++;
    const call = this.inner.put(target, batch);
    this.inFlight.push(call);
    return call;
  }
}
