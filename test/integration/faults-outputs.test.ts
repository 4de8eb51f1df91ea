/**
 * Fault matrix, part 4: the chat topic, Security Hub and EventBridge outputs, each a channel
 * of its own sharing the alert ledger (DynamoDB) with the SNS topics. Real servers on
 * 127.0.0.1 (the strict Security Hub and EventBridge servers in testkit/) through the real
 * SDK clients with the Lambda's retry settings. Whatever fails, every finding reaches each
 * output exactly once. docs/fault-matrix.md lists these tests by name.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EventBridgePublisher } from '../../lib/aws/eventbridge-publisher';
import { SecurityHubImporter } from '../../lib/aws/securityhub-importer';
import type { AlertChannel, IngestDeps } from '../../lib/ingest';
import { EventDetailSchema, eventBridgeChannel, securityHubChannel } from '../../lib/outputs';
import { EventBridgeServer } from '../../testkit/eventbridge-server';
import { SecurityHubServer } from '../../testkit/securityhub-server';
import {
  ACCOUNT,
  FAULTED_ATTEMPTS,
  invokeAsync,
  LAMBDA_MAX_ATTEMPTS,
  lambdaDeps,
  lambdaRetries,
  NOW,
  putFile,
  s3Event,
  sdkAttempt,
  startFaultStack,
  trailFile,
  type FaultStack,
  type Telemetry,
} from './faults/harness';

let stack: FaultStack;
let hub: SecurityHubServer;
let events: EventBridgeServer;
let telemetry: Telemetry;
let queueUrl: string;
let n = 0;
const destroy: Array<() => void> = [];
const BUS = 'security-findings';

beforeAll(async () => {
  [stack, hub, events] = await Promise.all([startFaultStack(), SecurityHubServer.start({ accountId: ACCOUNT, now: () => NOW }), EventBridgeServer.start({ accountId: ACCOUNT, now: () => NOW })]);
  events.createBus(BUS);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([stack?.stop(), hub?.stop(), events?.stop()]);
});

beforeEach(() => {
  telemetry = { metrics: [], lines: [] };
  stack.local.logs.reset();
  stack.dynamoProxy.reset();
  stack.sns.reset();
  hub.reset();
  events.reset();
  queueUrl = stack.sqs.createQueue(`outputs-failures-${++n}`);
});

afterEach(() => {
  for (const d of destroy.splice(0)) d();
});

/** The Lambda's deps with the machines topic, Security Hub and EventBridge as three channels on one ledger. */
function setup(): { deps: IngestDeps; topic: string } {
  const topic = stack.sns.createTopic(`findings-${n}`);
  const built = lambdaDeps(stack, telemetry, { logGroup: `/trailwatch/outputs/${n}`, topics: [{ name: 'machines', arn: topic }] });
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, ...lambdaRetries() };
  const securityHub = new SecurityHubClient({ ...local, endpoint: hub.endpoint });
  const eventBridge = new EventBridgeClient({ ...local, endpoint: events.endpoint });
  destroy.push(built.destroy, () => securityHub.destroy(), () => eventBridge.destroy());
  const metrics = built.deps.metrics;
  const channels: AlertChannel[] = [
    ...(built.deps.channels ?? []),
    securityHubChannel(new SecurityHubImporter(securityHub), { accountId: ACCOUNT, region: 'us-east-1', now: () => new Date(NOW) }, metrics),
    eventBridgeChannel(new EventBridgePublisher(eventBridge), BUS, metrics),
  ];
  return { deps: { ...built.deps, channels }, topic };
}

/** eventIDs Security Hub holds, and how many imports each took (1 = never repeated). */
const hubEventIds = () => hub.findings().map((f) => String((f.finding.ProductFields as Record<string, string>)['trailwatch/eventID'])).sort();
const hubImports = () => hub.findings().map((f) => f.imports);
const busEventIds = () => events.events(BUS).map((e) => String(e.detail.eventID)).sort();

describe('Security Hub and EventBridge outputs: each finding once per output', () => {
  it('a clean run: one ASFF finding and one event per finding, valid to the strict servers and the published schema', async () => {
    // Prepare
    const { deps, topic } = setup();
    const file = trailFile('outputs-clean', 40, { roots: 12 });
    await putFile(stack, file);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const duplicate = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect([run.outcome, duplicate.outcome]).toEqual(['succeeded', 'succeeded']);
    const roots = file.eventIds.slice(0, 12).sort();
    expect(hubEventIds()).toEqual(roots);
    expect(hubImports().every((i) => i === 1)).toBe(true);
    expect(busEventIds()).toEqual(roots);
    expect(stack.sns.published(topic)).toHaveLength(1);
    // 12 events: two PutEvents calls (10 + 2); one BatchImportFindings
    expect(events.calls('PutEvents').map((c) => c.eventCount)).toEqual([10, 2]);
    expect(hub.calls('BatchImportFindings')).toHaveLength(1);
    for (const e of events.events(BUS)) {
      expect(e).toMatchObject({ source: 'trailwatch', detailType: 'Trailwatch Finding' });
      expect(EventDetailSchema.safeParse(e.detail).success).toBe(true);
    }
    const first = hub.findings()[0]?.finding as Record<string, unknown>;
    expect(first).toMatchObject({
      ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'root-account-usage',
      AwsAccountId: ACCOUNT,
      Severity: { Label: 'HIGH' },
    });
  });

  it('throttling and 5xx on a share of the calls: retried by the SDK, each finding once per output', async () => {
    // Prepare
    const { deps } = setup();
    const file = trailFile('outputs-share', 60, { roots: 25 });
    await putFile(stack, file);
    const plan = (_op: string, i: number, request: { headers: import('node:http').IncomingHttpHeaders }) =>
      i % 2 === 0 && sdkAttempt(request.headers) <= FAULTED_ATTEMPTS ? (i % 4 === 0 ? { kind: 'throttle' as const } : { kind: 'status' as const, status: 500 as const }) : undefined;
    hub.injectFault(plan);
    events.injectFault(plan);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run.outcome).toBe('succeeded');
    expect(events.calls('PutEvents').some((c) => c.status !== 200)).toBe(true);
    expect(hub.calls('BatchImportFindings').some((c) => c.status !== 200)).toBe(true);
    expect(hubEventIds()).toEqual(file.eventIds.slice(0, 25).sort());
    expect(busEventIds()).toEqual(file.eventIds.slice(0, 25).sort());
  });

  it('regression (issue 13 item 3/4): findings refused one by one (FailedFindings, FailedEntryCount) are retried and counted; none dropped, none repeated', async () => {
    // Prepare: every other finding refused on its first try
    const { deps } = setup();
    const file = trailFile('outputs-partial', 30, { roots: 14 });
    await putFile(stack, file);
    const seenHub = new Set<string>();
    hub.injectFindingFault((f) => (seenHub.has(String(f.Id)) ? undefined : (seenHub.add(String(f.Id)), seenHub.size % 2 === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : undefined)));
    const seenBus = new Set<string>();
    events.injectEntryFault((e) => (seenBus.has(String(e.Detail)) ? undefined : (seenBus.add(String(e.Detail)), seenBus.size % 2 === 0 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : undefined)));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 1 });
    expect(hubEventIds()).toEqual(file.eventIds.slice(0, 14).sort());
    expect(hubImports().every((i) => i === 1)).toBe(true);
    expect(busEventIds()).toEqual(file.eventIds.slice(0, 14).sort());
    expect(telemetry.metrics.filter((m) => m === 'SecurityHubFindingsFailed').length).toBeGreaterThan(0);
    expect(telemetry.metrics.filter((m) => m === 'EventBridgeEntriesFailed').length).toBeGreaterThan(0);
  });

  it('Security Hub down for a whole invocation, EventBridge up: the Lambda retry imports each finding once and puts no event twice', async () => {
    // Prepare
    const { deps, topic } = setup();
    const file = trailFile('outputs-hub-down', 50, { roots: 3 });
    await putFile(stack, file);
    hub.injectFault(() => ({ kind: 'status', status: 503 }));
    let importsWhileDown = 0;

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      beforeRetry: () => {
        importsWhileDown = hub.calls('BatchImportFindings').length;
        hub.injectFault(undefined);
      },
    });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/NotifyFailed|BatchImportFindings/);
    expect(importsWhileDown).toBe(LAMBDA_MAX_ATTEMPTS);
    expect(hubEventIds()).toEqual(file.eventIds.slice(0, 3).sort());
    expect(busEventIds()).toEqual(file.eventIds.slice(0, 3).sort());
    expect(stack.sns.published(topic)).toHaveLength(1);
  });

  it('EventBridge down for a whole invocation after some events were put: the retry puts only the rest', async () => {
    // Prepare: the first PutEvents call succeeds, every later one fails until the retry
    const { deps } = setup();
    const file = trailFile('outputs-bus-down', 40, { roots: 15 });
    await putFile(stack, file);
    let firstCallDone = false;
    events.injectFault((op, _i, request) => {
      if (op !== 'PutEvents') return undefined;
      if (!firstCallDone && sdkAttempt(request.headers) === 1) {
        firstCallDone = true;
        return undefined;
      }
      return { kind: 'status', status: 500 };
    });

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl, beforeRetry: () => events.injectFault(undefined) });

    // Assess: 10 events in the first invocation, the other 5 on the retry, none twice
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(busEventIds()).toEqual(file.eventIds.slice(0, 15).sort());
    expect(events.calls('PutEvents').filter((c) => c.status === 200).map((c) => c.eventCount)).toEqual([10, 5]);
    expect(hubImports()).toEqual(Array(15).fill(1));
  });

  it('both refuse for good (all three invocations): the failure queue gets the event; once they recover, a redelivery sends each finding once', async () => {
    // Prepare
    const { deps } = setup();
    const file = trailFile('outputs-down-all', 20, { roots: 2 });
    await putFile(stack, file);
    hub.injectFault(() => ({ kind: 'throttle' }));
    events.injectFault(() => ({ kind: 'throttle' }));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    hub.injectFault(undefined);
    events.injectFault(undefined);
    const again = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const duplicate = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    expect(JSON.stringify(run.record)).toMatch(/NotifyFailed/);
    expect([again.outcome, duplicate.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(hubEventIds()).toEqual(file.eventIds.slice(0, 2).sort());
    expect(hubImports()).toEqual([1, 1]);
    expect(busEventIds()).toEqual(file.eventIds.slice(0, 2).sort());
  });
});
