/**
 * The DynamoDB baseline store against a real DynamoDB-compatible server (dynalite on
 * 127.0.0.1), with the table's real key schema.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { apiId } from '../../lib/anomaly/api';
import type { AnomalyState, HourIncrement } from '../../lib/anomaly/store';
import { DynamoDbBaselineStore } from '../../lib/aws/dynamodb-baseline-store';
import { BaselineStoreError } from '../../lib/anomaly/errors';
import { countRequests, createBaselineTable, startDynamoDb, type LocalDynamoDb } from '../../testkit/dynamodb';
import { DESCRIBE, PUT_PARAMETER, SCOPE, T0 } from '../unit/anomaly/support';

const TABLE = 'trailwatch-anomaly-store-test';
const HOUR = Math.floor(T0 / 60);

let db: LocalDynamoDb;
let client: DynamoDBClient;
let store: DynamoDbBaselineStore;

beforeAll(async () => {
  db = await startDynamoDb();
  client = new DynamoDBClient(db.clientConfig);
  await createBaselineTable(client, TABLE);
  store = new DynamoDbBaselineStore({ tableName: TABLE, client });
});

afterAll(async () => {
  client.destroy();
  await db.stop();
});

function increment(hour: number, minutes: number[], calls: number, errors: number): HourIncrement {
  return {
    hour,
    minutesOfHour: minutes,
    apis: [
      { id: apiId(DESCRIBE), calls, writes: 0, errors, excluded: false, minutes: minutes.length, errorCodes: errors > 0 ? [['AccessDenied', errors]] : [] },
      { id: apiId(PUT_PARAMETER), calls: 2, writes: 2, errors: 0, excluded: true, minutes: minutes.length, errorCodes: [] },
    ],
  };
}

describe('DynamoDbBaselineStore', () => {
  it('adds counters atomically, unions minutes, and counts a repeated delivery once', async () => {
    // Prepare
    const scope = { ...SCOPE, region: 'eu-central-1' };
    // Act
    const first = await store.record(scope, { deliveryId: 'obj-a', increments: [increment(HOUR, [0, 1, 2, 3, 4], 50, 3)], expiresAt: () => 1 });
    const again = await store.record(scope, { deliveryId: 'obj-a', increments: [increment(HOUR, [0, 1, 2, 3, 4], 50, 3)], expiresAt: () => 1 });
    const other = await store.record(scope, { deliveryId: 'obj-b', increments: [increment(HOUR, [3, 4, 5, 6, 7], 20, 1)], expiresAt: () => 1 });
    const snapshot = await store.load(scope, [HOUR, HOUR - 24]);
    // Assess
    expect(first).toEqual({ applied: [HOUR], duplicate: [] });
    expect(again).toEqual({ applied: [], duplicate: [HOUR] });
    expect(other.applied).toEqual([HOUR]);
    expect(snapshot.buckets).toHaveLength(1);
    const bucket = snapshot.buckets[0];
    expect(bucket?.hour).toBe(HOUR);
    expect(bucket?.minutes).toBe(8);
    expect(bucket?.counts(apiId(DESCRIBE))).toEqual({ calls: 70, writes: 0, errors: 4, excludedMinutes: 0, errorCodes: new Map([['AccessDenied', 4]]) });
    expect(bucket?.counts(apiId(PUT_PARAMETER))).toMatchObject({ calls: 0, excludedMinutes: 10 });
    expect(bucket?.counts('ec2/NeverCalled')).toBeUndefined();
  });

  it('loses no update when many deliveries of one account-region write the same hour at once', async () => {
    // Prepare
    const scope = { ...SCOPE, region: 'ap-south-1' };
    const deliveries = Array.from({ length: 25 }, (_, i) => ({ id: `obj-${i}`, calls: i + 1, minutes: [i % 60, (i + 1) % 60] }));
    // Act
    await Promise.all(deliveries.map((d) => store.record(scope, { deliveryId: d.id, increments: [increment(HOUR, d.minutes, d.calls, 1)], expiresAt: () => 1 })));
    const bucket = (await store.load(scope, [HOUR])).buckets[0];
    // Assess
    expect(bucket?.counts(apiId(DESCRIBE))?.calls).toBe(deliveries.reduce((a, d) => a + d.calls, 0));
    expect(bucket?.counts(apiId(DESCRIBE))?.errors).toBe(25);
    expect(bucket?.minutes).toBe(new Set(deliveries.flatMap((d) => d.minutes)).size);
  });

  it('starts an anomaly once, continues it, and ends it, each conditionally', async () => {
    // Prepare
    const scope = { ...SCOPE, region: 'sa-east-1' };
    const state: AnomalyState = {
      type: 'ApiErrorRateInsight', eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName, sharedEventID: 'id-1',
      startMinute: T0, lastMinute: T0 + 4, baselineAverage: 0.4, baselineMinutes: 1260, insightTotal: 60, insightMinutes: 5, startedBy: 'obj-a',
      attributions: [{ attribute: 'errorCode', insight: [{ value: 'AccessDenied', average: 12 }], baseline: [] }],
    };
    const api = { eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName };
    // Act
    const started = await store.transition(scope, { kind: 'start', state }, 2e9);
    const rival = await store.transition(scope, { kind: 'start', state: { ...state, sharedEventID: 'id-2', startedBy: 'obj-b' } }, 2e9);
    const retried = await store.transition(scope, { kind: 'start', state }, 2e9);
    const continued = await store.transition(scope, { kind: 'continue', type: state.type, api, sharedEventID: 'id-1', addTotal: 40, addMinutes: 5, lastMinute: T0 + 9 }, 2e9);
    const wrongContinue = await store.transition(scope, { kind: 'continue', type: state.type, api, sharedEventID: 'id-2', addTotal: 1, addMinutes: 1, lastMinute: T0 + 9 }, 2e9);
    const open = (await store.load(scope, [])).anomalies;
    const ended = await store.transition(scope, { kind: 'end', type: state.type, api, sharedEventID: 'id-1' }, 2e9);
    const endedTwice = await store.transition(scope, { kind: 'end', type: state.type, api, sharedEventID: 'id-1' }, 2e9);
    const after = (await store.load(scope, [])).anomalies;
    // Assess
    expect([started, rival, retried, continued, wrongContinue, ended, endedTwice]).toEqual([true, false, true, true, false, true, false]);
    expect(open).toEqual([{ ...state, insightTotal: 100, insightMinutes: 10, lastMinute: T0 + 9 }]);
    expect(after).toEqual([]);
  });

  it('wraps a missing table in a BaselineStoreError', async () => {
    // Prepare
    const missing = new DynamoDbBaselineStore({ tableName: 'no-such-table', client });
    // Act & Assess
    await expect(missing.load(SCOPE, [HOUR])).rejects.toBeInstanceOf(BaselineStoreError);
  });

  it('reads the whole band and the anomaly state in one BatchGetItem', async () => {
    // Prepare
    const counter = countRequests(client);
    counter.reset();
    const hours = Array.from({ length: 21 }, (_, i) => HOUR - 24 * (1 + Math.floor(i / 3)) + (i % 3) - 1);
    // Act
    await store.load(SCOPE, hours);
    // Assess
    expect(Object.fromEntries(counter.byCommand)).toEqual({ BatchGetItemCommand: 1 });
  });
});
