/**
 * Fault matrix: finding storms (issue 9, items 1 and 5) end to end — s3rver, the strict
 * CloudWatch Logs and SNS servers and dynalite (alert ledger, idempotency), through the
 * Lambda's `ingestEvent` and Lambda's asynchronous retries. Before the fix, the 300-rule
 * file failed with `Unexpected:RangeError` after all its records were forwarded, on every
 * retry (30,000 records stored for 10,000), and alerted nothing; the root storm was
 * published as `x500` with `findingCount=500`. docs/fault-matrix.md lists these tests by name.
 */
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { FINDING_LIMITS } from '../../lib/findings';
import type { NotificationDocumentV1 } from '../../lib/notify';
import { ruleAnalyser } from '../../lib/rules';
import {
  account,
  invokeAsync,
  lambdaDeps,
  putFile,
  s3Event,
  startFaultStack,
  STREAM,
  trailFile,
  type FaultStack,
  type Telemetry,
} from './faults/harness';
import { sigmaStormPack } from '../sigma-storm-pack';

let stack: FaultStack;
let telemetry: Telemetry;
let queueUrl: string;
let n = 0;
const destroy: Array<() => void> = [];

beforeAll(async () => {
  stack = await startFaultStack();
}, 30_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  telemetry = { metrics: [], lines: [] };
  stack.local.logs.reset();
  stack.sns.reset();
  queueUrl = stack.sqs.createQueue(`storm-failures-${++n}`);
});

afterEach(() => {
  for (const d of destroy.splice(0)) d();
});

/** Deps with two alert channels on fresh topics, a raw SQS subscriber for storms on the second, and a fresh log group. */
async function setup() {
  const logGroup = `/trailwatch/storm/${n}`;
  const topics = [
    { name: 'people', arn: stack.sns.createTopic(`storm-alerts-${n}`) },
    { name: 'machines', arn: stack.sns.createTopic(`storm-findings-${n}`) },
  ];
  const built = lambdaDeps(stack, telemetry, { logGroup, topics });
  destroy.push(built.destroy);
  const storms = await stack.admin.sns.send(
    new SubscribeCommand({
      TopicArn: topics[1]!.arn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:111122223333:storms-${n}`,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ matchedEvents: [{ numeric: ['>=', 1000] }] }) },
      ReturnSubscriptionArn: true,
    }),
  );
  const published = (channel: number) => stack.sns.published(topics[channel]!.arn);
  const logLine = (key: string) => telemetry.lines.find((l) => l.fields?.key === key)?.fields;
  return { deps: built.deps, stored: () => stack.local.logs.events(logGroup, STREAM), published, logLine, storms: storms.SubscriptionArn as string };
}

describe('finding storms: processed once, alerted once, counted in full', () => {
  it('300 Sigma rules matching every record of a 10,000-record file: one invocation, every record once, 2,000 findings alerted per channel, the true counts in the log line and the message', async () => {
    // Prepare: 150,000 findings before the caps (300 rules × 500)
    const { deps, stored, published, logLine, storms } = await setup();
    const pack = sigmaStormPack(300, (i) => (i < 2 ? 'high' : 'low'));
    const file = trailFile('storm-sigma', 10_000);
    await putFile(stack, file);

    // Act
    const run = await invokeAsync(stack, { ...deps, analysersFor: (ref) => [ruleAnalyser(pack, ref)] }, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ attempts: 1, outcome: 'succeeded', errors: [] });
    expect(account(file, stored())).toEqual({ inS3: 10_000, forwarded: 10_000, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    const line = logLine(file.key) as { status: string; findings: Record<string, number>; findingsNotListed: unknown };
    expect(line.status).toBe('processed');
    expect(Object.keys(line.findings)).toHaveLength(300);
    expect(Object.values(line.findings).every((events) => events === 10_000)).toBe(true);
    expect(line.findingsNotListed).toEqual({ perRule: 300 * 9_500, perDelivery: 300 * 500 - FINDING_LIMITS.perDelivery });
    for (const channel of [0, 1]) {
      const [message, ...more] = published(channel);
      expect(more).toHaveLength(0);
      expect(message!.messageAttributes.findingCount?.StringValue).toBe(String(FINDING_LIMITS.perDelivery));
      expect(message!.messageAttributes.matchedEvents?.StringValue).toBe('3000000');
      const doc = JSON.parse(message!.message) as NotificationDocumentV1;
      expect(doc.summary).toMatchObject({ highestSeverity: 'HIGH', findingCount: 2_000, matched: { events: 3_000_000, findings: 3_000_000 }, ruleCount: 300 });
      // the two high rules keep their 500 each; the 1,000 other places go round the low rules
      expect(doc.summary.bySeverity).toEqual({ HIGH: 1_000, LOW: 1_000 });
    }
    // the 10-attribute message reaches a raw SQS subscriber filtering on the storm's size
    expect(stack.sns.inbox(storms)).toHaveLength(1);
    expect(stack.sns.dropped(storms)).toEqual([]);
  }, 120_000);

  it('10,000 root calls in one file: subject, attributes and JSON say 10,000 events matched and 500 listed; each listed finding alerted once per channel', async () => {
    // Prepare: each root call is one finding of the built-in rule root-account-usage
    const { deps, stored, published, logLine } = await setup();
    const file = trailFile('storm-root', 10_000, { roots: 10_000 });
    await putFile(stack, file);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const again = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect([run.outcome, again.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(account(file, stored())).toEqual({ inS3: 10_000, forwarded: 10_000, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(logLine(file.key)).toMatchObject({ status: 'processed', findings: { 'root-account-usage': 10_000 } });
    for (const channel of [0, 1]) {
      const [message, ...more] = published(channel);
      expect(more).toHaveLength(0);
      expect(message!.subject).toMatch(/ x10,000 \(500 listed\) in 111122223333 us-east-1$/);
      expect(message!.messageAttributes.matchedEvents?.StringValue).toBe('10000');
      expect(message!.messageAttributes.findingCount?.StringValue).toBe('500');
      const doc = JSON.parse(message!.message) as NotificationDocumentV1;
      expect(doc.summary).toMatchObject({ findingCount: 500, matched: { events: 10_000, findings: 10_000 } });
      expect(doc.findings[0]).toMatchObject({ ruleId: 'root-account-usage', findingCount: 500, matched: { events: 10_000, findings: 10_000 } });
      expect(doc.omitted.notListed).toEqual({ findings: 9_500, events: 9_500 });
    }
  }, 120_000);
});
