/**
 * `BaselineStore` on one DynamoDB table (key schema: `pk` S hash, `sk` S range; TTL on
 * `expiresAt`), see lib/anomaly/serverless-table.yml.
 *
 * Items, per account-region (`pk = <account>#<region>`):
 *  - `sk = H#<YYYY-MM-DDTHH>`: one hour bucket. `m` NS minutes of the hour covered, `d` SS
 *    delivery ids already counted, and per API the counters `c|<h>` calls, `w|<h>` writes,
 *    `e|<h>` errors, `r|<h>|<code>` error codes, `xm|<h>`/`xc|<h>` minutes and calls kept out
 *    of the baseline (open anomaly), where `<h>` is `apiAttributeKey(apiId)`: 8 characters of
 *    a SHA-256 of the API id (`ec2/DescribeInstances`).
 *  - `sk = ANOMALIES`: one map attribute `a|<C|E>|<api id>` per open anomaly (removed at End,
 *    so the item, which every transition rewrites, stays small).
 *
 * All APIs of an hour share one item, so a delivery writes one item per hour touched
 * instead of one per API. Writes are billed per 1 KB of the larger of the old and new item,
 * so names are short: ~15 bytes per counter, ~50 bytes per API with its error codes; a
 * 48-bit name makes a collision between two of an account's APIs negligible (~1e-9 for 500
 * APIs). Every write is one atomic UpdateItem:
 *  - counters use ADD (atomic increments, and a set union for minutes: concurrent files for
 *    the same minutes neither lose nor double-count), with `NOT contains(d, :delivery)` so a
 *    repeated S3 notification for the same object is counted once;
 *  - anomaly transitions are conditional on the open anomaly's id.
 * Limits honoured: UpdateExpression ≤ 4 KB (chunked, see `MAX_UPDATE_EXPRESSION`),
 * BatchGetItem ≤ 100 keys and 16 MB (the band is ≤ 99 hour items), item ≤ 400 KB (reported as
 * a BaselineStoreError if an account-region ever has thousands of APIs in one hour).
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { INSIGHT_TYPES, type InsightType, type Scope, insightKey } from '../anomaly/api';
import { BaselineStoreError } from '../anomaly/errors';
import type { Attribution } from '../anomaly/insight-finding';
import type {
  AnomalyState,
  AnomalyTransition,
  BaselineSnapshot,
  BaselineStore,
  BucketApiCounts,
  HourBucket,
  HourIncrement,
  HourNumber,
  RecordOutcome,
  RecordRequest,
} from '../anomaly/store';

/** DynamoDB's UpdateExpression limit is 4 KB; keep a margin for the fixed part. */
export const MAX_UPDATE_EXPRESSION = 4000;
/** BatchGetItem: at most 100 keys per request. */
export const MAX_BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 6;
const STATE_SK = 'ANOMALIES';
const MAX_ATTRIBUTIONS_JSON = 2048;

export type StoreOperation = 'BatchGetItem' | 'UpdateItem';

export interface DynamoDbBaselineStoreOptions {
  readonly tableName: string;
  /** A document client, or a plain client to wrap; default: a new DynamoDBClient from the environment. */
  readonly client?: DynamoDBDocumentClient | DynamoDBClient;
  /** Told of every request with the capacity DynamoDB says it consumed (ReturnConsumedCapacity TOTAL; free to ask). */
  readonly onRequest?: (operation: StoreOperation, capacityUnits: number) => void;
  /** Back-off between BatchGetItem retries of unprocessed keys. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class DynamoDbBaselineStore implements BaselineStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly onRequest: (operation: StoreOperation, capacityUnits: number) => void;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoDbBaselineStoreOptions) {
    const client = options.client ?? new DynamoDBClient({});
    this.client = client instanceof DynamoDBDocumentClient ? client : DynamoDBDocumentClient.from(client);
    this.tableName = options.tableName;
    this.onRequest = options.onRequest ?? (() => undefined);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async load(scope: Scope, hours: readonly HourNumber[]): Promise<BaselineSnapshot> {
    const pk = partitionKey(scope);
    const keys = [...new Set(hours)].map((hour) => ({ pk, sk: hourSortKey(hour) }));
    keys.push({ pk, sk: STATE_SK });
    if (keys.length > MAX_BATCH_GET_KEYS) {
      throw new BaselineStoreError(`the baseline band needs ${keys.length} keys; one BatchGetItem reads at most ${MAX_BATCH_GET_KEYS}`);
    }
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= BATCH_GET_ATTEMPTS) {
        throw new BaselineStoreError(`BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts (throttled)`);
      }
      if (attempt > 0) await this.sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await this.send('BatchGetItem', () =>
        this.client.send(
          new BatchGetCommand({
            // Eventually consistent (half the read cost): the band's hours are at least 13 hours old.
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: false } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      this.onRequest('BatchGetItem', capacityOf(out.ConsumedCapacity));
      items.push(...((out.Responses?.[this.tableName] ?? []) as Record<string, unknown>[]));
      pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    const buckets: HourBucket[] = [];
    let anomalies: AnomalyState[] = [];
    for (const item of items) {
      if (item.sk === STATE_SK) anomalies = decodeStates(item);
      else {
        const bucket = decodeBucket(item);
        if (bucket !== undefined) buckets.push(bucket);
      }
    }
    return { buckets, anomalies };
  }

  async record(scope: Scope, request: RecordRequest): Promise<RecordOutcome> {
    const jobs = request.increments.flatMap((increment) =>
      hourUpdates(increment, request.deliveryId, request.expiresAt(increment.hour)).map((update) => ({ hour: increment.hour, update })),
    );
    const results = await Promise.all(
      jobs.map(async ({ hour, update }) => ({ hour, applied: await this.update({ ...update, Key: { pk: partitionKey(scope), sk: hourSortKey(hour) } }) })),
    );
    const applied: HourNumber[] = [];
    const duplicate: HourNumber[] = [];
    for (const increment of request.increments) {
      const mine = results.filter((r) => r.hour === increment.hour);
      if (mine.some((r) => r.applied)) applied.push(increment.hour);
      else duplicate.push(increment.hour);
    }
    return { applied, duplicate };
  }

  async transition(scope: Scope, change: AnomalyTransition, expiresAt: number): Promise<boolean> {
    return this.update({ ...transitionUpdate(change, expiresAt), Key: { pk: partitionKey(scope), sk: STATE_SK } });
  }

  /** One UpdateItem; false when its condition failed. */
  private async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      const out = await this.send('UpdateItem', () =>
        this.client.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnConsumedCapacity: 'TOTAL' })),
      );
      this.onRequest('UpdateItem', capacityOf(out.ConsumedCapacity));
      return true;
    } catch (err) {
      if (err instanceof BaselineStoreError && err.cause instanceof Error && err.cause.name === 'ConditionalCheckFailedException') {
        // A failed condition still consumes write capacity (1 WCU minimum).
        this.onRequest('UpdateItem', 1);
        return false;
      }
      throw err;
    }
  }

  private async send<T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const message = err instanceof Error ? err.message : String(err);
      throw new BaselineStoreError(`${operation} on ${this.tableName} failed: ${name}: ${message}`, { cause: err });
    }
  }
}

export function partitionKey(scope: Scope): string {
  return `${scope.accountId}#${scope.region}`;
}

export function hourSortKey(hour: HourNumber): string {
  return `H#${new Date(hour * 3_600_000).toISOString().slice(0, 13)}`;
}

function hourOfSortKey(sk: unknown): HourNumber | undefined {
  if (typeof sk !== 'string' || !sk.startsWith('H#')) return undefined;
  const ms = Date.parse(`${sk.slice(2)}:00:00Z`);
  return Number.isFinite(ms) ? Math.round(ms / 3_600_000) : undefined;
}

/**
 * The UpdateItem inputs that add one hour's increment: as few as fit the 4 KB expression
 * limit (60–250 APIs each, depending on how many of an API's counters are non-zero). Each chunk carries its own delivery marker `<id>.<chunk>`, so a
 * retried delivery skips exactly the chunks it already applied.
 */
export function hourUpdates(increment: HourIncrement, deliveryId: string, expiresAt: number): Omit<UpdateCommandInput, 'TableName' | 'Key'>[] {
  if (increment.minutesOfHour.length === 0) return [];
  const clauses: Array<[name: string, value: number]> = [];
  for (const api of increment.apis) {
    const h = apiAttributeKey(api.id);
    if (api.excluded) {
      clauses.push([`xm|${h}`, api.minutes], [`xc|${h}`, api.calls]);
      continue;
    }
    clauses.push([`c|${h}`, api.calls]);
    if (api.writes > 0) clauses.push([`w|${h}`, api.writes]);
    if (api.errors > 0) clauses.push([`e|${h}`, api.errors]);
    for (const [code, n] of api.errorCodes) if (n > 0) clauses.push([`r|${h}|${code.replace(/\|/g, '_')}`, n]);
  }
  const chunks: Array<Array<[string, number]>> = [];
  const fixed = 'SET #x = :x ADD #m :m, #d :d'.length;
  let current: Array<[string, number]> = [];
  let length = fixed;
  for (const clause of clauses) {
    let piece = `, #a${current.length} :a${current.length}`.length;
    if (length + piece > MAX_UPDATE_EXPRESSION && current.length > 0) {
      chunks.push(current);
      current = [];
      length = fixed;
      piece = ', #a0 :a0'.length;
    }
    length += piece;
    current.push(clause);
  }
  chunks.push(current);
  return chunks.map((chunk, c) => {
    const names: Record<string, string> = { '#x': 'expiresAt', '#m': 'm', '#d': 'd' };
    const values: Record<string, unknown> = {
      ':x': expiresAt,
      ':m': new Set(increment.minutesOfHour),
      ':d': new Set([`${deliveryId}.${c}`]),
      ':did': `${deliveryId}.${c}`,
    };
    const adds = ['#m :m', '#d :d'];
    chunk.forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      adds.push(`#a${i} :a${i}`);
    });
    return {
      UpdateExpression: `SET #x = :x ADD ${adds.join(', ')}`,
      ConditionExpression: 'NOT contains(#d, :did)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  });
}

/** The conditional UpdateItem of one anomaly transition on the state item. */
export function transitionUpdate(change: AnomalyTransition, expiresAt: number): Omit<UpdateCommandInput, 'TableName' | 'Key'> {
  switch (change.kind) {
    case 'start':
      return {
        UpdateExpression: 'SET #a = :state, #x = :x',
        ConditionExpression: 'attribute_not_exists(#a) OR #a.#id = :id',
        ExpressionAttributeNames: { '#a': stateAttribute(change.state.type, change.state), '#id': 'id', '#x': 'expiresAt' },
        ExpressionAttributeValues: { ':state': encodeState(change.state), ':x': expiresAt, ':id': change.state.sharedEventID },
      };
    case 'continue':
      return {
        UpdateExpression: 'SET #a.#it = #a.#it + :t, #a.#im = #a.#im + :m, #a.#lm = :lm, #x = :x',
        ConditionExpression: '#a.#id = :id',
        ExpressionAttributeNames: { '#a': stateAttribute(change.type, change.api), '#it': 'it', '#im': 'im', '#lm': 'lm', '#id': 'id', '#x': 'expiresAt' },
        ExpressionAttributeValues: { ':t': change.addTotal, ':m': change.addMinutes, ':lm': change.lastMinute, ':id': change.sharedEventID, ':x': expiresAt },
      };
    case 'end':
      return {
        UpdateExpression: 'REMOVE #a',
        ConditionExpression: '#a.#id = :id',
        ExpressionAttributeNames: { '#a': stateAttribute(change.type, change.api), '#id': 'id' },
        ExpressionAttributeValues: { ':id': change.sharedEventID },
      };
  }
}

function stateAttribute(type: InsightType, api: { eventSource: string; eventName: string }): string {
  return `a|${insightKey(type, api)}`;
}

function encodeState(s: AnomalyState): Record<string, unknown> {
  let attributions = s.attributions === undefined ? undefined : JSON.stringify(s.attributions);
  if (attributions !== undefined && attributions.length > MAX_ATTRIBUTIONS_JSON) attributions = undefined;
  return {
    t: s.type, src: s.eventSource, name: s.eventName, id: s.sharedEventID,
    sm: s.startMinute, lm: s.lastMinute, ba: s.baselineAverage, bm: s.baselineMinutes,
    it: s.insightTotal, im: s.insightMinutes, sb: s.startedBy,
    ...(attributions === undefined ? {} : { at: attributions }),
  };
}

function decodeStates(item: Record<string, unknown>): AnomalyState[] {
  const out: AnomalyState[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith('a|') || typeof value !== 'object' || value === null) continue;
    const v = value as Record<string, unknown>;
    const type = INSIGHT_TYPES.find((t) => t === v.t);
    const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
    const n = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const [src, eventName, id, sb] = [str(v.src), str(v.name), str(v.id), str(v.sb)];
    const [sm, lm, ba, bm, it, im] = [n(v.sm), n(v.lm), n(v.ba), n(v.bm), n(v.it), n(v.im)];
    if (type === undefined || src === undefined || eventName === undefined || id === undefined || sb === undefined) continue;
    if (sm === undefined || lm === undefined || ba === undefined || bm === undefined || it === undefined || im === undefined) continue;
    const attributions = parseAttributions(str(v.at));
    out.push({
      type, eventSource: src, eventName, sharedEventID: id, startMinute: sm, lastMinute: lm,
      baselineAverage: ba, baselineMinutes: bm, insightTotal: it, insightMinutes: im, startedBy: sb,
      ...(attributions === undefined ? {} : { attributions }),
    });
  }
  return out;
}

function parseAttributions(json: string | undefined): Attribution[] | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as Attribution[]) : undefined;
  } catch {
    return undefined;
  }
}

interface MutableCounts {
  calls: number;
  writes: number;
  errors: number;
  excludedMinutes: number;
  errorCodes: Map<string, number>;
}

function decodeBucket(item: Record<string, unknown>): HourBucket | undefined {
  const hour = hourOfSortKey(item.sk);
  if (hour === undefined) return undefined;
  const minutes = item.m instanceof Set ? item.m.size : 0;
  const apis = new Map<string, MutableCounts>();
  const get = (id: string): MutableCounts => {
    let c = apis.get(id);
    if (c === undefined) {
      c = { calls: 0, writes: 0, errors: 0, excludedMinutes: 0, errorCodes: new Map() };
      apis.set(id, c);
    }
    return c;
  };
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'number') continue;
    const bar = name.indexOf('|');
    if (bar < 0) continue;
    const kind = name.slice(0, bar);
    const rest = name.slice(bar + 1);
    if (kind === 'c') get(rest).calls += value;
    else if (kind === 'w') get(rest).writes += value;
    else if (kind === 'e') get(rest).errors += value;
    else if (kind === 'xm') get(rest).excludedMinutes += value;
    else if (kind === 'r') {
      const split = rest.indexOf('|');
      if (split < 0) continue;
      const codes = get(rest.slice(0, split)).errorCodes;
      const code = rest.slice(split + 1);
      codes.set(code, (codes.get(code) ?? 0) + value);
    }
  }
  return { hour, minutes, counts: (apiId) => apis.get(apiAttributeKey(apiId)) as BucketApiCounts | undefined };
}

/** The short name of an API's counters: 8 base64url characters (48 bits) of SHA-256(api id). */
export function apiAttributeKey(apiId: string): string {
  return createHash('sha256').update(apiId).digest('base64url').slice(0, 8);
}

function capacityOf(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (consumed === undefined) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}
