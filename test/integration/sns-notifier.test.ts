/**
 * The notification path end to end: buildNotification → SnsNotifier → the real
 * @aws-sdk/client-sns → the strict SNS test server → what each subscriber receives.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../lib/aws/sns-notifier';
import { SEVERITIES, type Finding, type Severity } from '../../lib/findings';
import {
  buildNotification,
  NotifyRejectedError,
  NotifyUnavailableError,
  type Notification,
  type NotificationDocumentV1,
  type NotifyOptions,
} from '../../lib/notify';
import type { DeliveryReport } from '../../lib/report';
import { SnsServer, type Delivery } from '../../testkit/sns-server';
import { finding, hostile, LOG_GROUP, NOW, oneCritical, processedReport, thousandFindings } from '../fixtures/notify/scenarios';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:trailwatch-findings';
const options: NotifyOptions = { logGroup: LOG_GROUP, now: () => NOW };

let server: SnsServer;
let client: SNSClient;
let topicArn: string;
let notifier: SnsNotifier;

beforeAll(async () => {
  server = await SnsServer.start({ now: () => NOW.getTime() });
  client = new SNSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

beforeEach(async () => {
  server.reset();
  topicArn = (await client.send(new CreateTopicCommand({ Name: 'trailwatch-alerts' }))).TopicArn as string;
  notifier = new SnsNotifier(client, topicArn);
});

afterAll(async () => {
  client.destroy();
  await server.stop();
});

async function subscribe(protocol: string, endpoint: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await client.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }),
  );
  return out.SubscriptionArn as string;
}

function notify(report: DeliveryReport, extra: Partial<NotifyOptions> = {}): Notification {
  const notification = buildNotification(report, { ...options, ...extra });
  if (!notification) throw new Error('expected a notification');
  return notification;
}

function withTopSeverity(severity: Severity): DeliveryReport {
  return processedReport([
    finding({ ruleId: `top-${severity}`, severity, dedupKey: severity }),
    finding({ ruleId: 'background', severity: 'INFO', dedupKey: `${severity}-info` }),
  ]);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the publish to fail');
}

describe('publishing through SnsNotifier', () => {
  it('publishes the built notification unchanged and returns the message id', async () => {
    // Prepare
    const notification = notify(oneCritical());

    // Act
    const { messageId } = await notifier.publish(notification);

    // Assess
    const [published] = server.published(topicArn);
    expect(published).toMatchObject({
      messageId,
      subject: notification.subject,
      message: notification.message,
      messageAttributes: notification.messageAttributes,
    });
    expect(published?.messageStructure).toBeUndefined();
  });

  it('an SQS subscriber with raw delivery gets the JSON body and every attribute', async () => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const notification = notify(thousandFindings());

    // Act
    await notifier.publish(notification);

    // Assess
    const [delivery] = server.inbox(sub);
    expect(delivery?.kind).toBe('raw');
    const raw = delivery as Extract<Delivery, { kind: 'raw' }>;
    expect(raw.messageAttributes).toEqual(notification.messageAttributes);
    expect(Object.keys(raw.messageAttributes).length).toBeLessThanOrEqual(10);
    const doc = JSON.parse(raw.body) as NotificationDocumentV1;
    expect(doc.schemaVersion).toBe(1);
    expect(doc.summary.findingCount).toBe(1_000);
  });

  it('a minimum-severity filter policy passes only HIGH and CRITICAL, by rank or by name', async () => {
    // Prepare
    const byRank = await subscribe('sqs', `${QUEUE}-rank`, {
      RawMessageDelivery: 'true',
      FilterPolicy: JSON.stringify({ severityRank: [{ numeric: ['>=', 3] }] }),
    });
    const byName = await subscribe('sqs', `${QUEUE}-name`, {
      RawMessageDelivery: 'true',
      FilterPolicy: JSON.stringify({ severity: [{ 'anything-but': ['INFO', 'LOW', 'MEDIUM', 'NONE'] }] }),
    });
    const everything = await subscribe('sqs', `${QUEUE}-all`, { RawMessageDelivery: 'true' });

    // Act
    for (const severity of SEVERITIES) await notifier.publish(notify(withTopSeverity(severity)));

    // Assess
    const severitiesIn = (sub: string): string[] =>
      server.inbox(sub).map((d) => (d.kind === 'raw' ? (JSON.parse(d.body) as NotificationDocumentV1).summary.highestSeverity : '?'));
    expect(severitiesIn(byRank)).toEqual(['HIGH', 'CRITICAL']);
    expect(severitiesIn(byName)).toEqual(['HIGH', 'CRITICAL']);
    expect(severitiesIn(everything)).toEqual([...SEVERITIES]);
    expect(server.dropped(byRank).map((d) => d.reason)).toEqual(['FilteredOut', 'FilteredOut', 'FilteredOut']);
  });

  it('one topic, two renderings: email filters on format=text, machines on format=json', async () => {
    // Prepare
    const email = await subscribe('email', 'oncall@example.com', {
      FilterPolicy: JSON.stringify({ format: ['text'], severityRank: [{ numeric: ['>=', 3] }] }),
    });
    server.confirm(email);
    const lambda = await subscribe('lambda', 'arn:aws:lambda:us-east-1:123456789012:function:ticketing', {
      FilterPolicy: JSON.stringify({ format: ['json'] }),
    });
    const report = oneCritical();
    const text = notify(report, { format: 'text' });
    const json = notify(report, { format: 'json' });

    // Act
    await notifier.publish(text);
    await notifier.publish(json);

    // Assess
    expect(server.inbox(email)).toEqual([expect.objectContaining({ kind: 'email', subject: text.subject, body: text.message })]);
    const event = (server.inbox(lambda)[0] as Extract<Delivery, { kind: 'lambda' }>).event;
    expect(event.Records).toHaveLength(1);
    expect(JSON.parse(event.Records[0]!.Sns.Message)).toEqual(JSON.parse(json.message));
    expect(event.Records[0]!.Sns.MessageAttributes.severity).toEqual({ Type: 'String', Value: 'CRITICAL' });
  });
});

describe('the builder output always passes the strict server', () => {
  /** Findings of many rules, every field at its cap with multi-byte and escaped characters. */
  function worstCase(rules: number): DeliveryReport {
    const findings: Finding[] = [];
    for (let i = 0; i < rules * 3; i += 1) {
      findings.push(
        finding({
          ruleId: `rule-${i % rules}-\u202E${'é'.repeat(150)}`,
          title: `Title\n${'🚨'.repeat(120)}`,
          severity: SEVERITIES[i % SEVERITIES.length] as Severity,
          userAgent: '\u0000\u2028'.repeat(60_000),
          principal: { type: 'IAMUser', arn: '中'.repeat(10_000), userName: '\uD800'.repeat(1_000) },
          sourceIPAddress: '<>&"'.repeat(500),
          errorCode: '\u001b[31m'.repeat(200),
          details: { a: '\n'.repeat(10_000), b: Array.from({ length: 50 }, () => 'ü'.repeat(300)) },
          dedupKey: `w${i}`,
        }),
      );
    }
    return processedReport(findings, { accountId: '\n'.repeat(200), region: 'é'.repeat(200), logStream: '"\\'.repeat(300) });
  }

  it.each([
    { name: 'one CRITICAL finding', scenario: oneCritical, format: 'json' },
    { name: '1,000 findings across 20 rules', scenario: thousandFindings, format: 'text' },
    { name: 'hostile field contents', scenario: hostile, format: 'json' },
    { name: 'hostile field contents', scenario: hostile, format: 'text' },
    { name: 'hundreds of rules at every cap', scenario: () => worstCase(60), format: 'json' },
    { name: 'hundreds of rules at every cap', scenario: () => worstCase(60), format: 'text' },
  ] as const)('$name ($format) is accepted and delivered', async ({ scenario, format }) => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const notification = notify(scenario(), { format });

    // Act
    await notifier.publish(notification);

    // Assess
    expect(server.published()[0]!.bytes).toBeLessThanOrEqual(262_144);
    expect(server.inbox(sub)).toEqual([expect.objectContaining({ kind: 'raw', body: notification.message })]);
  });

  it('the server refuses a subject of 100 characters: SnsNotifier reports it as rejected', async () => {
    // Prepare
    const notification = { ...notify(oneCritical()), subject: 'x'.repeat(100) };

    // Act
    const error = await failure(notifier.publish(notification));

    // Assess
    expect(error).toBeInstanceOf(NotifyRejectedError);
    expect(error).toMatchObject({ code: 'InvalidParameterException' });
    expect(server.published()).toHaveLength(0);
  });

  it('the server refuses a subject with a line break', async () => {
    // Prepare
    const notification = { ...notify(oneCritical()), subject: '[CRITICAL] Root login\nBcc: someone' };

    // Act
    const error = await failure(notifier.publish(notification));

    // Assess
    expect(error).toBeInstanceOf(NotifyRejectedError);
  });

  it('the server refuses a message one byte over the limit with its attributes', async () => {
    // Prepare
    const built = notify(oneCritical());
    const attributeBytes = Object.entries(built.messageAttributes).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue),
      0,
    );
    const notification = { ...built, message: 'x'.repeat(262_144 - attributeBytes + 1) };

    // Act
    const error = await failure(notifier.publish(notification));

    // Assess
    expect(error).toBeInstanceOf(NotifyRejectedError);
    expect(error.message).toMatch(/Message too long/);
  });

  it('reports a throttled publish as unavailable, worth retrying', async () => {
    // Prepare
    server.injectFault((operation) => (operation === 'Publish' ? { kind: 'throttle' } : undefined));

    // Act
    const error = await failure(notifier.publish(notify(oneCritical())));

    // Assess
    expect(error).toBeInstanceOf(NotifyUnavailableError);
    expect(error).toMatchObject({ code: 'ThrottledException' });
  });

  it('reports a missing topic as rejected', async () => {
    // Prepare
    const gone = new SnsNotifier(client, `${topicArn}-deleted`);

    // Act
    const error = await failure(gone.publish(notify(oneCritical())));

    // Assess
    expect(error).toBeInstanceOf(NotifyRejectedError);
    expect(error).toMatchObject({ code: 'NotFoundException' });
  });
});
