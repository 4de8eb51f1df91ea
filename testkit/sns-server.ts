/**
 * A strict local SNS: the operations trailwatch and its tests call, over the AWS Query
 * protocol that `@aws-sdk/client-sns` 3.x speaks (form-encoded POST, XML responses),
 * rejecting what SNS rejects (AWS-FACTS.md "SNS — Publish", the Publish API reference and
 * the SNS developer guide's message-attribute and filter-policy pages), and recording what
 * each subscriber would receive, so tests can read it:
 * - SQS with raw message delivery: the body and the attributes; a message with more than
 *   10 attributes is dropped, as SNS drops it;
 * - SQS without raw delivery, HTTP(S), email-json: the SNS JSON envelope with MessageAttributes;
 * - Lambda: the event Lambda is invoked with;
 * - email: subject and body.
 * Attributes are not delivered (nor seen by filter policies) with MessageStructure json.
 * Subscription filter policies: attribute scope, exact strings and numbers, `prefix`,
 * `anything-but`, `numeric` comparisons and ranges, `exists`; anything else is refused
 * at Subscribe rather than silently mis-evaluated.
 *
 * Nothing is sent anywhere: email and HTTP(S) subscriptions stay pending until confirmed
 * (ConfirmSubscription with the token from `confirmationToken`, or `confirm()`), as on AWS.
 * Signatures are fake; FIFO topics are not modelled.
 *
 * Manual run: `tsx testkit/sns-server.ts [--port N] [--host H] [--topic NAME] [--region R]`.
 *
 * Deliberately independent of lib/notify's limits: it is the oracle those are tested against.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  AwsServiceError,
  AwsTestServer,
  type EncodedResponse,
  type JsonObject,
  type OperationHandler,
  type RequestContext,
  type WireProtocol,
  runServerFromCommandLine,
} from './aws-json-server';

export type { CallRecord, Fault, FaultPlan } from './aws-json-server';

/** Publish: "at most 262,144 bytes", message attributes (name, type and value) included. */
export const MAX_MESSAGE_BYTES = 262_144;
/** Publish Subject: "less than 100 characters". Counted in UTF-16 units (a Java String's length). */
export const MAX_SUBJECT_CHARS = 99;
/** SQS subscriptions with raw message delivery drop messages with more than this many attributes. */
export const MAX_RAW_SQS_ATTRIBUTES = 10;
/** Attribute names and data types: up to 256 characters / bytes. */
export const MAX_ATTRIBUTE_NAME_CHARS = 256;
export const MAX_ATTRIBUTE_TYPE_BYTES = 256;
/** Number attributes: "a value from -10^9 to 10^9". */
export const MAX_NUMBER_MAGNITUDE = 1e9;
/** Filter policies: at most 5 attribute names, 150 value combinations, 256 KB. */
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
export const MAX_FILTER_POLICY_BYTES = 256 * 1024;
/** Topic names: 1 to 256 of [A-Za-z0-9_-]. */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const ACCOUNT_ID = '123456789012';
const API_VERSION = '2010-03-31';
const XMLNS = `http://sns.amazonaws.com/doc/${API_VERSION}/`;
/** Email subject SNS uses when Publish has none. */
export const DEFAULT_EMAIL_SUBJECT = 'AWS Notification Message';
/**
 * Room for a valid Publish form-encoded: 256 KB of 3-byte UTF-8 characters percent-encode
 * to ~768 KB, plus attributes and the other parameters.
 */
const MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024;

const PROTOCOLS = ['sqs', 'lambda', 'http', 'https', 'email', 'email-json'] as const;
export type SubscriptionProtocol = (typeof PROTOCOLS)[number];
const CONFIRMED_ON_SUBSCRIBE: ReadonlySet<string> = new Set(['sqs', 'lambda']);
const RAW_CAPABLE: ReadonlySet<string> = new Set(['sqs', 'http', 'https']);
const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set(['String', 'String.Array', 'Number', 'Binary']);
// eslint-disable-next-line no-control-regex -- SNS refuses these in a Subject
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const TOPIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ArchivePolicy',
  'FifoTopic',
  'ContentBasedDeduplication',
]);
const SUBSCRIPTION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'DeliveryPolicy',
  'RedrivePolicy',
  'SubscriptionRoleArn',
]);

// ---------------------------------------------------------------------------------------
// The AWS Query protocol as a WireProtocol for the AwsTestServer base.

/** An XML map (`<entry><key>…</key><value>…</value></entry>`), as Query responses write maps. */
export class XmlMap {
  constructor(readonly entries: ReadonlyArray<readonly [string, string]>) {}
}
export type XmlValue = string | number | boolean | undefined | XmlMap | readonly XmlValue[] | { readonly [name: string]: XmlValue };

/** What a Query operation handler returns: the action names the `<Action>Response`/`<Action>Result` elements. */
export interface QueryResult {
  readonly action: string;
  readonly result: { readonly [name: string]: XmlValue };
}

/**
 * AWS Query: `POST /` with `Content-Type: application/x-www-form-urlencoded`, a body of
 * `Action=…&Version=…&…` where structures flatten to `A.B`, lists to `A.member.N` and maps
 * to `A.entry.N.key|value` (SNS's MessageAttributes: `.Name` and `.Value.*`); the response
 * is `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`, errors
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>`. The SDK maps `Code` to its
 * exception through the model's `awsQueryError` code (InvalidParameter →
 * InvalidParameterException, ParameterValueInvalid → InvalidParameterValueException, …).
 * Decoded input is a flat object of those dotted keys to strings.
 */
export function awsQueryProtocol(version: string, xmlns: string): WireProtocol {
  const xmlResponse = (status: number, body: string): EncodedResponse => ({
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  });
  return {
    operation(_request, body) {
      try {
        return parseForm(body.toString('utf8')).Action ?? '';
      } catch {
        return '';
      }
    },
    decode(request: IncomingMessage, body: Buffer): JsonObject {
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        throw new AwsServiceError('MalformedQueryString', 'Content-Type must be application/x-www-form-urlencoded');
      }
      const form = parseForm(body.toString('utf8'));
      if (form.Version !== version) {
        throw new AwsServiceError('InvalidParameterValue', `Version ${JSON.stringify(form.Version ?? '')} is not ${version}`);
      }
      return form;
    },
    encodeResult(output: object): EncodedResponse {
      const { action, result } = output as QueryResult;
      if (typeof action !== 'string') throw new Error('a Query handler must return { action, result }');
      return xmlResponse(
        200,
        `<${action}Response xmlns="${xmlns}">${element(`${action}Result`, result)}` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    },
    encodeError(error: AwsServiceError): EncodedResponse {
      const type = error.status >= 500 ? 'Receiver' : 'Sender';
      return xmlResponse(
        error.status,
        `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
          `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    },
  };
}

/** `application/x-www-form-urlencoded`, strictly: bytes that are not UTF-8 are an error, not U+FFFD. */
function parseForm(text: string): Record<string, string> {
  const form: Record<string, string> = {};
  if (text === '') return form;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new AwsServiceError('MalformedQueryString', 'The query string is not valid percent-encoded UTF-8');
    }
    Object.defineProperty(form, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return form;
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof XmlMap) {
    const entries = value.entries.map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></entry>`);
    return `<${name}>${entries.join('')}</${name}>`;
  }
  if (Array.isArray(value)) return `<${name}>${value.map((item: XmlValue) => element('member', item)).join('')}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, XmlValue>)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** XML text: markup characters as entities, and characters XML 1.0 cannot carry as character references are dropped. */
const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c] as string)
    // eslint-disable-next-line no-control-regex -- characters XML 1.0 cannot carry
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\r\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------------------
// The service model.

export interface AttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the Query protocol carries blobs. */
  readonly BinaryValue?: string;
}

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: 'json';
  readonly messageAttributes: Readonly<Record<string, AttributeValue>>;
  /** What counted against MAX_MESSAGE_BYTES. */
  readonly bytes: number;
  readonly at: number;
}

/** What one subscriber received for one message. */
export type Delivery =
  /** SQS with raw message delivery: the message as the SQS body, SNS attributes as SQS message attributes. */
  | { readonly kind: 'raw'; readonly messageId: string; readonly body: string; readonly messageAttributes: Readonly<Record<string, AttributeValue>> }
  /** SQS without raw delivery, HTTP(S), email-json: the SNS JSON envelope, as text. */
  | { readonly kind: 'envelope'; readonly messageId: string; readonly body: string }
  /** Lambda: the invocation event. */
  | { readonly kind: 'lambda'; readonly messageId: string; readonly event: LambdaSnsEvent }
  | { readonly kind: 'email'; readonly messageId: string; readonly subject: string; readonly body: string };

export interface LambdaSnsEvent {
  readonly Records: ReadonlyArray<{
    readonly EventSource: 'aws:sns';
    readonly EventVersion: '1.0';
    readonly EventSubscriptionArn: string;
    readonly Sns: {
      readonly Type: 'Notification';
      readonly MessageId: string;
      readonly TopicArn: string;
      readonly Subject: string | null;
      readonly Message: string;
      readonly Timestamp: string;
      readonly SignatureVersion: string;
      readonly Signature: string;
      readonly SigningCertUrl: string;
      readonly UnsubscribeUrl: string;
      readonly MessageAttributes: Readonly<Record<string, { readonly Type: string; readonly Value: string }>>;
    };
  }>;
}

export type DropReason = 'FilteredOut' | 'RawDeliveryTooManyAttributes' | 'PendingConfirmation';

export interface DroppedMessage {
  readonly messageId: string;
  readonly reason: DropReason;
}

export interface SubscriptionView {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  readonly confirmed: boolean;
  readonly attributes: Readonly<Record<string, string>>;
}

interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly subscriptions: string[];
}

interface Subscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  readonly token: string;
  confirmed: boolean;
  attributes: Record<string, string>;
  filter?: FilterPolicy;
  readonly deliveries: Delivery[];
  readonly dropped: DroppedMessage[];
}

export interface SnsServerOptions {
  /** Clock (ms since epoch) for envelope timestamps and call records. */
  now?: () => number;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export class SnsServer extends AwsTestServer {
  private topicsByArn = new Map<string, Topic>();
  private subscriptionsByArn = new Map<string, Subscription>();
  private publishLog: PublishedMessage[] = [];

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    CreateTopic: (input, context) => this.createTopicOperation(input, context),
    Subscribe: (input) => this.subscribe(input),
    ConfirmSubscription: (input) => this.confirmSubscription(input),
    ListSubscriptionsByTopic: (input) => this.listSubscriptionsByTopic(input),
    GetSubscriptionAttributes: (input) => this.getSubscriptionAttributes(input),
    SetSubscriptionAttributes: (input) => this.setSubscriptionAttributes(input),
    Publish: (input, context) => this.publish(input, context),
  };

  private constructor(options: SnsServerOptions) {
    super(awsQueryProtocol(API_VERSION, XMLNS), { now: options.now, maxBodyBytes: MAX_REQUEST_BODY_BYTES });
  }

  static async start(options: SnsServerOptions = {}): Promise<SnsServer> {
    const server = new SnsServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  /** Creates a topic without a request (local stacks, the CLI); same rules as CreateTopic. */
  createTopic(name: string, region = 'us-east-1', attributes: Record<string, string> = {}): string {
    return this.ensureTopic(name, region, attributes);
  }

  topicArns(): string[] {
    return [...this.topicsByArn.keys()].sort();
  }

  topicAttributes(topicArn: string): Readonly<Record<string, string>> {
    return { ...this.topic(topicArn).attributes };
  }

  subscriptions(topicArn?: string): SubscriptionView[] {
    return [...this.subscriptionsByArn.values()]
      .filter((sub) => topicArn === undefined || sub.topicArn === topicArn)
      .map((sub) => ({
        arn: sub.arn,
        topicArn: sub.topicArn,
        protocol: sub.protocol,
        endpoint: sub.endpoint,
        confirmed: sub.confirmed,
        attributes: { ...sub.attributes },
      }));
  }

  /** Accepted Publish calls in arrival order. */
  published(topicArn?: string): PublishedMessage[] {
    return this.publishLog.filter((message) => topicArn === undefined || message.topicArn === topicArn);
  }

  /** What a subscriber received, in order. */
  inbox(subscriptionArn: string): ReadonlyArray<Delivery> {
    return [...this.subscription(subscriptionArn).deliveries];
  }

  /** Messages a subscriber did not receive, and why. */
  dropped(subscriptionArn: string): ReadonlyArray<DroppedMessage> {
    return [...this.subscription(subscriptionArn).dropped];
  }

  /** The token AWS would send in the confirmation email / HTTP request. */
  confirmationToken(subscriptionArn: string): string {
    return this.subscription(subscriptionArn).token;
  }

  /** Confirms a pending email/HTTP(S) subscription, as following the confirmation link does. */
  confirm(subscriptionArn: string): void {
    this.subscription(subscriptionArn).confirmed = true;
  }

  override reset(): void {
    super.reset();
    this.topicsByArn = new Map();
    this.subscriptionsByArn = new Map();
    this.publishLog = [];
  }

  protected override throttlingError(): AwsServiceError {
    return new AwsServiceError('Throttled', 'Rate exceeded', 429);
  }

  protected override serverError(status: 500 | 503): AwsServiceError {
    return status === 503
      ? new AwsServiceError('ServiceUnavailable', 'Service is unavailable', 503)
      : new AwsServiceError('InternalError', 'Internal error', 500);
  }

  protected override unknownOperationError(operation: string): AwsServiceError {
    return new AwsServiceError('InvalidAction', `The action ${operation || '(none)'} is not valid for this web service.`, 400);
  }

  protected override missingAuthenticationError(): AwsServiceError {
    return new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }

  // --- operations -----------------------------------------------------------------------

  private createTopicOperation(input: JsonObject, context: RequestContext): QueryResult {
    const name = required(input, 'Name');
    const attributes = readMap(input, 'Attributes', 'key', 'value');
    return { action: 'CreateTopic', result: { TopicArn: this.ensureTopic(name, context.region, attributes) } };
  }

  private ensureTopic(name: string, region: string, attributes: Record<string, string>): string {
    if (name.endsWith('.fifo') || attributes.FifoTopic === 'true') {
      throw invalidParameter('Invalid parameter: test server: FIFO topics are not modelled');
    }
    if (!TOPIC_NAME.test(name)) {
      throw invalidParameter('Invalid parameter: Topic Name');
    }
    for (const [key, value] of Object.entries(attributes)) {
      if (!TOPIC_ATTRIBUTES.has(key)) throw invalidParameter(`Invalid parameter: Attributes Reason: Unknown attribute ${key}`);
      if ((key === 'Policy' || key === 'DeliveryPolicy' || key === 'ArchivePolicy') && !isJsonObject(value)) {
        throw invalidParameter(`Invalid parameter: ${key} Error: the value is not a JSON object`);
      }
    }
    const arn = `arn:aws:sns:${region}:${ACCOUNT_ID}:${name}`;
    const existing = this.topicsByArn.get(arn);
    if (existing) {
      // CreateTopic is idempotent, but not with different attributes.
      const differs = Object.entries(attributes).some(([key, value]) => existing.attributes[key] !== value);
      if (differs) throw invalidParameter('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
      return arn;
    }
    this.topicsByArn.set(arn, { arn, name, attributes: { ...attributes }, subscriptions: [] });
    return arn;
  }

  private subscribe(input: JsonObject): QueryResult {
    const topic = this.topic(required(input, 'TopicArn'));
    const protocol = required(input, 'Protocol');
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
      throw invalidParameter(`Invalid parameter: Protocol (test server models ${PROTOCOLS.join(', ')})`);
    }
    const endpoint = required(input, 'Endpoint');
    validateEndpoint(protocol as SubscriptionProtocol, endpoint);
    const attributes = readMap(input, 'Attributes', 'key', 'value');
    const parsed = validateSubscriptionAttributes(protocol as SubscriptionProtocol, attributes);
    const returnArn = optional(input, 'ReturnSubscriptionArn') === 'true';

    const existing = topic.subscriptions
      .map((arn) => this.subscriptionsByArn.get(arn) as Subscription)
      .find((sub) => sub.protocol === protocol && sub.endpoint === endpoint);
    if (existing) {
      const same =
        Object.keys(attributes).length === Object.keys(existing.attributes).length &&
        Object.entries(attributes).every(([key, value]) => existing.attributes[key] === value);
      if (!same) throw invalidParameter('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
      return { action: 'Subscribe', result: { SubscriptionArn: existing.confirmed || returnArn ? existing.arn : 'pending confirmation' } };
    }

    const sub: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      protocol: protocol as SubscriptionProtocol,
      endpoint,
      token: randomUUID().replace(/-/g, '').repeat(4),
      confirmed: CONFIRMED_ON_SUBSCRIBE.has(protocol),
      attributes: { ...attributes },
      ...(parsed.filter ? { filter: parsed.filter } : {}),
      deliveries: [],
      dropped: [],
    };
    this.subscriptionsByArn.set(sub.arn, sub);
    topic.subscriptions.push(sub.arn);
    return { action: 'Subscribe', result: { SubscriptionArn: sub.confirmed || returnArn ? sub.arn : 'pending confirmation' } };
  }

  private confirmSubscription(input: JsonObject): QueryResult {
    const topic = this.topic(required(input, 'TopicArn'));
    const token = required(input, 'Token');
    const sub = topic.subscriptions.map((arn) => this.subscriptionsByArn.get(arn) as Subscription).find((s) => s.token === token);
    if (!sub) throw invalidParameter('Invalid token');
    sub.confirmed = true;
    return { action: 'ConfirmSubscription', result: { SubscriptionArn: sub.arn } };
  }

  private listSubscriptionsByTopic(input: JsonObject): QueryResult {
    const PAGE = 100;
    const topic = this.topic(required(input, 'TopicArn'));
    const token = optional(input, 'NextToken');
    const offset = token === undefined ? 0 : Number(token);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > topic.subscriptions.length) {
      throw invalidParameter('Invalid parameter: NextToken');
    }
    const page = topic.subscriptions.slice(offset, offset + PAGE).map((arn) => {
      const sub = this.subscriptionsByArn.get(arn) as Subscription;
      return {
        SubscriptionArn: sub.confirmed ? sub.arn : 'PendingConfirmation',
        Owner: ACCOUNT_ID,
        Protocol: sub.protocol,
        Endpoint: sub.endpoint,
        TopicArn: sub.topicArn,
      };
    });
    const next = offset + PAGE < topic.subscriptions.length ? String(offset + PAGE) : undefined;
    return { action: 'ListSubscriptionsByTopic', result: { Subscriptions: page, NextToken: next } };
  }

  private getSubscriptionAttributes(input: JsonObject): QueryResult {
    const sub = this.subscription(required(input, 'SubscriptionArn'), true);
    const all: Record<string, string> = {
      ...sub.attributes,
      SubscriptionArn: sub.arn,
      TopicArn: sub.topicArn,
      Protocol: sub.protocol,
      Endpoint: sub.endpoint,
      Owner: ACCOUNT_ID,
      PendingConfirmation: String(!sub.confirmed),
      ConfirmationWasAuthenticated: String(sub.confirmed),
      RawMessageDelivery: sub.attributes.RawMessageDelivery ?? 'false',
    };
    return { action: 'GetSubscriptionAttributes', result: { Attributes: new XmlMap(Object.entries(all)) } };
  }

  private setSubscriptionAttributes(input: JsonObject): QueryResult {
    const sub = this.subscription(required(input, 'SubscriptionArn'), true);
    const name = required(input, 'AttributeName');
    const value = optional(input, 'AttributeValue') ?? '';
    const next = { ...sub.attributes, [name]: value };
    // Clearing a filter policy is done with an empty value.
    if (name === 'FilterPolicy' && value === '') delete next.FilterPolicy;
    const parsed = validateSubscriptionAttributes(sub.protocol, next);
    sub.attributes = next;
    if (parsed.filter) sub.filter = parsed.filter;
    else delete sub.filter;
    return { action: 'SetSubscriptionAttributes', result: {} };
  }

  private publish(input: JsonObject, context: RequestContext): QueryResult {
    if (optional(input, 'TargetArn') !== undefined || optional(input, 'PhoneNumber') !== undefined) {
      throw invalidParameter('Invalid parameter: test server models publishing to a TopicArn only');
    }
    const topicArn = required(input, 'TopicArn');
    const message = optional(input, 'Message');
    if (message === undefined || message === '') throw invalidParameter('Invalid parameter: Empty message');
    const subject = optional(input, 'Subject');
    if (subject !== undefined) validateSubject(subject);
    const structure = optional(input, 'MessageStructure');
    let perProtocol: Record<string, string> | undefined;
    if (structure !== undefined) {
      if (structure !== 'json') throw invalidParameter('Invalid parameter: MessageStructure');
      perProtocol = parseMessageStructure(message);
    }
    const attributes = readMessageAttributes(input);
    const bytes = Buffer.byteLength(message, 'utf8') + attributeBytes(attributes);
    if (bytes > MAX_MESSAGE_BYTES) {
      throw invalidParameter(`Invalid parameter: Message too long (${bytes} bytes including attributes; the limit is ${MAX_MESSAGE_BYTES})`);
    }
    const topic = this.topic(topicArn);
    context.note.bytes = bytes;

    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      ...(subject !== undefined ? { subject } : {}),
      message,
      ...(structure === 'json' ? { messageStructure: 'json' as const } : {}),
      messageAttributes: attributes,
      bytes,
      at: context.now,
    };
    this.publishLog.push(published);
    for (const arn of topic.subscriptions) this.deliver(this.subscriptionsByArn.get(arn) as Subscription, published, perProtocol);
    return { action: 'Publish', result: { MessageId: published.messageId } };
  }

  // --- delivery -------------------------------------------------------------------------

  private deliver(sub: Subscription, message: PublishedMessage, perProtocol: Record<string, string> | undefined): void {
    const drop = (reason: DropReason): void => {
      sub.dropped.push({ messageId: message.messageId, reason });
    };
    if (!sub.confirmed) return drop('PendingConfirmation');
    // "Message attributes are sent only when the message structure is String, not JSON."
    const attributes = perProtocol === undefined ? message.messageAttributes : {};
    if (sub.filter && !matchesPolicy(sub.filter, attributes)) return drop('FilteredOut');
    const body = perProtocol === undefined ? message.message : (perProtocol[sub.protocol] ?? (perProtocol.default as string));
    const raw = sub.attributes.RawMessageDelivery === 'true';

    if (sub.protocol === 'email') {
      sub.deliveries.push({ kind: 'email', messageId: message.messageId, subject: message.subject ?? DEFAULT_EMAIL_SUBJECT, body });
      return;
    }
    if (sub.protocol === 'lambda') {
      sub.deliveries.push({ kind: 'lambda', messageId: message.messageId, event: this.lambdaEvent(sub, message, body, attributes) });
      return;
    }
    if (raw && sub.protocol === 'sqs') {
      // "Messages with more than 10 message attributes directed towards Raw Message Delivery
      // enabled Amazon SQS subscriptions will be discarded as client side errors."
      if (Object.keys(attributes).length > MAX_RAW_SQS_ATTRIBUTES) return drop('RawDeliveryTooManyAttributes');
      sub.deliveries.push({ kind: 'raw', messageId: message.messageId, body, messageAttributes: { ...attributes } });
      return;
    }
    if (raw) {
      // HTTP(S) raw delivery posts the bare message; attributes are not part of it.
      sub.deliveries.push({ kind: 'raw', messageId: message.messageId, body, messageAttributes: {} });
      return;
    }
    sub.deliveries.push({ kind: 'envelope', messageId: message.messageId, body: JSON.stringify(this.envelope(sub, message, body, attributes)) });
  }

  private envelope(sub: Subscription, message: PublishedMessage, body: string, attributes: Readonly<Record<string, AttributeValue>>): object {
    const region = sub.topicArn.split(':')[3] ?? 'us-east-1';
    const names = Object.keys(attributes);
    return {
      Type: 'Notification',
      MessageId: message.messageId,
      TopicArn: message.topicArn,
      ...(message.subject !== undefined ? { Subject: message.subject } : {}),
      Message: body,
      Timestamp: new Date(message.at).toISOString(),
      SignatureVersion: '1',
      Signature: Buffer.from(`test-signature:${message.messageId}`).toString('base64'),
      SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-test.pem`,
      UnsubscribeURL: `${this.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`,
      ...(names.length > 0
        ? {
            MessageAttributes: Object.fromEntries(
              names.map((name) => {
                const value = attributes[name] as AttributeValue;
                return [name, { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue ?? '' }];
              }),
            ),
          }
        : {}),
    };
  }

  private lambdaEvent(sub: Subscription, message: PublishedMessage, body: string, attributes: Readonly<Record<string, AttributeValue>>): LambdaSnsEvent {
    const envelope = this.envelope(sub, message, body, {}) as Record<string, string>;
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: sub.arn,
          Sns: {
            Type: 'Notification',
            MessageId: message.messageId,
            TopicArn: message.topicArn,
            Subject: message.subject ?? null,
            Message: body,
            Timestamp: envelope.Timestamp as string,
            SignatureVersion: '1',
            Signature: envelope.Signature as string,
            SigningCertUrl: envelope.SigningCertURL as string,
            UnsubscribeUrl: envelope.UnsubscribeURL as string,
            // "String.Array / Number … isn't supported for AWS Lambda subscriptions … it's
            // passed as the String data type in the JSON payload" (SNS developer guide).
            MessageAttributes: Object.fromEntries(
              Object.entries(attributes).map(([name, value]) => [
                name,
                { Type: value.DataType === 'Binary' ? 'Binary' : 'String', Value: value.StringValue ?? value.BinaryValue ?? '' },
              ]),
            ),
          },
        },
      ],
    };
  }

  // --- lookups --------------------------------------------------------------------------

  private topic(arn: string): Topic {
    const topic = this.topicsByArn.get(arn);
    if (!topic) throw new AwsServiceError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  private subscription(arn: string, asServiceError = false): Subscription {
    const sub = this.subscriptionsByArn.get(arn);
    if (sub) return sub;
    if (asServiceError) throw new AwsServiceError('NotFound', 'Subscription does not exist', 404);
    throw new Error(`no subscription ${arn}`);
  }
}

// ---------------------------------------------------------------------------------------
// Validation.

function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameter', message, 400);
}

/** Message attribute problems come back as InvalidParameterValue (`ParameterValueInvalid`). */
function invalidAttribute(message: string): AwsServiceError {
  return new AwsServiceError('ParameterValueInvalid', message, 400);
}

function required(input: JsonObject, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw invalidParameter(`Invalid parameter: ${name} is required`);
  return value;
}

function optional(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

/** A Query map `Prefix.entry.N.<key>` / `Prefix.entry.N.<value>`, N from 1 without gaps. */
function readMap(input: JsonObject, prefix: string, keyName: string, valueName: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (let n = 1; ; n += 1) {
    const key = optional(input, `${prefix}.entry.${n}.${keyName}`);
    if (key === undefined) break;
    Object.defineProperty(map, key, {
      value: optional(input, `${prefix}.entry.${n}.${valueName}`) ?? '',
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return map;
}

/**
 * MessageAttributes per the SNS developer guide ("Message attribute items and validation"):
 * names of [A-Za-z0-9_.-], up to 256, not starting or ending with a period, no `..`, not
 * starting with `AWS.` or `Amazon.` in any casing, unique; types String, String.Array,
 * Number, Binary (case-sensitive); values non-empty; Number a number within ±10^9;
 * String.Array a JSON array of strings, numbers, true, false, null.
 */
function readMessageAttributes(input: JsonObject): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (let n = 1; ; n += 1) {
    const base = `MessageAttributes.entry.${n}`;
    const name = optional(input, `${base}.Name`);
    if (name === undefined) break;
    validateAttributeName(name);
    if (Object.hasOwn(attributes, name)) throw invalidAttribute(`Duplicate message attribute name ${name}`);
    const type = optional(input, `${base}.Value.DataType`) ?? '';
    const stringValue = optional(input, `${base}.Value.StringValue`);
    const binaryValue = optional(input, `${base}.Value.BinaryValue`);
    if (type === '') throw invalidAttribute(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (Buffer.byteLength(type) > MAX_ATTRIBUTE_TYPE_BYTES || !ATTRIBUTE_TYPES.has(type)) {
      throw invalidAttribute(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, String, and String.Array.`,
      );
    }
    if (type === 'Binary') {
      if (!binaryValue) throw invalidAttribute(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'Binary'.`);
      attributes[name] = { DataType: type, BinaryValue: binaryValue };
      continue;
    }
    if (stringValue === undefined || stringValue === '') {
      throw invalidAttribute(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type === 'Number') validateNumber(name, stringValue);
    if (type === 'String.Array') validateStringArray(name, stringValue);
    attributes[name] = { DataType: type, StringValue: stringValue };
  }
  return attributes;
}

function validateAttributeName(name: string): void {
  const problem =
    name.length > MAX_ATTRIBUTE_NAME_CHARS
      ? 'is longer than 256 characters'
      : !/^[A-Za-z0-9_.-]+$/.test(name)
        ? 'may only contain A-Z, a-z, 0-9, underscore, hyphen and period'
        : name.startsWith('.') || name.endsWith('.') || name.includes('..')
          ? 'must not start or end with a period or contain successive periods'
          : /^(aws|amazon)\./i.test(name)
            ? "must not start with the reserved prefixes 'AWS.' or 'Amazon.'"
            : undefined;
  if (problem) throw invalidAttribute(`The message attribute name '${name}' ${problem}.`);
}

function validateNumber(name: string, value: string): void {
  const n = Number(value);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) || !Number.isFinite(n)) {
    throw invalidAttribute(`The message attribute '${name}' with type 'Number' must be a valid number.`);
  }
  if (Math.abs(n) > MAX_NUMBER_MAGNITUDE) {
    throw invalidAttribute(`The message attribute '${name}' with type 'Number' must be between -10^9 and 10^9.`);
  }
}

function validateStringArray(name: string, value: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
  if (!ok) throw invalidAttribute(`The message attribute '${name}' with type 'String.Array' must be an array.`);
}

/** "UTF-8 text with no line breaks or control characters, and less than 100 characters long." */
function validateSubject(subject: string): void {
  if (subject.trim() === '') throw invalidParameter('Invalid parameter: Subject must not be empty');
  if (subject.length > MAX_SUBJECT_CHARS) throw invalidParameter('Invalid parameter: Subject');
  if (CONTROL_OR_LINE_BREAK.test(subject)) throw invalidParameter('Invalid parameter: Subject');
}

/** A JSON object with a string `default`; protocol keys (if any) must be strings too. */
function parseMessageStructure(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  const record = parsed as Record<string, unknown>;
  if (typeof record.default !== 'string') {
    throw invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  }
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string') throw invalidParameter(`Invalid parameter: Message Structure - the value for ${key} must be a string`);
  }
  return record as Record<string, string>;
}

function attributeBytes(attributes: Readonly<Record<string, AttributeValue>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    bytes += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : Buffer.from(value.BinaryValue ?? '', 'base64').length;
  }
  return bytes;
}

function validateEndpoint(protocol: SubscriptionProtocol, endpoint: string): void {
  const valid =
    protocol === 'sqs'
      ? /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(endpoint)
      : protocol === 'lambda'
        ? /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/.test(endpoint)
        : protocol === 'email' || protocol === 'email-json'
          ? /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)
          : new RegExp(`^${protocol}://[^\\s]+$`).test(endpoint);
  if (!valid) throw invalidParameter(`Invalid parameter: ${protocol.toUpperCase()} endpoint`);
}

function validateSubscriptionAttributes(protocol: SubscriptionProtocol, attributes: Readonly<Record<string, string>>): { filter?: FilterPolicy } {
  for (const key of Object.keys(attributes)) {
    if (!SUBSCRIPTION_ATTRIBUTES.has(key)) throw invalidParameter(`Invalid parameter: Attributes Reason: Unknown attribute ${key}`);
  }
  const raw = attributes.RawMessageDelivery;
  if (raw !== undefined) {
    if (raw !== 'true' && raw !== 'false') throw invalidParameter('Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value');
    if (raw === 'true' && !RAW_CAPABLE.has(protocol)) {
      throw invalidParameter(`Invalid parameter: Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
    }
  }
  const scope = attributes.FilterPolicyScope;
  if (scope !== undefined && scope !== 'MessageAttributes') {
    if (scope === 'MessageBody') throw invalidParameter('Invalid parameter: test server: FilterPolicyScope MessageBody is not modelled');
    throw invalidParameter('Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value');
  }
  for (const key of ['DeliveryPolicy', 'RedrivePolicy'] as const) {
    if (attributes[key] !== undefined && !isJsonObject(attributes[key])) throw invalidParameter(`Invalid parameter: ${key}: not a JSON object`);
  }
  const policy = attributes.FilterPolicy;
  return policy === undefined ? {} : { filter: parseFilterPolicy(policy) };
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Filter policies (attribute scope).

type NumericOp = '=' | '<' | '<=' | '>' | '>=';
type Condition =
  | { readonly kind: 'equals'; readonly value: string | number }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'anything-but'; readonly values: ReadonlyArray<string | number>; readonly prefix?: string }
  | { readonly kind: 'numeric'; readonly checks: ReadonlyArray<readonly [NumericOp, number]> }
  | { readonly kind: 'exists'; readonly value: boolean };
type FilterPolicy = ReadonlyMap<string, readonly Condition[]>;

function policyError(reason: string): AwsServiceError {
  return invalidParameter(`Invalid parameter: FilterPolicy: ${reason}`);
}

export function parseFilterPolicy(text: string): FilterPolicy {
  if (Buffer.byteLength(text) > MAX_FILTER_POLICY_BYTES) throw policyError('Filter policy is too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw policyError('failed to parse JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw policyError('must be a JSON object');
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw policyError('must not be empty');
  if (entries.length > MAX_FILTER_POLICY_KEYS) throw policyError(`Filter policy can not have more than ${MAX_FILTER_POLICY_KEYS} keys`);
  const policy = new Map<string, Condition[]>();
  let combinations = 1;
  for (const [key, rules] of entries) {
    if (key.startsWith('$')) throw policyError(`test server: operator key ${key} is not modelled`);
    if (!Array.isArray(rules)) {
      throw policyError(`${key}: match values must be an array (nested objects are message-body policies, not modelled)`);
    }
    if (rules.length === 0) throw policyError(`${key}: empty array`);
    combinations *= rules.length;
    policy.set(key, rules.map((rule) => parseCondition(key, rule)));
  }
  if (combinations > MAX_FILTER_POLICY_COMBINATIONS) throw policyError('Filter policy is too complex');
  return policy;
}

function parseCondition(key: string, rule: unknown): Condition {
  if (typeof rule === 'string') return { kind: 'equals', value: rule };
  if (typeof rule === 'number' && Number.isFinite(rule)) return { kind: 'equals', value: rule };
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw policyError(`${key}: unsupported match value ${JSON.stringify(rule)}`);
  const operators = Object.entries(rule as Record<string, unknown>);
  if (operators.length !== 1) throw policyError(`${key}: a match object takes exactly one operator`);
  const [operator, operand] = operators[0] as [string, unknown];
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string' || operand === '') throw policyError(`${key}: prefix must be a non-empty string`);
      return { kind: 'prefix', value: operand };
    case 'exists':
      if (typeof operand !== 'boolean') throw policyError(`${key}: exists must be true or false`);
      return { kind: 'exists', value: operand };
    case 'anything-but': {
      if (typeof operand === 'object' && operand !== null && !Array.isArray(operand)) {
        const prefix = (operand as Record<string, unknown>).prefix;
        if (Object.keys(operand).length !== 1 || typeof prefix !== 'string' || prefix === '') {
          throw policyError(`${key}: anything-but takes values or {"prefix": "…"}`);
        }
        return { kind: 'anything-but', values: [], prefix };
      }
      const values = Array.isArray(operand) ? operand : [operand];
      if (values.length === 0 || !values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
        throw policyError(`${key}: anything-but takes strings or numbers`);
      }
      return { kind: 'anything-but', values: values as Array<string | number> };
    }
    case 'numeric':
      return { kind: 'numeric', checks: parseNumeric(key, operand) };
    default:
      throw policyError(`${key}: test server: operator ${operator} is not modelled`);
  }
}

/** `["=", n]`, `[op, n]`, or a range `[">"|">=", low, "<"|"<=", high]` with low < high. */
function parseNumeric(key: string, operand: unknown): Array<[NumericOp, number]> {
  const bad = (): AwsServiceError => policyError(`${key}: invalid numeric condition ${JSON.stringify(operand)}`);
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw bad();
  const checks: Array<[NumericOp, number]> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const value: unknown = operand[i + 1];
    if (!['=', '<', '<=', '>', '>='].includes(op as string) || typeof value !== 'number' || !Number.isFinite(value)) throw bad();
    if (Math.abs(value) > MAX_NUMBER_MAGNITUDE) throw bad();
    checks.push([op as NumericOp, value]);
  }
  if (checks.length === 2) {
    const [low, high] = checks as [[NumericOp, number], [NumericOp, number]];
    if (!(low[0] === '>' || low[0] === '>=') || !(high[0] === '<' || high[0] === '<=') || low[1] >= high[1]) throw bad();
  }
  return checks;
}

/** The values an attribute offers to a filter: a String, each element of a String.Array, or a Number. */
function attributeValues(value: AttributeValue): Array<string | number | boolean | null> {
  if (value.DataType === 'String') return [value.StringValue ?? ''];
  if (value.DataType === 'Number') return [Number(value.StringValue)];
  if (value.DataType === 'String.Array') return JSON.parse(value.StringValue ?? '[]') as Array<string | number | boolean | null>;
  return [];
}

/**
 * Every policy key must be satisfied (AND); within a key, any condition (OR) by any of the
 * attribute's values. A missing attribute satisfies only `{"exists": false}`. Strings match
 * strings and numbers match numbers: "3" never equals 3.
 */
export function matchesPolicy(policy: FilterPolicy, attributes: Readonly<Record<string, AttributeValue>>): boolean {
  for (const [key, conditions] of policy) {
    const attribute = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    const values = attribute === undefined ? undefined : attributeValues(attribute);
    if (!conditions.some((condition) => matchesCondition(condition, values))) return false;
  }
  return true;
}

function matchesCondition(condition: Condition, values: ReadonlyArray<string | number | boolean | null> | undefined): boolean {
  if (condition.kind === 'exists') return condition.value === (values !== undefined);
  if (values === undefined) return false;
  return values.some((value) => {
    switch (condition.kind) {
      case 'equals':
        return value === condition.value;
      case 'prefix':
        return typeof value === 'string' && value.startsWith(condition.value);
      case 'anything-but':
        if (condition.prefix !== undefined) return typeof value === 'string' && !value.startsWith(condition.prefix);
        return !condition.values.includes(value as string | number);
      case 'numeric':
        return typeof value === 'number' && condition.checks.every(([op, bound]) => compare(value, op, bound));
    }
  });
}

function compare(value: number, op: NumericOp, bound: number): boolean {
  switch (op) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

// ---------------------------------------------------------------------------------------

if (require.main === module) {
  runServerFromCommandLine(process.argv.slice(2), (address) => SnsServer.start(address), (server, option) => {
    console.error(`SNS test server listening; use AWS_ENDPOINT_URL_SNS=${server.endpoint}`);
    const topic = option('--topic');
    if (topic !== undefined) console.error(`topic: ${server.createTopic(topic, option('--region') ?? 'us-east-1')}`);
  });
}
