/**
 * The anomaly analyser end to end against dynalite: concurrent invocations for one
 * account-region, and the DynamoDB requests one delivery costs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { anomalyAnalyser } from '../../lib/anomaly/analyser';
import { type ApiRef, apiId } from '../../lib/anomaly/api';
import { DynamoDbBaselineStore } from '../../lib/aws/dynamodb-baseline-store';
import type { TrailRecord } from '../../lib/cloudtrail/types';
import type { Finding } from '../../lib/findings';
import { countRequests, createBaselineTable, startDynamoDb, type LocalDynamoDb } from '../../testkit/dynamodb';
import { DESCRIBE, SCOPE, T0, delivery, seedBaseline, traffic, type CallSpec } from '../unit/anomaly/support';

const TABLE = 'trailwatch-anomaly-analyser-test';
const HOUR = Math.floor(T0 / 60);

let db: LocalDynamoDb;
let client: DynamoDBClient;
let store: DynamoDbBaselineStore;
let requests: ReturnType<typeof countRequests>;

beforeAll(async () => {
  db = await startDynamoDb();
  client = new DynamoDBClient(db.clientConfig);
  requests = countRequests(client);
  await createBaselineTable(client, TABLE);
  store = new DynamoDbBaselineStore({ tableName: TABLE, client });
});

afterAll(async () => {
  client.destroy();
  await db.stop();
});

async function deliver(scope: typeof SCOPE, endMinute: number, unique: string, records: TrailRecord[]): Promise<Finding[]> {
  const { ref, key } = delivery(endMinute, unique, scope);
  const analyser = anomalyAnalyser(store, ref, key);
  analyser.observe(records);
  const findings = await analyser.finish();
  if (analyser.result?.status === 'failed') throw new Error(analyser.result.reason);
  return findings;
}

function manyApis(count: number, callsPerMinute: number): CallSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    api: { eventSource: `service${i % 7}.amazonaws.com`, eventName: `Operation${i}`, readOnly: i % 2 === 0 },
    callsPerMinute,
    errorsPerMinute: i % 5 === 0 ? 1 : 0,
  }));
}

describe('anomalyAnalyser on DynamoDB (dynalite)', () => {
  it('two concurrent invocations for the same account-region lose no count and double-count no minute', async () => {
    // Prepare: files for overlapping minutes, as CloudTrail writes them for a busy account-region
    const scope = { ...SCOPE, accountId: '222233334444' };
    const a = traffic(T0, 5, [{ api: DESCRIBE, callsPerMinute: 7, errorsPerMinute: 1 }]);
    const b = traffic(T0 + 3, 5, [{ api: DESCRIBE, callsPerMinute: 11, errorsPerMinute: 2 }]);
    // Act
    await Promise.all([deliver(scope, T0 + 5, 'file-a', a), deliver(scope, T0 + 8, 'file-b', b)]);
    const bucket = (await store.load(scope, [HOUR])).buckets[0];
    // Assess
    expect(bucket?.counts(apiId(DESCRIBE))).toMatchObject({ calls: 5 * 7 + 5 * 11, errors: 5 * 1 + 5 * 2 });
    expect(bucket?.minutes).toBe(8);
  });

  it('two concurrent invocations that both see a burst emit one Start between them', async () => {
    // Prepare
    const scope = { ...SCOPE, accountId: '333344445555' };
    await seedBaseline(store, HOUR, 7, [{ api: DESCRIBE, callsPerHour: 1200, errorsPerHour: 24, wobble: 0.1 }], scope);
    const burst: CallSpec = { api: DESCRIBE, callsPerMinute: 20, errorsPerMinute: 12 };
    // Act
    const [first, second] = await Promise.all([
      deliver(scope, T0 + 5, 'burst-a', traffic(T0, 5, [burst])),
      deliver(scope, T0 + 6, 'burst-b', traffic(T0 + 1, 5, [burst])),
    ]);
    const anomalies = (await store.load(scope, [])).anomalies;
    // Assess
    const starts = [...first, ...second].filter((f) => f.details?.state === 'Start');
    expect(starts).toHaveLength(1);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.sharedEventID).toBe(starts[0]?.details?.sharedEventID);
  });

  it('costs 1 BatchGetItem and 1 UpdateItem per hour touched, however many records the file holds', async () => {
    // Prepare: 40 APIs at their usual 20 calls/min
    const scope = { ...SCOPE, accountId: '444455556666' };
    const specs = manyApis(40, 20);
    await seedBaseline(
      store, HOUR, 7,
      specs.map((s) => ({ api: s.api, callsPerHour: 1200, writesPerHour: s.api.readOnly ? 0 : 1200, errorsPerHour: (s.errorsPerMinute ?? 0) * 60 })),
      scope,
    );
    const measure = async (records: TrailRecord[], endMinute: number, unique: string): Promise<Record<string, number>> => {
      requests.reset();
      const findings = await deliver(scope, endMinute, unique, records);
      expect(findings).toEqual([]);
      return Object.fromEntries(requests.byCommand);
    };
    // Act: 800 records, then 8,000, then a file across the hour boundary
    const small = await measure(traffic(T0, 1, specs), T0 + 1, 'small');
    const large = await measure(traffic(T0 + 1, 10, specs), T0 + 11, 'large');
    const boundary = await measure(traffic(T0 + 57, 5, specs), T0 + 62, 'boundary');
    // Assess
    expect(small).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 1 });
    expect(large).toEqual(small);
    expect(boundary).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 2 });
  });

  it('splits a file with hundreds of APIs into a few UpdateItems, still one BatchGetItem', async () => {
    // Prepare
    const scope = { ...SCOPE, accountId: '555566667777' };
    const specs = manyApis(400, 1);
    // Act
    requests.reset();
    await deliver(scope, T0 + 5, 'wide', traffic(T0, 2, specs));
    // Assess
    expect(requests.byCommand.get('BatchGetItemCommand')).toBe(1);
    const updates = requests.byCommand.get('UpdateItemCommand') ?? 0;
    expect(updates).toBeGreaterThan(1);
    expect(updates).toBeLessThanOrEqual(8);
  });

  it('adds one conditional UpdateItem per anomaly transition', async () => {
    // Prepare
    const scope = { ...SCOPE, accountId: '666677778888' };
    const api: ApiRef & { readOnly: boolean } = DESCRIBE;
    await seedBaseline(store, HOUR, 7, [{ api, callsPerHour: 1200, errorsPerHour: 24, wobble: 0.1 }], scope);
    // Act
    requests.reset();
    const findings = await deliver(scope, T0 + 5, 'transition', traffic(T0, 5, [{ api, callsPerMinute: 20, errorsPerMinute: 12 }]));
    // Assess
    expect(findings).toHaveLength(1);
    expect(Object.fromEntries(requests.byCommand)).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 2 });
  });
});
