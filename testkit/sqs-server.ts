/**
 * A strict local SQS (standard queues) for the failure queue and the replay tool, over the
 * wire protocol `@aws-sdk/client-sqs` 3.x speaks: AWS JSON 1.0 with
 * `X-Amz-Target: AmazonSQS.<Operation>` and `x-amzn-query-mode: true` (the service is
 * "awsQueryCompatible"). Errors carry `__type: com.amazonaws.sqs#<Shape>` plus the old
 * Query error code in `x-amzn-query-error: <code>;Sender`, as SQS sends them; the SDK reads
 * the latter first.
 *
 * Modelled: CreateQueue, GetQueueUrl, GetQueueAttributes, SendMessage, SendMessageBatch,
 * ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility, PurgeQueue.
 * Enforced as SQS does: queue names, attribute names and ranges, message size (1 MiB
 * default) and allowed characters, batch rules (1–10 entries, distinct ids), receive limits
 * (MaxNumberOfMessages 1–10, WaitTimeSeconds 0–20, VisibilityTimeout 0–43,200), visibility
 * timeouts and delays on the injected clock, receipt handles (a stale handle after the
 * message was received again no longer changes visibility), MD5 digests of bodies (the SDK
 * verifies them). Not modelled: FIFO queues, message attribute MD5s, long-poll waiting (an
 * empty receive answers at once: only the timing differs from a poll that waited).
 *
 * The SQS client sends each request to the host of its QueueUrl, so queue URLs are built
 * from this server's endpoint.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AwsServiceError,
  AwsTestServer,
  awsJsonProtocol,
  type EncodedResponse,
  type JsonObject,
  type OperationHandler,
  type RequestContext,
  type WireProtocol,
} from './aws-json-server';

export type { CallRecord, Fault, FaultPlan } from './aws-json-server';

const ACCOUNT_ID = '123456789012';
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** SendMessage: at most 1 MiB (MaximumMessageSize 1,024 to 1,048,576 bytes). */
export const MAX_MESSAGE_BYTES = 1_048_576;
const MIN_MAXIMUM_MESSAGE_SIZE = 1024;
/** ReceiveMessage / batches: 1 to 10. */
export const MAX_BATCH_ENTRIES = 10;
const MAX_VISIBILITY_TIMEOUT_S = 43_200;
const MAX_DELAY_S = 900;
const MAX_WAIT_S = 20;
const MIN_RETENTION_S = 60;
const MAX_RETENTION_S = 1_209_600;
const DEFAULT_RETENTION_S = 345_600;
const DEFAULT_VISIBILITY_S = 30;
/** SQS: a batch id is up to 80 alphanumerics, hyphens and underscores. */
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Attribute names CreateQueue accepts here, with their ranges (seconds / bytes). */
const QUEUE_ATTRIBUTES: Readonly<Record<string, ((value: string) => boolean) | undefined>> = {
  DelaySeconds: integerIn(0, MAX_DELAY_S),
  MaximumMessageSize: integerIn(MIN_MAXIMUM_MESSAGE_SIZE, MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: integerIn(MIN_RETENTION_S, MAX_RETENTION_S),
  ReceiveMessageWaitTimeSeconds: integerIn(0, MAX_WAIT_S),
  VisibilityTimeout: integerIn(0, MAX_VISIBILITY_TIMEOUT_S),
  SqsManagedSseEnabled: (v) => v === 'true' || v === 'false',
  KmsMasterKeyId: (v) => v.length > 0,
  KmsDataKeyReusePeriodSeconds: integerIn(60, 86_400),
  RedrivePolicy: isJsonObject,
  RedriveAllowPolicy: isJsonObject,
  Policy: isJsonObject,
};

/** The old Query protocol codes SQS puts in `x-amzn-query-error` (from the SDK's error schemas). */
const QUERY_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  InvalidAttributeName: 'InvalidAttributeName',
  InvalidAttributeValue: 'InvalidAttributeValue',
  InvalidMessageContents: 'InvalidMessageContents',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  RequestThrottled: 'RequestThrottled',
  InvalidParameterValueException: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
};

export interface SqsServerOptions {
  /** Clock (ms since epoch) for visibility, delays, retention and timestamps. */
  now?: () => number;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** A message as the queue holds it (for assertions). */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** Receives so far (ApproximateReceiveCount). */
  readonly receiveCount: number;
  /** Invisible (in flight or delayed) until this time. */
  readonly visibleAt: number;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5: string;
  readonly sentAt: number;
  readonly messageAttributes?: JsonObject;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of the latest receive; older handles no longer act on visibility. */
  handle?: string;
}

interface Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly attributes: Record<string, string>;
  messages: Message[];
}

export class SqsServer extends AwsTestServer {
  private queues = new Map<string, Queue>();
  /** Every receipt handle ever issued → message id, so a made-up handle is told from a stale one. */
  private handles = new Map<string, string>();

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    CreateQueue: (input, context) => ({
      QueueUrl: this.ensureQueue(requiredString(input, 'QueueName'), stringMap(input, 'Attributes'), context.now),
    }),
    GetQueueUrl: (input) => this.getQueueUrl(input),
    GetQueueAttributes: (input, context) => this.getQueueAttributes(input, context),
    SendMessage: (input, context) => this.sendMessage(input, context),
    SendMessageBatch: (input, context) => this.sendMessageBatch(input, context),
    ReceiveMessage: (input, context) => this.receiveMessage(input, context),
    DeleteMessage: (input) => this.deleteMessage(input),
    DeleteMessageBatch: (input) => this.deleteMessageBatch(input),
    ChangeMessageVisibility: (input, context) => this.changeMessageVisibility(input, context),
    PurgeQueue: (input) => this.purgeQueue(input),
  };

  private constructor(options: SqsServerOptions) {
    super(sqsJsonProtocol(), { now: options.now, maxBodyBytes: 8 * 1024 * 1024 });
  }

  static async start(options: SqsServerOptions = {}): Promise<SqsServer> {
    const server = new SqsServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  /** Creates a queue without a request (test set-up); same rules as CreateQueue. Returns its URL. */
  createQueue(name: string, attributes: Record<string, string> = {}): string {
    return this.ensureQueue(name, attributes, this.now());
  }

  /** The queue's messages, visible or not, oldest first; [] for an unknown queue. */
  messages(queueName: string): StoredMessage[] {
    const queue = this.queues.get(queueName);
    if (!queue) return [];
    this.expire(queue, this.now());
    return queue.messages.map((m) => ({ messageId: m.messageId, body: m.body, sentAt: m.sentAt, receiveCount: m.receiveCount, visibleAt: m.visibleAt }));
  }

  queueUrl(queueName: string): string {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    return queue.url;
  }

  override reset(): void {
    super.reset();
    this.queues = new Map();
    this.handles = new Map();
  }

  /** SQS names its throttling error RequestThrottled (HTTP 403 in the Query days, 400 now). */
  protected override throttlingError(): AwsServiceError {
    return new AwsServiceError('RequestThrottled', 'Rate exceeded', 400);
  }

  private ensureQueue(name: string, attributes: Record<string, string>, now: number): string {
    if (!QUEUE_NAME.test(name)) {
      throw new AwsServiceError('InvalidParameterValueException', `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`);
    }
    if (attributes.FifoQueue !== undefined) throw new AwsServiceError('UnsupportedOperation', 'FIFO queues are not modelled by this test server');
    for (const [attribute, value] of Object.entries(attributes)) {
      const check = Object.hasOwn(QUEUE_ATTRIBUTES, attribute) ? QUEUE_ATTRIBUTES[attribute] : undefined;
      if (!check) throw new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${attribute}.`);
      if (!check(value)) throw new AwsServiceError('InvalidAttributeValue', `Invalid value for the parameter ${attribute}.`);
    }
    const existing = this.queues.get(name);
    if (existing) {
      // CreateQueue is idempotent only with the same attributes
      for (const [attribute, value] of Object.entries(attributes)) {
        if (existing.attributes[attribute] !== value) {
          throw new AwsServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attribute}`);
        }
      }
      return existing.url;
    }
    const queue: Queue = {
      name,
      url: `${this.endpoint}/${ACCOUNT_ID}/${name}`,
      arn: `arn:aws:sqs:us-east-1:${ACCOUNT_ID}:${name}`,
      createdAt: now,
      attributes: { ...attributes },
      messages: [],
    };
    this.queues.set(name, queue);
    return queue.url;
  }

  private getQueueUrl(input: JsonObject): object {
    const name = requiredString(input, 'QueueName');
    const queue = this.queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return { QueueUrl: queue.url };
  }

  private getQueueAttributes(input: JsonObject, context: RequestContext): object {
    const queue = this.queue(input);
    this.expire(queue, context.now);
    const names = stringList(input, 'AttributeNames');
    const visible = queue.messages.filter((m) => m.visibleAt <= context.now).length;
    const inFlight = queue.messages.filter((m) => m.visibleAt > context.now && m.receiveCount > 0).length;
    const delayed = queue.messages.filter((m) => m.visibleAt > context.now && m.receiveCount === 0).length;
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      VisibilityTimeout: String(this.visibilityTimeout(queue)),
      MessageRetentionPeriod: queue.attributes.MessageRetentionPeriod ?? String(DEFAULT_RETENTION_S),
      MaximumMessageSize: String(this.maxMessageBytes(queue)),
      DelaySeconds: queue.attributes.DelaySeconds ?? '0',
      ReceiveMessageWaitTimeSeconds: queue.attributes.ReceiveMessageWaitTimeSeconds ?? '0',
      SqsManagedSseEnabled: queue.attributes.SqsManagedSseEnabled ?? (queue.attributes.KmsMasterKeyId ? 'false' : 'true'),
      ...Object.fromEntries(Object.entries(queue.attributes).filter(([k]) => ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'RedrivePolicy', 'RedriveAllowPolicy', 'Policy'].includes(k))),
    };
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const attributes: Record<string, string> = {};
    for (const name of wanted) {
      if (!Object.hasOwn(all, name) && !Object.hasOwn(QUEUE_ATTRIBUTES, name)) throw new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      const value = all[name];
      if (value !== undefined) attributes[name] = value;
    }
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }

  private sendMessage(input: JsonObject, context: RequestContext): object {
    const queue = this.queue(input);
    const message = this.enqueue(queue, input, context.now);
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
  }

  private sendMessageBatch(input: JsonObject, context: RequestContext): object {
    const queue = this.queue(input);
    const entries = batchEntries(input);
    const total = entries.reduce((sum, e) => sum + Buffer.byteLength(typeof e.MessageBody === 'string' ? e.MessageBody : '', 'utf8'), 0);
    if (total > this.maxMessageBytes(queue)) {
      throw new AwsServiceError('BatchRequestTooLong', `Batch requests cannot be longer than ${this.maxMessageBytes(queue)} bytes.`);
    }
    const successful: object[] = [];
    const failed: object[] = [];
    for (const entry of entries) {
      try {
        const message = this.enqueue(queue, entry, context.now);
        successful.push({ Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: message.md5 });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        failed.push({ Id: entry.Id, SenderFault: true, Code: QUERY_CODES[error.code] ?? error.code, Message: error.message });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private receiveMessage(input: JsonObject, context: RequestContext): object {
    const queue = this.queue(input);
    this.expire(queue, context.now);
    const max = optionalInteger(input, 'MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > MAX_BATCH_ENTRIES) {
      throw new AwsServiceError('InvalidParameterValueException', `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const wait = optionalInteger(input, 'WaitTimeSeconds');
    if (wait !== undefined && (wait < 0 || wait > MAX_WAIT_S)) {
      throw new AwsServiceError('InvalidParameterValueException', `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    }
    const visibility = optionalInteger(input, 'VisibilityTimeout') ?? this.visibilityTimeout(queue);
    if (visibility < 0 || visibility > MAX_VISIBILITY_TIMEOUT_S) {
      throw new AwsServiceError('InvalidParameterValueException', `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`);
    }
    const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
    const wantAttribute = (name: string): boolean => systemNames.includes('All') || systemNames.includes(name);
    const wantMessageAttributes = stringList(input, 'MessageAttributeNames');

    const picked = queue.messages.filter((m) => m.visibleAt <= context.now).slice(0, max);
    const messages = picked.map((m) => {
      m.receiveCount += 1;
      m.firstReceivedAt ??= context.now;
      m.visibleAt = context.now + visibility * 1000;
      m.handle = `${m.messageId}#${randomUUID()}`;
      this.handles.set(m.handle, m.messageId);
      const attributes: Record<string, string> = {};
      if (wantAttribute('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(m.receiveCount);
      if (wantAttribute('SentTimestamp')) attributes.SentTimestamp = String(m.sentAt);
      if (wantAttribute('ApproximateFirstReceiveTimestamp')) attributes.ApproximateFirstReceiveTimestamp = String(m.firstReceivedAt);
      if (wantAttribute('SenderId')) attributes.SenderId = 'AIDATRAILWATCHTEST';
      const selected = m.messageAttributes && wantMessageAttributes.length > 0 ? pickAttributes(m.messageAttributes, wantMessageAttributes) : undefined;
      return {
        MessageId: m.messageId,
        ReceiptHandle: m.handle,
        MD5OfBody: m.md5,
        Body: m.body,
        ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
        ...(selected && Object.keys(selected).length > 0 ? { MessageAttributes: selected } : {}),
      };
    });
    return messages.length > 0 ? { Messages: messages } : {};
  }

  private deleteMessage(input: JsonObject): object {
    const queue = this.queue(input);
    this.remove(queue, requiredString(input, 'ReceiptHandle'));
    return {};
  }

  private deleteMessageBatch(input: JsonObject): object {
    const queue = this.queue(input);
    const entries = batchEntries(input);
    const successful: object[] = [];
    const failed: object[] = [];
    for (const entry of entries) {
      try {
        this.remove(queue, requiredString(entry, 'ReceiptHandle'));
        successful.push({ Id: entry.Id });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        failed.push({ Id: entry.Id, SenderFault: true, Code: QUERY_CODES[error.code] ?? error.code, Message: error.message });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private changeMessageVisibility(input: JsonObject, context: RequestContext): object {
    const queue = this.queue(input);
    const handle = requiredString(input, 'ReceiptHandle');
    const timeout = optionalInteger(input, 'VisibilityTimeout');
    if (timeout === undefined) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    if (timeout < 0 || timeout > MAX_VISIBILITY_TIMEOUT_S) {
      throw new AwsServiceError('InvalidParameterValueException', `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.`);
    }
    const messageId = this.handles.get(handle);
    if (messageId === undefined) throw receiptHandleInvalid(handle);
    const message = queue.messages.find((m) => m.messageId === messageId);
    // gone, visible again, or received again since (a newer handle): not in flight for this handle
    if (!message || message.handle !== handle || message.visibleAt <= context.now) {
      throw new AwsServiceError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    message.visibleAt = context.now + timeout * 1000;
    return {};
  }

  private purgeQueue(input: JsonObject): object {
    this.queue(input).messages = [];
    return {};
  }

  private enqueue(queue: Queue, input: JsonObject, now: number): Message {
    const body = requiredString(input, 'MessageBody');
    if (body.length === 0) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter MessageBody.');
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > this.maxMessageBytes(queue)) {
      throw new AwsServiceError('InvalidParameterValueException', `One or more parameters are invalid. Reason: Message must be shorter than ${this.maxMessageBytes(queue)} bytes.`);
    }
    if (!allowedCharacters(body)) {
      throw new AwsServiceError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
    }
    const delay = optionalInteger(input, 'DelaySeconds') ?? Number(queue.attributes.DelaySeconds ?? 0);
    if (delay < 0 || delay > MAX_DELAY_S) {
      throw new AwsServiceError('InvalidParameterValueException', `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
    const attributes = input.MessageAttributes;
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5: createHash('md5').update(body, 'utf8').digest('hex'),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      ...(attributes && typeof attributes === 'object' && !Array.isArray(attributes) ? { messageAttributes: attributes as JsonObject } : {}),
    };
    queue.messages.push(message);
    return message;
  }

  private remove(queue: Queue, handle: string): void {
    const messageId = this.handles.get(handle);
    if (messageId === undefined) throw receiptHandleInvalid(handle);
    // deleting an already deleted message with a handle SQS issued succeeds
    queue.messages = queue.messages.filter((m) => m.messageId !== messageId);
  }

  /** Drops messages older than the retention period. */
  private expire(queue: Queue, now: number): void {
    const retentionMs = Number(queue.attributes.MessageRetentionPeriod ?? DEFAULT_RETENTION_S) * 1000;
    queue.messages = queue.messages.filter((m) => now - m.sentAt < retentionMs);
  }

  private queue(input: JsonObject): Queue {
    const url = requiredString(input, 'QueueUrl');
    const match = /\/(\d{12})\/([^/?#]+)\/?$/.exec(url);
    const queue = match && match[1] === ACCOUNT_ID ? this.queues.get(match[2] ?? '') : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private visibilityTimeout(queue: Queue): number {
    return Number(queue.attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_S);
  }

  private maxMessageBytes(queue: Queue): number {
    return Number(queue.attributes.MaximumMessageSize ?? MAX_MESSAGE_BYTES);
  }
}

/** AWS JSON 1.0 for `AmazonSQS`, errors as the awsQueryCompatible service sends them. */
function sqsJsonProtocol(): WireProtocol {
  const json = awsJsonProtocol('AmazonSQS', '1.0');
  return {
    ...json,
    encodeError(error: AwsServiceError): EncodedResponse {
      const queryCode = QUERY_CODES[error.code] ?? error.code;
      const fault = error.status >= 500 ? 'Receiver' : 'Sender';
      return {
        status: error.status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${queryCode};${fault}`,
        },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
      };
    },
  };
}

function queueDoesNotExist(): AwsServiceError {
  return new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
}

function receiptHandleInvalid(handle: string): AwsServiceError {
  return new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle.slice(0, 40)}" is not a valid receipt handle.`, 404);
}

function integerIn(min: number, max: number): (value: string) => boolean {
  return (value) => /^\d{1,9}$/.test(value) && Number(value) >= min && Number(value) <= max;
}

function isJsonObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** SQS message bodies: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
function allowedCharacters(text: string): boolean {
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    const ok = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) return false;
  }
  return true;
}

function requiredString(input: JsonObject, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) throw new AwsServiceError('MissingParameter', `The request must contain the parameter ${field}.`);
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `'${field}' must be a string`);
  return value;
}

function optionalInteger(input: JsonObject, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new AwsServiceError('SerializationException', `'${field}' must be an integer`);
  return value;
}

function stringList(input: JsonObject, field: string): string[] {
  const value = input[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new AwsServiceError('SerializationException', `'${field}' must be a list of strings`);
  return value as string[];
}

function stringMap(input: JsonObject, field: string): Record<string, string> {
  const value = input[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new AwsServiceError('SerializationException', `'${field}' must be a map of strings`);
  }
  return { ...(value as Record<string, string>) };
}

/** `Entries` of a batch request: 1 to 10, ids well-formed and distinct. */
function batchEntries(input: JsonObject): JsonObject[] {
  const value = input.Entries;
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw new AwsServiceError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  }
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
    throw new AwsServiceError('SerializationException', "'Entries' must be a list of structures");
  }
  if (value.length > MAX_BATCH_ENTRIES) {
    throw new AwsServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${value.length}.`);
  }
  const entries = value as JsonObject[];
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new AwsServiceError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (ids.has(id)) throw new AwsServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

function pickAttributes(attributes: JsonObject, names: readonly string[]): JsonObject {
  if (names.includes('All') || names.includes('.*')) return { ...attributes };
  const out: JsonObject = {};
  for (const name of names) {
    if (name.endsWith('.*')) {
      const prefix = name.slice(0, -1);
      for (const [key, value] of Object.entries(attributes)) if (key.startsWith(prefix)) out[key] = value;
    } else if (Object.hasOwn(attributes, name)) {
      out[name] = attributes[name];
    }
  }
  return out;
}
