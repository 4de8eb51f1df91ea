/**
 * A strict local CloudWatch Logs (no maintained npm emulator exists): the operations
 * trailwatch calls, over the real AWS JSON 1.1 wire protocol, rejecting what AWS rejects
 * (AWS-FACTS.md, "CloudWatch Logs — PutLogEvents"). Used by integration tests through
 * `@aws-sdk/client-cloudwatch-logs`, by `npm start` / `serverless invoke local` through
 * `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, and by fault-injection tests.
 *
 * Manual run: `tsx testkit/cloudwatch-logs-server.ts [--port N] [--host H]`.
 *
 * Deliberately independent of lib/forward's limits: it is the oracle those are tested against.
 */
import {
  AwsServiceError,
  AwsTestServer,
  awsJsonProtocol,
  type JsonObject,
  type OperationHandler,
  type RequestContext,
  runServerFromCommandLine,
} from './aws-json-server';

export type { CallRecord, Fault, FaultPlan } from './aws-json-server';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** PutLogEvents: 1 to 10,000 events per call. */
export const MAX_BATCH_EVENTS = 10_000;
/** PutLogEvents: bytes per call, counted as Σ(UTF-8 message bytes + EVENT_OVERHEAD_BYTES). */
export const MAX_BATCH_BYTES = 1_048_576;
/** "26 bytes per event": PutLogEvents batch accounting. */
export const EVENT_OVERHEAD_BYTES = 26;
/**
 * One event's message bytes. The 1 MB event limit is confirmed; whether the 26 bytes
 * count toward it is UNCONFIRMED (AWS-FACTS), so this assumes they do.
 */
export const MAX_EVENT_MESSAGE_BYTES = 1_048_576 - EVENT_OVERHEAD_BYTES;
/** Newest minus oldest timestamp in one call; exactly 24 h is allowed. */
export const MAX_BATCH_SPAN_MS = DAY_MS;
/** Events more than 2 h ahead of the server clock are rejected one by one. */
export const MAX_FUTURE_MS = 2 * HOUR_MS;
/** Events older than 14 days are rejected one by one. */
export const MAX_AGE_MS = 14 * DAY_MS;
/** InputLogEvent.timestamp: ms since the epoch, at least 0 (service model `Timestamp`: long, min 0). */
export const MIN_TIMESTAMP = 0;
/** PutRetentionPolicy's allowed `retentionInDays` (service model enum). */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Log group and stream names: at most 512 characters. */
export const MAX_NAME_LENGTH = 512;
/** Describe* pages: 1 to 50 items, default 50. */
const MAX_DESCRIBE_LIMIT = 50;
/** GetLogEvents: up to 10,000 events or 1 MB per response. */
const MAX_GET_EVENTS = 10_000;
const MAX_GET_BYTES = 1_048_576;
/**
 * No valid PutLogEvents body comes near this: 1 MB of messages JSON-escapes to at most
 * ~6.3 MB (a control character becomes `\uXXXX`), plus ~41 bytes of JSON per event.
 */
const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
const ACCOUNT_ID = '123456789012';
const GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME_FORBIDDEN = /[:*]/;

export interface CloudWatchLogsServerOptions {
  /** Clock (ms since epoch) for too-old/too-new/expired checks, ingestionTime and call records. */
  now?: () => number;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface StoredLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

interface InputLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

interface LogStream {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  /** Ingestion order: calls in arrival order, each call's accepted events in request order. */
  readonly events: StoredLogEvent[];
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  uploads: number;
}

interface LogGroup {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  retentionInDays?: number;
  readonly streams: Map<string, LogStream>;
}

/** What PutLogEvents keeps and reports; see `judgeTimestamps`. */
interface TimestampVerdict {
  readonly keepFrom: number;
  readonly keepUntil: number;
  readonly rejected?: {
    tooNewLogEventStartIndex?: number;
    tooOldLogEventEndIndex?: number;
    expiredLogEventEndIndex?: number;
  };
}

export class CloudWatchLogsServer extends AwsTestServer {
  private state = new Map<string, LogGroup>();

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    CreateLogGroup: (input, context) => this.createLogGroup(input, context),
    CreateLogStream: (input, context) => this.createLogStream(input, context),
    DeleteLogGroup: (input) => this.deleteLogGroup(input),
    PutLogEvents: (input, context) => this.putLogEvents(input, context),
    DescribeLogGroups: (input) => this.describeLogGroups(input),
    DescribeLogStreams: (input) => this.describeLogStreams(input),
    GetLogEvents: (input) => this.getLogEvents(input),
    PutRetentionPolicy: (input) => this.putRetentionPolicy(input),
  };

  private constructor(options: CloudWatchLogsServerOptions) {
    super(awsJsonProtocol('Logs_20140328', '1.1'), { now: options.now, maxBodyBytes: MAX_REQUEST_BODY_BYTES });
  }

  static async start(options: CloudWatchLogsServerOptions = {}): Promise<CloudWatchLogsServer> {
    const server = new CloudWatchLogsServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  /** Stored events of a stream in ingestion order; [] when the group or stream does not exist. */
  events(group: string, stream: string): ReadonlyArray<StoredLogEvent> {
    return [...(this.state.get(group)?.streams.get(stream)?.events ?? [])];
  }

  /**
   * Creates a group directly, as the deployed stack (CloudFormation) does before the function
   * ever runs: for tests of code whose role has no CreateLogGroup. Replaces nothing.
   */
  createGroup(name: string, options: { retentionInDays?: number; now?: number } = {}): void {
    validateGroupName(name);
    if (this.state.has(name)) return;
    this.state.set(name, {
      name,
      arn: `arn:aws:logs:us-east-1:${ACCOUNT_ID}:log-group:${name}`,
      creationTime: options.now ?? this.now(),
      ...(options.retentionInDays === undefined ? {} : { retentionInDays: options.retentionInDays }),
      streams: new Map(),
    });
  }

  /** The group's retention in days; undefined when it has none (kept forever) or does not exist. */
  retention(group: string): number | undefined {
    return this.state.get(group)?.retentionInDays;
  }

  groups(): string[] {
    return [...this.state.keys()].sort();
  }

  /** Stream names of a group, sorted; [] when the group does not exist. */
  streams(group: string): string[] {
    return [...(this.state.get(group)?.streams.keys() ?? [])].sort();
  }

  override reset(): void {
    super.reset();
    this.state = new Map();
  }

  /** CloudWatch Logs models 503 as ServiceUnavailableException (a PutLogEvents error). */
  protected override serverError(status: 500 | 503): AwsServiceError {
    return status === 503
      ? new AwsServiceError('ServiceUnavailableException', 'The service cannot complete the request.', 503)
      : super.serverError(status);
  }

  private createLogGroup(input: JsonObject, context: RequestContext): object {
    const name = requiredString(input, 'logGroupName');
    validateGroupName(name);
    if (this.state.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    this.state.set(name, {
      name,
      arn: `arn:aws:logs:${context.region}:${ACCOUNT_ID}:log-group:${name}`,
      creationTime: context.now,
      streams: new Map(),
    });
    return {};
  }

  /** Deletes the group with its streams and events. */
  private deleteLogGroup(input: JsonObject): object {
    const name = requiredString(input, 'logGroupName');
    this.group(name);
    this.state.delete(name);
    return {};
  }

  private createLogStream(input: JsonObject, context: RequestContext): object {
    const group = this.group(requiredString(input, 'logGroupName'));
    const name = requiredString(input, 'logStreamName');
    validateStreamName(name);
    if (group.streams.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    group.streams.set(name, {
      name,
      arn: `${group.arn}:log-stream:${name}`,
      creationTime: context.now,
      events: [],
      uploads: 0,
    });
    return {};
  }

  private putLogEvents(input: JsonObject, context: RequestContext): object {
    const groupName = requiredString(input, 'logGroupName');
    const streamName = requiredString(input, 'logStreamName');
    optionalString(input, 'sequenceToken'); // ignored since 2023, but still typed
    const events = readInputEvents(input, context);
    // A badly named group or stream cannot exist, so it is simply not found here.
    const group = this.group(groupName);
    const stream = group.streams.get(streamName);
    if (stream === undefined) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');

    checkBatch(events);
    const verdict = judgeTimestamps(events, context.now, group.retentionInDays);
    const kept = events.slice(verdict.keepFrom, verdict.keepUntil);
    for (const event of kept) {
      stream.events.push({ timestamp: event.timestamp, message: event.message, ingestionTime: context.now });
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? Infinity, event.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? -Infinity, event.timestamp);
    }
    const output: JsonObject = {};
    if (kept.length > 0) {
      stream.lastIngestionTime = context.now;
      stream.uploads += 1;
      // Deprecated and ignored by AWS since 2023, but still returned when events were stored.
      output.nextSequenceToken = String(stream.uploads).padStart(56, '0');
    }
    if (verdict.rejected) output.rejectedLogEventsInfo = verdict.rejected;
    return output;
  }

  private describeLogGroups(input: JsonObject): object {
    const prefix = optionalString(input, 'logGroupNamePrefix') ?? '';
    const limit = readLimit(input, MAX_DESCRIBE_LIMIT);
    const matching = this.groups().filter((name) => name.startsWith(prefix));
    const { items, nextToken } = page(matching, optionalString(input, 'nextToken'), limit);
    return {
      logGroups: items.map((name) => {
        const group = this.state.get(name) as LogGroup;
        return {
          logGroupName: group.name,
          creationTime: group.creationTime,
          ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
          metricFilterCount: 0,
          arn: `${group.arn}:*`,
          logGroupArn: group.arn,
          storedBytes: 0,
          logGroupClass: 'STANDARD',
        };
      }),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private describeLogStreams(input: JsonObject): object {
    const group = this.group(readGroupIdentifier(input));
    const prefix = optionalString(input, 'logStreamNamePrefix');
    const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      throw validation(`Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
    }
    if (orderBy === 'LastEventTime' && prefix !== undefined) {
      throw new AwsServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const descending = optionalBoolean(input, 'descending') ?? false;
    const limit = readLimit(input, MAX_DESCRIBE_LIMIT);
    const streams = [...group.streams.values()]
      .filter((stream) => stream.name.startsWith(prefix ?? ''))
      .sort((a, b) =>
        orderBy === 'LastEventTime'
          ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || compareNames(a.name, b.name)
          : compareNames(a.name, b.name),
      );
    if (descending) streams.reverse();
    const { items, nextToken } = page(streams, optionalString(input, 'nextToken'), limit);
    return {
      logStreams: items.map((stream) => ({
        logStreamName: stream.name,
        creationTime: stream.creationTime,
        ...(stream.firstEventTimestamp === undefined ? {} : { firstEventTimestamp: stream.firstEventTimestamp }),
        ...(stream.lastEventTimestamp === undefined ? {} : { lastEventTimestamp: stream.lastEventTimestamp }),
        ...(stream.lastIngestionTime === undefined ? {} : { lastIngestionTime: stream.lastIngestionTime }),
        arn: stream.arn,
        storedBytes: 0,
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  /**
   * Events in timestamp order (ties in ingestion order) within [startTime, endTime).
   * Tokens are `f/<n>` (read forward from position n) and `b/<n>` (read backward from n);
   * at either end the same token comes back, which is how AWS signals "no more".
   */
  private getLogEvents(input: JsonObject): object {
    const group = this.group(readGroupIdentifier(input));
    const stream = group.streams.get(requiredString(input, 'logStreamName'));
    if (stream === undefined) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const startTime = optionalInteger(input, 'startTime') ?? -Infinity;
    const endTime = optionalInteger(input, 'endTime') ?? Infinity;
    const limit = readLimit(input, MAX_GET_EVENTS);
    const startFromHead = optionalBoolean(input, 'startFromHead') ?? false;
    const timeline = stream.events
      .filter((event) => event.timestamp >= startTime && event.timestamp < endTime)
      .sort((a, b) => a.timestamp - b.timestamp); // stable: ties keep ingestion order

    const token = optionalString(input, 'nextToken');
    let forward = startFromHead;
    let position = startFromHead ? 0 : timeline.length;
    if (token !== undefined) {
      const match = /^([fb])\/(\d{1,12})$/.exec(token);
      if (!match || Number(match[2]) > timeline.length) {
        throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
      }
      forward = match[1] === 'f';
      position = Number(match[2]);
    }

    let from = position;
    let to = position;
    let bytes = 0;
    const fits = (event: StoredLogEvent | undefined): event is StoredLogEvent => {
      if (event === undefined || to - from >= limit) return false;
      const size = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
      if (to > from && bytes + size > MAX_GET_BYTES) return false;
      bytes += size;
      return true;
    };
    if (forward) {
      while (fits(timeline[to])) to += 1;
    } else {
      while (fits(timeline[from - 1])) from -= 1;
    }
    return {
      events: timeline.slice(from, to),
      nextForwardToken: `f/${to}`,
      nextBackwardToken: `b/${from}`,
    };
  }

  private putRetentionPolicy(input: JsonObject): object {
    const group = this.group(requiredString(input, 'logGroupName'));
    const days = optionalInteger(input, 'retentionInDays');
    if (days === undefined) throw validation("Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null");
    if (!RETENTION_DAYS.includes(days)) {
      throw validation(`Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
    }
    group.retentionInDays = days;
    return {};
  }

  private group(name: string): LogGroup {
    const group = this.state.get(name);
    if (group === undefined) throw new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }
}

/** The service's model-validation failure (CloudWatch Logs reports it as InvalidParameterException). */
function validation(detail: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', `1 validation error detected: ${detail}`);
}

function wrongType(field: string, expected: string): AwsServiceError {
  return new AwsServiceError('SerializationException', `'${field}' must be ${expected}`);
}

function optionalString(input: JsonObject, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  return value;
}

function requiredString(input: JsonObject, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined) throw validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function optionalInteger(input: JsonObject, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrongType(field, 'an integer');
  return value;
}

function optionalBoolean(input: JsonObject, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
  return value;
}

function readLimit(input: JsonObject, max: number): number {
  const limit = optionalInteger(input, 'limit') ?? max;
  if (limit < 1 || limit > max) {
    throw validation(`Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return limit;
}

/** DescribeLogStreams / GetLogEvents take `logGroupName` or `logGroupIdentifier` (a name or an ARN). */
function readGroupIdentifier(input: JsonObject): string {
  const name = optionalString(input, 'logGroupName');
  const identifier = optionalString(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw new AwsServiceError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name !== undefined) return name;
  if (identifier === undefined) throw validation("Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
  const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(identifier);
  return arn?.[1] ?? identifier;
}

function validateGroupName(name: string): void {
  validateNameLength('logGroupName', name);
  if (!GROUP_NAME_PATTERN.test(name)) {
    throw validation(`Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
  }
  if (name.startsWith('aws/')) {
    throw new AwsServiceError('InvalidParameterException', "Log group names starting with 'aws/' are reserved for AWS services.");
  }
}

function validateStreamName(name: string): void {
  validateNameLength('logStreamName', name);
  if (STREAM_NAME_FORBIDDEN.test(name)) {
    throw validation(`Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
  }
}

function validateNameLength(field: string, name: string): void {
  if (name.length < 1) {
    throw validation(`Value '' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw validation(`Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAME_LENGTH}`);
  }
}

/** Model validation of `logEvents`: 1–10,000 events, each a timestamp ≥ 0 and a non-empty message. */
function readInputEvents(input: JsonObject, context: RequestContext): InputLogEvent[] {
  const raw = input.logEvents;
  if (raw === undefined || raw === null) throw validation("Value null at 'logEvents' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(raw)) throw wrongType('logEvents', 'a list');
  context.note.eventCount = raw.length;
  const events = raw.map((item: unknown, index): InputLogEvent => {
    const at = `logEvents.${index + 1}.member`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw wrongType(at, 'a structure');
    const fields = item as JsonObject;
    const timestamp = optionalInteger(fields, 'timestamp');
    const message = optionalString(fields, 'message');
    if (timestamp === undefined) throw validation(`Value null at '${at}.timestamp' failed to satisfy constraint: Member must not be null`);
    // The service model's Timestamp shape is `long`, min 0: one negative timestamp fails the whole call.
    if (timestamp < MIN_TIMESTAMP) {
      throw validation(`Value '${timestamp}' at '${at}.timestamp' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_TIMESTAMP}`);
    }
    if (message === undefined) throw validation(`Value null at '${at}.message' failed to satisfy constraint: Member must not be null`);
    if (message.length === 0) {
      throw validation(`Value '' at '${at}.message' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    return { timestamp, message };
  });
  context.note.bytes = events.reduce((sum, event) => sum + eventBytes(event), 0);
  if (events.length < 1) {
    throw validation("Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (events.length > MAX_BATCH_EVENTS) {
    throw validation(`Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH_EVENTS}`);
  }
  return events;
}

function eventBytes(event: InputLogEvent): number {
  return Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
}

/** Rules that fail the whole call: event size, batch size, chronological order, 24 h span. */
function checkBatch(events: readonly InputLogEvent[]): void {
  let total = 0;
  let previous = -Infinity;
  for (const event of events) {
    const messageBytes = Buffer.byteLength(event.message, 'utf8');
    if (messageBytes > MAX_EVENT_MESSAGE_BYTES) {
      throw new AwsServiceError('InvalidParameterException', `Log event too large: ${messageBytes} bytes exceeds limit of ${MAX_EVENT_MESSAGE_BYTES}`);
    }
    total += messageBytes + EVENT_OVERHEAD_BYTES;
    if (event.timestamp < previous) {
      throw new AwsServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    }
    previous = event.timestamp;
  }
  if (total > MAX_BATCH_BYTES) {
    throw new AwsServiceError('InvalidParameterException', `Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  }
  const first = events[0];
  const last = events[events.length - 1];
  if (first && last && last.timestamp - first.timestamp > MAX_BATCH_SPAN_MS) {
    throw new AwsServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
}

/**
 * Per-event rejections of a chronologically sorted batch, shaped as AWS's
 * `rejectedLogEventsInfo`: too-old and expired events form a prefix, too-new ones a suffix.
 * - `tooOldLogEventEndIndex` is EXCLUSIVE (the API reference: "The index of the last log
 *   event that is too old. This field is exclusive."): it is the number of leading events
 *   older than 14 days. Observed on AWS: a one-event batch whose only event was too old
 *   came back with `{"tooOldLogEventEndIndex":1}` (aws/aws-for-fluent-bit#523).
 * - `tooNewLogEventStartIndex` is INCLUSIVE: the first event more than 2 h ahead.
 * - `expiredLogEventEndIndex` is undocumented; it is treated as exclusive like the too-old
 *   index, and reported only when the group's retention rejects more leading events than
 *   the 14-day rule does (with retention ≥ 14 days it never is). Events before
 *   max(tooOld, expired) are dropped.
 * Boundaries: exactly 14 days old, exactly `retention` days old and exactly 2 h ahead are kept.
 */
function judgeTimestamps(events: readonly InputLogEvent[], now: number, retentionInDays: number | undefined): TimestampVerdict {
  const countWhile = (predicate: (timestamp: number) => boolean): number => {
    let count = 0;
    while (count < events.length && predicate((events[count] as InputLogEvent).timestamp)) count += 1;
    return count;
  };
  const tooOldEnd = countWhile((timestamp) => timestamp < now - MAX_AGE_MS);
  const expiredEnd = retentionInDays === undefined ? 0 : countWhile((timestamp) => timestamp < now - retentionInDays * DAY_MS);
  let tooNewStart = events.length;
  while (tooNewStart > 0 && (events[tooNewStart - 1] as InputLogEvent).timestamp > now + MAX_FUTURE_MS) tooNewStart -= 1;

  const rejected: NonNullable<TimestampVerdict['rejected']> = {};
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd > tooOldEnd) rejected.expiredLogEventEndIndex = expiredEnd;
  const keepFrom = Math.max(tooOldEnd, expiredEnd);
  return {
    keepFrom,
    keepUntil: Math.max(keepFrom, tooNewStart),
    ...(Object.keys(rejected).length > 0 ? { rejected } : {}),
  };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Offset paging for Describe*; the token is opaque to callers. */
function page<T>(items: readonly T[], token: string | undefined, limit: number): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    const match = /^page-(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match) throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
    offset = Number(match[1]);
  }
  const end = offset + limit;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(`page-${end}`).toString('base64url') } : {}),
  };
}

if (require.main === module) {
  runServerFromCommandLine(process.argv.slice(2), (address) => CloudWatchLogsServer.start(address), (server) =>
    console.error(`CloudWatch Logs test server listening; use AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=${server.endpoint}`),
  );
}
