/**
 * An in-memory `BaselineStore` with the DynamoDB adapter's semantics (once-per-delivery
 * counting, conditional transitions), for unit tests and local runs of the CLI. Not shared
 * between processes, so not for Lambda.
 */
import { type Scope, insightKey } from './api';
import type {
  AnomalyState,
  AnomalyTransition,
  BaselineSnapshot,
  BaselineStore,
  BucketApiCounts,
  HourBucket,
  HourNumber,
  RecordOutcome,
  RecordRequest,
} from './store';

interface MutableApiCounts {
  calls: number;
  writes: number;
  errors: number;
  excludedMinutes: number;
  excludedCalls: number;
  errorCodes: Map<string, number>;
}

interface MutableBucket {
  minutes: Set<number>;
  deliveries: Set<string>;
  apis: Map<string, MutableApiCounts>;
}

export class MemoryBaselineStore implements BaselineStore {
  private readonly buckets = new Map<string, MutableBucket>();
  private readonly states = new Map<string, Map<string, AnomalyState>>();
  /** Calls per method, for tests that check how a delivery uses the store. */
  readonly calls = { load: 0, record: 0, transition: 0 };

  async load(scope: Scope, hours: readonly HourNumber[]): Promise<BaselineSnapshot> {
    this.calls.load++;
    const buckets: HourBucket[] = [];
    for (const hour of hours) {
      const b = this.buckets.get(bucketKey(scope, hour));
      if (b === undefined) continue;
      const apis = new Map<string, BucketApiCounts>();
      for (const [id, a] of b.apis) {
        apis.set(id, { calls: a.calls, writes: a.writes, errors: a.errors, excludedMinutes: a.excludedMinutes, errorCodes: new Map(a.errorCodes) });
      }
      buckets.push({ hour, minutes: b.minutes.size, counts: (id) => apis.get(id) });
    }
    return { buckets, anomalies: [...(this.states.get(scopeKey(scope))?.values() ?? [])] };
  }

  async record(scope: Scope, request: RecordRequest): Promise<RecordOutcome> {
    this.calls.record++;
    const applied: HourNumber[] = [];
    const duplicate: HourNumber[] = [];
    for (const inc of request.increments) {
      const key = bucketKey(scope, inc.hour);
      let b = this.buckets.get(key);
      if (b === undefined) {
        b = { minutes: new Set(), deliveries: new Set(), apis: new Map() };
        this.buckets.set(key, b);
      }
      if (b.deliveries.has(request.deliveryId)) {
        duplicate.push(inc.hour);
        continue;
      }
      b.deliveries.add(request.deliveryId);
      for (const m of inc.minutesOfHour) b.minutes.add(m);
      for (const api of inc.apis) {
        let a = b.apis.get(api.id);
        if (a === undefined) {
          a = { calls: 0, writes: 0, errors: 0, excludedMinutes: 0, excludedCalls: 0, errorCodes: new Map() };
          b.apis.set(api.id, a);
        }
        if (api.excluded) {
          a.excludedMinutes += api.minutes;
          a.excludedCalls += api.calls;
          continue;
        }
        a.calls += api.calls;
        a.writes += api.writes;
        a.errors += api.errors;
        for (const [code, n] of api.errorCodes) a.errorCodes.set(code, (a.errorCodes.get(code) ?? 0) + n);
      }
      applied.push(inc.hour);
    }
    return { applied, duplicate };
  }

  async transition(scope: Scope, change: AnomalyTransition): Promise<boolean> {
    this.calls.transition++;
    let states = this.states.get(scopeKey(scope));
    if (states === undefined) {
      states = new Map();
      this.states.set(scopeKey(scope), states);
    }
    const key = change.kind === 'start' ? insightKey(change.state.type, change.state) : insightKey(change.type, change.api);
    const current = states.get(key);
    switch (change.kind) {
      case 'start':
        if (current !== undefined && current.sharedEventID !== change.state.sharedEventID) return false;
        states.set(key, change.state);
        return true;
      case 'continue':
        if (current === undefined || current.sharedEventID !== change.sharedEventID) return false;
        states.set(key, {
          ...current,
          insightTotal: current.insightTotal + change.addTotal,
          insightMinutes: current.insightMinutes + change.addMinutes,
          lastMinute: change.lastMinute,
        });
        return true;
      case 'end':
        if (current === undefined || current.sharedEventID !== change.sharedEventID) return false;
        states.delete(key);
        return true;
    }
  }
}

function scopeKey(scope: Scope): string {
  return `${scope.accountId}#${scope.region}`;
}

function bucketKey(scope: Scope, hour: HourNumber): string {
  return `${scopeKey(scope)}#${hour}`;
}
