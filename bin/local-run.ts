/**
 * `npm start`: the main job on the embedded local stack, no AWS account, no network.
 *
 * 1. starts S3 (s3rver), the strict CloudWatch Logs and SNS test servers and DynamoDB
 *    (dynalite) on 127.0.0.1;
 * 2. creates what the stack's CloudFormation would (log group, the two topics with an email
 *    and an SQS subscriber, the de-duplication table) and uploads the sample CloudTrail
 *    files from events/cloudtrail/ under their real key layout;
 * 3. runs `serverless invoke local` for each sample trigger event, with only the standard
 *    AWS_ENDPOINT_URL_* variables pointing the unchanged function at the local servers;
 * 4. prints what was forwarded and skipped, from the function's own structured log lines
 *    and from what the CloudWatch Logs server stored, and the notifications the
 *    subscribers received; then stops the servers.
 *
 * `npm start -- --serve` does 1 and 2 only, under the names serverless.yml gives stage `dev`
 * (so `serverless invoke local` needs no extra flags), prints the variables to paste into
 * another shell, and stays up until Ctrl-C; then prints what the servers received and stops
 * them. README, "Run one sample yourself"; test/integration/readme-recipe.test.ts runs that
 * recipe as written.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { createBaselineTable, createDedupTable } from '../testkit/dynamodb';
import { EventBridgeServer } from '../testkit/eventbridge-server';
import { startLocalStack, type LocalStack } from '../testkit/local-stack';
import { SecurityHubServer } from '../testkit/securityhub-server';

const ROOT = path.resolve(__dirname, '..');
const SAMPLES = path.join(ROOT, 'events', 'cloudtrail');
const BUCKET = 'trailwatch-local-trail';
/** The sample files were delivered on 2026-11-24 around 09:05–09:15 UTC. */
const SAMPLE_CLOCK_START = Date.UTC(2026, 10, 24, 9, 20);

/** What the stack's CloudFormation would create, by name. */
interface StackNames {
  readonly logGroup: string;
  readonly dedupTable: string;
  readonly anomalyTable: string;
  readonly integrityTable: string;
  readonly alertTopic: string;
  readonly findingsTopic: string;
}
/** What serverless.yml names a stage's resources. */
function stackNames(stage: string): StackNames {
  return {
    logGroup: `/trailwatch/${stage}/cloudtrail`,
    dedupTable: `trailwatch-${stage}-dedup`,
    anomalyTable: `trailwatch-${stage}-anomaly`,
    integrityTable: `trailwatch-${stage}-integrity`,
    alertTopic: `trailwatch-${stage}-alerts`,
    findingsTopic: `trailwatch-${stage}-findings`,
  };
}
/** The main job's own names: its invocations pass them with --param and -e. */
const LOCAL_NAMES = stackNames('local');
/** `--serve`: serverless.yml's defaults for stage dev, so a plain `serverless invoke local` finds them. */
const SERVE_NAMES = stackNames('dev');
const EMAIL_LINES_SHOWN = 40;
// the batch names every sample object; the SQS batch repeats two of them, as S3's
// at-least-once delivery may: they must be neither forwarded nor alerted twice
const DEFAULT_TRIGGERS = ['events/s3-put-batch.json', 'events/sqs-s3.json'];
/** The main job also runs the optional outputs (README, "Outputs"): chat topic, Security Hub, EventBridge. */
const LOCAL_ACCOUNT = '111122223333';
const LOCAL_BUS = 'trailwatch-local-findings';

/** The optional outputs' local servers and the chat topic, for the main job. */
interface Outputs {
  readonly hub: SecurityHubServer;
  readonly events: EventBridgeServer;
  readonly chatTopicArn: string;
}

interface Topics {
  alertTopicArn: string;
  findingsTopicArn: string;
  emailSubscription: string;
  queueSubscription: string;
}

interface ObjectLine {
  key: string;
  kind: string;
  status: string;
  reason: string;
  records?: { read: number; forwarded: number; rejected: Record<string, number> };
  findings?: Record<string, number>;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const serve = args.includes('--serve');
  const given = args.filter((a) => a !== '--serve');
  const triggers = given.length > 0 ? given : DEFAULT_TRIGGERS;
  // The CloudWatch Logs server's clock runs from the samples' delivery time, so the
  // 14-day / 2-hour acceptance window holds for the committed samples on any date.
  const startedAt = Date.now();
  const stack = await startLocalStack({ buckets: [BUCKET], logsNow: () => SAMPLE_CLOCK_START + (Date.now() - startedAt) });
  let failed = false;
  let outputs: Outputs | undefined;
  try {
    console.log(`local S3 (s3rver):          ${stack.s3Endpoint}`);
    console.log(`local CloudWatch Logs:      ${stack.logs.endpoint}`);
    console.log(`local SNS:                  ${stack.sns.endpoint}`);
    console.log(`local DynamoDB (dynalite):  ${stack.dynamodb.endpoint}`);
    if (serve) {
      const topics = await prepare(stack, SERVE_NAMES);
      await serveUntilStopped(stack, topics);
      printStored(stack, SERVE_NAMES);
      printNotifications(stack, topics);
      return 0;
    }
    const topics = await prepare(stack, LOCAL_NAMES);
    outputs = await startOutputs(stack);
    console.log(`local Security Hub:         ${outputs.hub.endpoint}`);
    console.log(`local EventBridge:          ${outputs.events.endpoint}`);
    for (const trigger of triggers) {
      console.log(`\n── serverless invoke local -f ingest -p ${trigger}`);
      const { code, lines, duplicates } = await invokeLocal(stack, trigger, topics, outputs);
      printObjects(lines);
      for (const d of duplicates) console.log(`   duplicate ${shortKey(d)}\n             already processed: not forwarded or alerted again`);
      if (code !== 0) {
        failed = true;
        console.log(`   invocation failed (exit ${code}): see the error lines above`);
      }
    }
    printStored(stack, LOCAL_NAMES);
    printNotifications(stack, topics);
    printOutputs(stack, outputs);
  } finally {
    await Promise.allSettled([outputs?.hub.stop(), outputs?.events.stop()]);
    await stack.stop();
    console.log('\nlocal servers stopped.');
  }
  return failed ? 1 : 0;
}

/**
 * `--serve`: the variables to paste into another shell (the endpoints, local credentials and
 * what CloudFormation would resolve: the topic ARNs), then wait for Ctrl-C or SIGTERM.
 */
async function serveUntilStopped(stack: LocalStack, topics: Topics): Promise<void> {
  const variables: Record<string, string> = {
    ...stack.env,
    ALERT_TOPIC_ARN: topics.alertTopicArn,
    FINDINGS_TOPIC_ARN: topics.findingsTopicArn,
    SLS_TELEMETRY_DISABLED: '1',
  };
  console.log('\nthe local stack is up. In another shell, paste:\n');
  for (const [name, value] of Object.entries(variables)) console.log(`export ${name}=${value}`);
  console.log('\nthen, for example:\n\n  npx serverless invoke local -f ingest -p events/s3-put.json\n');
  console.log('Ctrl-C stops the servers (and prints what they received).');
  // handlers stay installed: a second signal (tsx relays the one the shell already sent to the
  // whole process group) must not kill the process halfway through stopping the servers
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  console.log('\nstopping.');
}

async function prepare(stack: LocalStack, names: StackNames): Promise<Topics> {
  const logs = new CloudWatchLogsClient({ ...stack.clientConfig, endpoint: stack.logs.endpoint });
  await logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup }));
  logs.destroy();
  const dynamo = new DynamoDBClient({ ...stack.clientConfig, endpoint: stack.dynamodb.endpoint });
  await createDedupTable(dynamo, names.dedupTable);
  await createBaselineTable(dynamo, names.anomalyTable);
  // same key schema as serverless.yml's IntegrityTable (`id` S hash, TTL `expiration`)
  await createDedupTable(dynamo, names.integrityTable);
  dynamo.destroy();
  const alertTopicArn = stack.sns.createTopic(names.alertTopic);
  const findingsTopicArn = stack.sns.createTopic(names.findingsTopic);
  const sns = new SNSClient({ ...stack.clientConfig, endpoint: stack.sns.endpoint });
  // as the stack's email subscription: MEDIUM and above only
  const email = await sns.send(
    new SubscribeCommand({
      TopicArn: alertTopicArn,
      Protocol: 'email',
      Endpoint: 'secops@example.com',
      Attributes: { FilterPolicy: JSON.stringify({ severityRank: [{ numeric: ['>=', 2] }] }) },
      ReturnSubscriptionArn: true,
    }),
  );
  stack.sns.confirm(email.SubscriptionArn as string);
  const queue = await sns.send(
    new SubscribeCommand({
      TopicArn: findingsTopicArn,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:111122223333:security-findings',
      Attributes: { RawMessageDelivery: 'true' },
      ReturnSubscriptionArn: true,
    }),
  );
  sns.destroy();
  const s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint });
  const files = await listFiles(SAMPLES);
  for (const file of files) {
    const key = path.relative(SAMPLES, file).split(path.sep).join('/');
    const body = await readFile(file);
    const metadata = key.includes('/CloudTrail-Digest/') ? signSampleDigest(stack, body) : undefined;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...(metadata ? { Metadata: metadata } : {}) }));
  }
  s3.destroy();
  console.log(`uploaded ${files.length} sample objects to s3://${BUCKET}/; created log group ${names.logGroup}, two topics, tables ${names.dedupTable}, ${names.anomalyTable} and ${names.integrityTable}; the sample digest signed with a test-only key made for this run`);
  return { alertTopicArn, findingsTopicArn, emailSubscription: email.SubscriptionArn as string, queueSubscription: queue.SubscriptionArn as string };
}

/**
 * The sample digest's signature, made now with a TEST-ONLY RSA key generated for this run
 * (CloudTrail's private key is, of course, not available): signed as CloudTrail signs
 * (lib/integrity/signing.ts), stored as the `signature` user metadata, and the public key
 * published on the local CloudTrail server under the digest's fingerprint, so the unchanged
 * function verifies it through ListPublicKeys exactly as in AWS.
 */
function signSampleDigest(stack: LocalStack, gzipped: Buffer): Record<string, string> {
  const bytes = gunzipSync(gzipped);
  const body = JSON.parse(bytes.toString('utf8')) as Record<string, string | null>;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signed = [body.digestEndTime, `${body.digestS3Bucket}/${body.digestS3Object}`, createHash('sha256').update(bytes).digest('hex'), body.previousDigestSignature ?? 'null'].join('\n');
  stack.cloudtrail.addKey('us-east-1', {
    value: publicKey.export({ format: 'der', type: 'pkcs1' }),
    fingerprint: String(body.digestPublicKeyFingerprint),
    validityStart: new Date('2026-01-01T00:00:00Z'),
    validityEnd: new Date('2027-01-01T00:00:00Z'),
  });
  return { signature: sign('sha256', Buffer.from(signed, 'utf8'), privateKey).toString('hex'), 'signature-algorithm': 'SHA256withRSA' };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

async function startOutputs(stack: LocalStack): Promise<Outputs> {
  const [hub, events] = await Promise.all([SecurityHubServer.start({ accountId: LOCAL_ACCOUNT }), EventBridgeServer.start({ accountId: LOCAL_ACCOUNT })]);
  events.createBus(LOCAL_BUS);
  return { hub, events, chatTopicArn: stack.sns.createTopic('trailwatch-local-chat') };
}

/** What the chat subscriber (Amazon Q Developer), Security Hub and EventBridge received. */
function printOutputs(stack: LocalStack, outputs: Outputs): void {
  const chat = stack.sns.published(outputs.chatTopicArn);
  console.log(`\nthe chat topic (Amazon Q Developer custom notifications) carried ${chat.length}:`);
  for (const m of chat) {
    const n = JSON.parse(m.message) as { content: { title: string; description: string }; metadata: { threadId: string } };
    console.log(`\n   thread ${n.metadata.threadId}\n   ${n.content.title}`);
    for (const line of n.content.description.split('\n').slice(0, 6)) console.log(`   │ ${line}`);
  }
  const imported = outputs.hub.findings();
  console.log(`\nSecurity Hub holds ${imported.length} findings (BatchImportFindings, ${outputs.hub.calls('BatchImportFindings').length} calls):`);
  for (const { finding } of imported.slice(0, 8)) {
    console.log(`   ${String((finding.Severity as { Label: string }).Label).padEnd(13)} ${String(finding.GeneratorId).padEnd(40)} ${(finding.Types as string[]).join(', ')}`);
  }
  if (imported.length > 8) console.log(`   … (${imported.length - 8} more)`);
  const put = outputs.events.events(LOCAL_BUS);
  console.log(`\nEventBridge bus ${LOCAL_BUS} received ${put.length} events (PutEvents, ${outputs.events.calls('PutEvents').length} calls):`);
  for (const e of put.slice(0, 8)) console.log(`   ${e.source} / ${e.detailType}: ${String(e.detail.severity).padEnd(9)} ${String(e.detail.ruleId)} ${String(e.detail.eventName ?? '')}`);
  if (put.length > 8) console.log(`   … (${put.length - 8} more)`);
}

function invokeLocal(
  stack: LocalStack,
  trigger: string,
  topics: Topics,
  outputs: Outputs,
): Promise<{ code: number; lines: ObjectLine[]; duplicates: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
        'invoke',
        'local',
        '-f',
        'ingest',
        '-p',
        trigger,
        `--param=logGroupName=${LOCAL_NAMES.logGroup}`,
        // what CloudFormation resolves in AWS (!Ref) is given here
        '-e',
        `ALERT_TOPIC_ARN=${topics.alertTopicArn}`,
        '-e',
        `FINDINGS_TOPIC_ARN=${topics.findingsTopicArn}`,
        '-e',
        `DEDUP_TABLE_NAME=${LOCAL_NAMES.dedupTable}`,
        '-e',
        `ANOMALY_TABLE_NAME=${LOCAL_NAMES.anomalyTable}`,
        // the optional outputs, as the chat/securityHub/eventBus parameters switch them on
        '-e',
        'CHAT_ENABLED=true',
        '-e',
        `CHAT_TOPIC_ARN=${outputs.chatTopicArn}`,
        '-e',
        'SECURITY_HUB_ENABLED=true',
        '-e',
        `TRAILWATCH_ACCOUNT_ID=${LOCAL_ACCOUNT}`,
        '-e',
        `EVENT_BUS_NAME=${LOCAL_BUS}`,
        '-e',
        `INTEGRITY_TABLE_NAME=${LOCAL_NAMES.integrityTable}`,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...stack.env,
          AWS_ENDPOINT_URL_SECURITYHUB: outputs.hub.endpoint,
          AWS_ENDPOINT_URL_EVENTBRIDGE: outputs.events.endpoint,
          SLS_TELEMETRY_DISABLED: '1',
          POWERTOOLS_DEV: 'false',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines: ObjectLine[] = [];
      const duplicates: string[] = [];
      const anomaly: string[] = [];
      for (const line of out.split('\n')) {
        const parsed = parseJsonLine(line);
        if (parsed && typeof parsed.key === 'string' && typeof parsed.status === 'string') lines.push(parsed as unknown as ObjectLine);
        else if (parsed && typeof parsed.key === 'string' && /duplicate/.test(String(parsed.message))) duplicates.push(parsed.key);
        else if (parsed && String(parsed.message).startsWith('anomaly detection:')) anomaly.push(String(parsed.message));
        else if (parsed && parsed.level === 'ERROR') console.log(`   ERROR ${String(parsed.message)}`);
      }
      for (const a of new Set(anomaly)) console.log(`   ${a}`);
      resolve({ code: code ?? 1, lines, duplicates });
    });
  });
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function printObjects(lines: ObjectLine[]): void {
  for (const l of lines) {
    // a digest has no records: its reason is the verdict (valid, N/N log files valid)
    const counts = l.records && l.status !== 'skipped' && l.kind !== 'digest'
      ? `read ${l.records.read}, forwarded ${l.records.forwarded}, rejected ${Object.values(l.records.rejected).reduce((a, b) => a + b, 0)}`
      : l.reason;
    const findings = Object.entries(l.findings ?? {})
      .map(([rule, n]) => `${rule}${n > 1 ? ` ×${n}` : ''}`)
      .join(', ');
    console.log(`   ${l.status.padEnd(9)} ${l.kind.padEnd(16)} ${shortKey(l.key)}\n             ${counts}`);
    if (findings) console.log(`             findings: ${findings}`);
  }
}

function printStored(stack: LocalStack, names: StackNames): void {
  console.log(`\nCloudWatch Logs now holds (group ${names.logGroup}):`);
  for (const stream of stack.logs.streams(names.logGroup)) {
    console.log(`   ${stream.padEnd(40)} ${stack.logs.events(names.logGroup, stream).length} events`);
  }
}

function printNotifications(stack: LocalStack, topics: Topics): void {
  const published = stack.sns.published();
  console.log(`\nSNS: ${published.length} messages published (one per delivery with findings, per topic)`);
  const emails = stack.sns.inbox(topics.emailSubscription);
  console.log(`\nthe email subscriber (alert topic, severity ≥ MEDIUM) received ${emails.length}:`);
  for (const d of emails) {
    if (d.kind !== 'email') continue;
    console.log(`\n   Subject: ${d.subject}\n`);
    const lines = d.body.split('\n');
    const shown = lines.slice(0, EMAIL_LINES_SHOWN).map((l) => `   │ ${l}`);
    if (lines.length > EMAIL_LINES_SHOWN) shown.push(`   │ … (${lines.length - EMAIL_LINES_SHOWN} more lines)`);
    console.log(shown.join('\n'));
  }
  const queued = stack.sns.inbox(topics.queueSubscription);
  console.log(`\nthe SQS subscriber (findings topic, raw delivery) received ${queued.length} JSON documents:`);
  for (const d of queued) {
    if (d.kind !== 'raw') continue;
    const doc = JSON.parse(d.body) as { schemaVersion: number; findings?: unknown[]; delivery?: { object?: { key?: string } } };
    const attrs = Object.entries(d.messageAttributes)
      .map(([k, v]) => `${k}=${v.StringValue}`)
      .join(' ');
    console.log(`   schemaVersion ${doc.schemaVersion}, ${doc.findings?.length ?? 0} finding groups · ${attrs}`);
  }
}

function shortKey(key: string): string {
  const parts = key.split('/');
  return parts.length > 3 ? `…/${parts.slice(-1)[0]}` : key;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
