/**
 * A strict local Amazon EventBridge for PutEvents, over the real AWS JSON 1.1 wire protocol
 * of `@aws-sdk/client-eventbridge` (`X-Amz-Target: AWSEvents.PutEvents`), rejecting what
 * EventBridge rejects (AWS-FACTS.md; API reference "PutEvents", user guide "Calculating
 * PutEvents event entry size"): 1 to 10 entries per call, each entry at most 256 KB counted
 * as Time 14 bytes + Source + DetailType + Detail + Resources (UTF-8), Detail a JSON
 * object, Source and DetailType present, `aws.` sources refused, an event bus that exists.
 * Per-entry failures are answered as EventBridge does: FailedEntryCount and an ErrorCode in
 * the entry's place, the call itself succeeding.
 *
 * Manual run: `tsx testkit/eventbridge-server.ts [--port N] [--host H] [--bus name]`.
 */
import { randomUUID } from 'node:crypto';
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

export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;

export interface ReceivedEvent {
  readonly id: string;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: JsonObject;
  readonly resources: readonly string[];
  readonly time?: number;
}

export type EntryFault = (entry: JsonObject) => { ErrorCode: string; ErrorMessage: string } | undefined;

export interface EventBridgeServerOptions {
  now?: () => number;
  port?: number;
  host?: string;
  accountId?: string;
}

/** The size EventBridge counts for one PutEvents entry (user guide). */
export function entrySize(entry: JsonObject): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const field of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[field] === 'string') size += Buffer.byteLength(entry[field] as string);
  }
  for (const r of Array.isArray(entry.Resources) ? entry.Resources : []) size += Buffer.byteLength(String(r));
  return size;
}

export class EventBridgeServer extends AwsTestServer {
  readonly accountId: string;
  private buses = new Set<string>(['default']);
  private received: ReceivedEvent[] = [];
  private entryFault: EntryFault | undefined;

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    PutEvents: (input, context) => this.putEvents(input, context),
  };

  private constructor(options: EventBridgeServerOptions) {
    super(awsJsonProtocol('AWSEvents', '1.1'), { now: options.now, maxBodyBytes: 16 * 1024 * 1024 });
    this.accountId = options.accountId ?? '111122223333';
  }

  static async start(options: EventBridgeServerOptions = {}): Promise<EventBridgeServer> {
    const server = new EventBridgeServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  /** A custom event bus (the `default` bus always exists); returns its ARN. */
  createBus(name: string, region = 'us-east-1'): string {
    this.buses.add(name);
    return `arn:aws:events:${region}:${this.accountId}:event-bus/${name}`;
  }

  injectEntryFault(fault: EntryFault | undefined): void {
    this.entryFault = fault;
  }

  events(bus?: string): ReceivedEvent[] {
    return bus === undefined ? [...this.received] : this.received.filter((e) => e.bus === bus);
  }

  override reset(): void {
    super.reset();
    this.received = [];
    this.entryFault = undefined;
  }

  private putEvents(input: JsonObject, context: RequestContext): object {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
    }
    let total = 0;
    for (const e of entries as JsonObject[]) total += entrySize(e ?? {});
    if (total > MAX_ENTRY_BYTES) throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    context.note.eventCount = entries.length;
    const results = (entries as JsonObject[]).map((entry) => {
      const problem = this.validate(entry ?? {}) ?? this.entryFault?.(entry);
      if (problem) return problem;
      const id = randomUUID();
      this.received.push({
        id,
        bus: busName(entry.EventBusName),
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)) as JsonObject,
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        ...(typeof entry.Time === 'number' ? { time: entry.Time } : {}),
      });
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private validate(entry: JsonObject): { ErrorCode: string; ErrorMessage: string } | undefined {
    const bus = busName(entry.EventBusName);
    if (!this.buses.has(bus)) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    if (typeof entry.Source !== 'string' || entry.Source === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid.' };
    if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid.' };
    if (typeof entry.Detail !== 'string') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid.' };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    return undefined;
  }
}

/** A bus named by name or ARN; none: `default`. */
function busName(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  return value.startsWith('arn:') ? (value.split('event-bus/')[1] ?? value) : value;
}

if (require.main === module) {
  runServerFromCommandLine(
    process.argv,
    ({ port, host }) => EventBridgeServer.start({ port, host }),
    (server, option) => {
      const bus = option('--bus');
      if (bus) server.createBus(bus);
      console.error(`EventBridge (PutEvents): set AWS_ENDPOINT_URL_EVENTBRIDGE=${server.endpoint}`);
    },
  );
}
