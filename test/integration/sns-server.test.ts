/**
 * The SNS test server is the oracle for the notification tests: these tests show it accepts
 * what SNS accepts, rejects what SNS rejects (with the SDK's exception classes), and shows
 * each kind of subscriber what SNS would deliver.
 */
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  ThrottledException,
  type MessageAttributeValue,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import { MAX_MESSAGE_BYTES, SnsServer, type Delivery } from '../../testkit/sns-server';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:alerts';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:on-alert';

let server: SnsServer;
let client: SNSClient;
let topicArn: string;

beforeAll(async () => {
  server = await SnsServer.start({ now: () => NOW });
  client = new SNSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

beforeEach(async () => {
  server.reset();
  topicArn = (await client.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
});

afterAll(async () => {
  client.destroy();
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function subscribe(protocol: string, endpoint: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await client.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }),
  );
  return out.SubscriptionArn as string;
}

function publish(input: Omit<PublishCommandInput, 'TopicArn'>): Promise<unknown> {
  return client.send(new PublishCommand({ TopicArn: topicArn, ...input }));
}

function attributes(count: number): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: `v${i}` }]));
}

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('topics and subscriptions', () => {
  it('creates topics idempotently and refuses a different definition of the same name', async () => {
    // Act
    const again = await client.send(new CreateTopicCommand({ Name: 'alerts' }));
    const conflict = await failure(client.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { DisplayName: 'x' } })));
    const badName = await failure(client.send(new CreateTopicCommand({ Name: 'bad name!' })));

    // Assess
    expect(again.TopicArn).toBe(topicArn);
    expect(topicArn).toBe('arn:aws:sns:us-east-1:123456789012:alerts');
    expect(conflict).toBeInstanceOf(InvalidParameterException);
    expect(badName).toBeInstanceOf(InvalidParameterException);
  });

  it('lists subscriptions, email ones pending until confirmed with their token', async () => {
    // Prepare
    const queue = await subscribe('sqs', QUEUE);
    const pending = await client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'oncall@example.com' }));
    const email = server.subscriptions(topicArn).find((s) => s.protocol === 'email')!.arn;

    // Act
    const before = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const confirmed = await client.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: server.confirmationToken(email) }));
    const after = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));

    // Assess
    expect(pending.SubscriptionArn).toBe('pending confirmation');
    expect(before.Subscriptions?.map((s) => [s.Protocol, s.SubscriptionArn])).toEqual([
      ['sqs', queue],
      ['email', 'PendingConfirmation'],
    ]);
    expect(confirmed.SubscriptionArn).toBe(email);
    expect(after.Subscriptions?.[1]).toEqual({ SubscriptionArn: email, Owner: '123456789012', Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicArn });
  });

  it('round-trips endpoints with XML special characters and pages long lists', async () => {
    // Prepare
    const hook = 'https://hooks.example.com/in?a=1&b=<2>';
    await subscribe('https', hook);
    for (let i = 0; i < 100; i += 1) await subscribe('sqs', `${QUEUE}-${i}`);

    // Act
    const first = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const second = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: first.NextToken }));

    // Assess
    expect(first.Subscriptions).toHaveLength(100);
    expect(first.Subscriptions?.[0]?.Endpoint).toBe(hook);
    expect(second.Subscriptions).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
  });

  it.each([
    ['an unknown protocol', 'carrier-pigeon', QUEUE, {}],
    ['an SQS endpoint that is not a queue ARN', 'sqs', 'https://sqs.example.com/q', {}],
    ['raw delivery for Lambda', 'lambda', FUNCTION, { RawMessageDelivery: 'true' }],
    ['an unknown attribute', 'sqs', QUEUE, { Colour: 'blue' }],
    ['a filter policy that is not JSON', 'sqs', QUEUE, { FilterPolicy: '{severity:' }],
    ['a filter policy with 6 keys', 'sqs', QUEUE, { FilterPolicy: JSON.stringify({ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] }) }],
    ['a filter policy over 150 combinations', 'sqs', QUEUE, { FilterPolicy: JSON.stringify({ a: Array.from({ length: 13 }, String), b: Array.from({ length: 12 }, String) }) }],
    ['a malformed numeric range', 'sqs', QUEUE, { FilterPolicy: JSON.stringify({ r: [{ numeric: ['<', 5, '>', 1] }] }) }],
    ['an operator the server does not model', 'sqs', QUEUE, { FilterPolicy: JSON.stringify({ ip: [{ cidr: '10.0.0.0/8' }] }) }],
    ['a message-body filter scope (not modelled)', 'sqs', QUEUE, { FilterPolicy: '{"a":["b"]}', FilterPolicyScope: 'MessageBody' }],
  ])('refuses to subscribe with %s', async (_name, protocol, endpoint, attrs) => {
    // Act
    const error = await failure(subscribe(protocol, endpoint, attrs));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('refuses to publish to a topic that does not exist', async () => {
    // Act
    const error = await failure(client.send(new PublishCommand({ TopicArn: `${topicArn}-gone`, Message: 'm' })));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
  });
});

describe('Publish limits', () => {
  it('accepts a message of exactly 262,144 bytes including attributes, and refuses one byte more', async () => {
    // Prepare
    const attrs = { severity: { DataType: 'String', StringValue: 'HIGH' } };
    const attributeBytes = utf8('severity') + utf8('String') + utf8('HIGH');
    const body = 'é'.repeat((MAX_MESSAGE_BYTES - attributeBytes) / 2);

    // Act
    await publish({ Message: body, MessageAttributes: attrs });
    const error = await failure(publish({ Message: `${body}x`, MessageAttributes: attrs }));

    // Assess
    expect(server.published()[0]?.bytes).toBe(MAX_MESSAGE_BYTES);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/Message too long/);
  });

  it('refuses an empty message', async () => {
    // Act
    const error = await failure(publish({ Message: '' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('accepts a 99-character UTF-8 subject', async () => {
    // Prepare
    const subject = `[CRITICAL] ${'ü'.repeat(85)} 🚨`;

    // Act
    await publish({ Message: 'm', Subject: subject });

    // Assess
    expect(subject.length).toBe(99);
    expect(server.published()[0]?.subject).toBe(subject);
  });

  it.each([
    ['100 characters', 'x'.repeat(100)],
    ['a line feed', 'first\nsecond'],
    ['a carriage return', 'first\rsecond'],
    ['a bell', 'ding\u0007'],
    ['a C1 control (NEL)', 'a\u0085b'],
    ['a line separator', 'a\u2028b'],
    ['nothing but spaces', '   '],
  ])('refuses a subject with %s', async (_name, subject) => {
    // Act
    const error = await failure(publish({ Message: 'm', Subject: subject }));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(server.published()).toHaveLength(0);
  });

  it.each([
    ['a reserved AWS. prefix', { 'AWS.severity': { DataType: 'String', StringValue: 'x' } }],
    ['a reserved amazon. prefix in any case', { 'aMaZoN.x': { DataType: 'String', StringValue: 'x' } }],
    ['a leading period', { '.x': { DataType: 'String', StringValue: 'x' } }],
    ['successive periods', { 'a..b': { DataType: 'String', StringValue: 'x' } }],
    ['a space in the name', { 'a b': { DataType: 'String', StringValue: 'x' } }],
    ['a 257-character name', { ['n'.repeat(257)]: { DataType: 'String', StringValue: 'x' } }],
    ['an unknown type', { a: { DataType: 'Text', StringValue: 'x' } }],
    ['a wrongly cased type', { a: { DataType: 'string', StringValue: 'x' } }],
    ['an empty value', { a: { DataType: 'String', StringValue: '' } }],
    ['a Number that is not one', { a: { DataType: 'Number', StringValue: 'three' } }],
    ['a Number over 10^9', { a: { DataType: 'Number', StringValue: '1000000001' } }],
    ['a String.Array that is not JSON', { a: { DataType: 'String.Array', StringValue: "['x']" } }],
    ['a String.Array that is an object', { a: { DataType: 'String.Array', StringValue: '{"x":1}' } }],
    ['a String.Array holding an object', { a: { DataType: 'String.Array', StringValue: '[{"x":1}]' } }],
  ] as Array<[string, Record<string, MessageAttributeValue>]>)('refuses an attribute with %s', async (_name, attrs) => {
    // Act
    const error = await failure(publish({ Message: 'm', MessageAttributes: attrs }));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterValueException);
  });

  it.each([
    ['not JSON', 'plain text'],
    ['a JSON array', '["default"]'],
    ['no default key', '{"email":"hi"}'],
    ['a non-string protocol value', '{"default":"d","sqs":{"x":1}}'],
  ])('refuses MessageStructure json with %s', async (_name, message) => {
    // Act
    const error = await failure(publish({ Message: message, MessageStructure: 'json' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
  });
});

describe('what subscribers receive', () => {
  it('raw SQS: the body and the attributes as they were published', async () => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const attrs = { severity: { DataType: 'String', StringValue: 'HIGH' }, rank: { DataType: 'Number', StringValue: '3' } };

    // Act
    await publish({ Message: '{"a":1}', Subject: 'subject', MessageAttributes: attrs });

    // Assess
    const [delivery] = server.inbox(sub);
    expect(delivery).toEqual({ kind: 'raw', messageId: server.published()[0]!.messageId, body: '{"a":1}', messageAttributes: attrs });
  });

  it('raw SQS drops a message with 11 attributes; a non-raw subscriber still gets it', async () => {
    // Prepare
    const raw = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const wrapped = await subscribe('sqs', `${QUEUE}-wrapped`);

    // Act
    await publish({ Message: 'ten', MessageAttributes: attributes(10) });
    await publish({ Message: 'eleven', MessageAttributes: attributes(11) });

    // Assess
    expect(server.inbox(raw).map((d) => (d.kind === 'raw' ? d.body : ''))).toEqual(['ten']);
    expect(server.dropped(raw)).toEqual([{ messageId: server.published()[1]!.messageId, reason: 'RawDeliveryTooManyAttributes' }]);
    expect(server.inbox(wrapped)).toHaveLength(2);
  });

  it('non-raw SQS: the SNS JSON envelope with subject and MessageAttributes', async () => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE);

    // Act
    await publish({ Message: 'body', Subject: 'subject', MessageAttributes: { ids: { DataType: 'String.Array', StringValue: '["a","b"]' } } });

    // Assess
    const delivery = server.inbox(sub)[0] as Extract<Delivery, { kind: 'envelope' }>;
    expect(JSON.parse(delivery.body)).toMatchObject({
      Type: 'Notification',
      MessageId: server.published()[0]!.messageId,
      TopicArn: topicArn,
      Subject: 'subject',
      Message: 'body',
      Timestamp: new Date(NOW).toISOString(),
      SignatureVersion: '1',
      MessageAttributes: { ids: { Type: 'String.Array', Value: '["a","b"]' } },
    });
  });

  it('Lambda: the invocation event, Number and String.Array passed as String', async () => {
    // Prepare
    const sub = await subscribe('lambda', FUNCTION);

    // Act
    await publish({ Message: 'body', MessageAttributes: { rank: { DataType: 'Number', StringValue: '3' } } });

    // Assess
    const delivery = server.inbox(sub)[0] as Extract<Delivery, { kind: 'lambda' }>;
    expect(delivery.event.Records[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventSubscriptionArn: sub,
      Sns: { Type: 'Notification', Subject: null, Message: 'body', MessageAttributes: { rank: { Type: 'String', Value: '3' } } },
    });
  });

  it('email: nothing while pending; subject and body once confirmed; the default subject when there is none', async () => {
    // Prepare
    const sub = await subscribe('email', 'oncall@example.com');

    // Act
    await publish({ Message: 'while pending', Subject: 'first' });
    server.confirm(sub);
    await publish({ Message: 'hello', Subject: 'second' });
    await publish({ Message: 'no subject' });

    // Assess
    expect(server.dropped(sub)).toEqual([{ messageId: server.published()[0]!.messageId, reason: 'PendingConfirmation' }]);
    expect(server.inbox(sub).map((d) => (d.kind === 'email' ? [d.subject, d.body] : []))).toEqual([
      ['second', 'hello'],
      ['AWS Notification Message', 'no subject'],
    ]);
  });

  it('MessageStructure json: each protocol its own body, and no attributes for anyone', async () => {
    // Prepare
    const raw = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const email = await subscribe('email', 'oncall@example.com');
    server.confirm(email);
    const filtered = await subscribe('sqs', `${QUEUE}-filtered`, { RawMessageDelivery: 'true', FilterPolicy: '{"severity":["HIGH"]}' });

    // Act
    await publish({
      MessageStructure: 'json',
      Message: JSON.stringify({ default: 'for everyone', email: 'for people' }),
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'HIGH' } },
    });

    // Assess
    expect(server.inbox(raw)).toEqual([expect.objectContaining({ kind: 'raw', body: 'for everyone', messageAttributes: {} })]);
    expect(server.inbox(email)).toEqual([expect.objectContaining({ kind: 'email', body: 'for people' })]);
    expect(server.dropped(filtered).map((d) => d.reason)).toEqual(['FilteredOut']);
  });
});

describe('filter policies', () => {
  const severities = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

  async function publishAll(): Promise<void> {
    for (const [rank, severity] of severities.entries()) {
      await publish({
        Message: severity,
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: severity },
          severityRank: { DataType: 'Number', StringValue: String(rank) },
          ruleIds: { DataType: 'String.Array', StringValue: JSON.stringify([`rule-${severity.toLowerCase()}`, 'common']) },
        },
      });
    }
    await publish({ Message: 'no attributes' });
  }

  function received(sub: string): string[] {
    return server.inbox(sub).map((d) => (d.kind === 'raw' ? d.body : ''));
  }

  it.each([
    ['exact strings', { severity: ['HIGH', 'CRITICAL'] }, ['HIGH', 'CRITICAL']],
    ['anything-but', { severity: [{ 'anything-but': ['INFO', 'LOW', 'MEDIUM'] }] }, ['HIGH', 'CRITICAL']],
    ['numeric >=', { severityRank: [{ numeric: ['>=', 3] }] }, ['HIGH', 'CRITICAL']],
    ['a numeric range', { severityRank: [{ numeric: ['>', 0, '<=', 2] }] }, ['LOW', 'MEDIUM']],
    ['a number never matching a string', { severity: [3] }, []],
    ['a String.Array element', { ruleIds: ['rule-low'] }, ['LOW']],
    ['a prefix', { severity: [{ prefix: 'CRIT' }] }, ['CRITICAL']],
    ['exists false', { severity: [{ exists: false }] }, ['no attributes']],
    ['two keys (AND)', { severity: [{ 'anything-but': 'CRITICAL' }], severityRank: [{ numeric: ['>=', 2] }] }, ['MEDIUM', 'HIGH']],
  ])('%s', async (_name, policy, expected) => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(policy) });

    // Act
    await publishAll();

    // Assess
    expect(received(sub)).toEqual(expected);
    expect(server.dropped(sub).every((d) => d.reason === 'FilteredOut')).toBe(true);
    expect(server.dropped(sub)).toHaveLength(6 - expected.length);
  });

  it('can be set, read back and cleared after subscribing', async () => {
    // Prepare
    const sub = await subscribe('sqs', QUEUE, { RawMessageDelivery: 'true' });
    const policy = JSON.stringify({ severity: ['CRITICAL'] });

    // Act
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicy', AttributeValue: policy }));
    const read = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }));
    await publishAll();
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicy', AttributeValue: '' }));
    await publish({ Message: 'after clearing' });

    // Assess
    expect(read.Attributes).toMatchObject({ FilterPolicy: policy, RawMessageDelivery: 'true', Protocol: 'sqs', TopicArn: topicArn });
    expect(received(sub)).toEqual(['CRITICAL', 'after clearing']);
  });
});

describe('test-server machinery', () => {
  it('injects faults the SDK sees as SNS errors and records every call', async () => {
    // Prepare
    server.injectFault((operation, index) => (operation === 'Publish' && index === 0 ? { kind: 'throttle' } : undefined));

    // Act
    const error = await failure(publish({ Message: 'first' }));
    await publish({ Message: 'second' });

    // Assess
    expect(error).toBeInstanceOf(ThrottledException);
    expect(server.calls('Publish').map((c) => c.status)).toEqual([429, 200]);
    expect(server.published().map((m) => m.message)).toEqual(['second']);
  });

  it('answers an unknown action and a request without credentials the way AWS does', async () => {
    // Act
    const unknown = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=x/20260115/us-east-1/sns/aws4_request' },
      body: 'Action=LaunchRocket&Version=2010-03-31',
    });
    const anonymous = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListTopics&Version=2010-03-31',
    });

    // Assess
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
