import type { HourIncrement } from '../../../lib/anomaly/store';
import {
  MAX_UPDATE_EXPRESSION,
  apiAttributeKey,
  hourSortKey,
  hourUpdates,
  partitionKey,
  transitionUpdate,
} from '../../../lib/aws/dynamodb-baseline-store';
import { SCOPE } from './support';

function increment(apis: number): HourIncrement {
  return {
    hour: 484_000,
    minutesOfHour: [55, 56, 57, 58, 59],
    apis: Array.from({ length: apis }, (_, i) => ({
      id: `service${i}/SomeRatherLongOperationName${i}`, calls: 10 + i, writes: i % 2, errors: i % 3, excluded: i % 7 === 0, minutes: 5,
      errorCodes: i % 3 ? [['AccessDenied', i % 3] as const] : [],
    })),
  };
}

describe('DynamoDB item layout', () => {
  it('keys items by account-region and UTC hour', () => {
    // Act & Assess
    expect(partitionKey(SCOPE)).toBe('111122223333#eu-west-1');
    expect(hourSortKey(Date.UTC(2025, 2, 10, 14) / 3_600_000)).toBe('H#2025-03-10T14');
    expect(apiAttributeKey('ec2/DescribeInstances')).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(apiAttributeKey('ec2/DescribeInstances')).not.toBe(apiAttributeKey('ec2/DescribeVolumes'));
  });

  it('adds one delivery to one hour in a single UpdateItem for a usual file', () => {
    // Act
    const updates = hourUpdates(increment(40), 'delivery1', 1_800_000_000);
    // Assess
    expect(updates).toHaveLength(1);
    const u = updates[0];
    expect(u?.ConditionExpression).toBe('NOT contains(#d, :did)');
    expect(u?.ExpressionAttributeValues?.[':did']).toBe('delivery1.0');
    expect(u?.ExpressionAttributeValues?.[':m']).toEqual(new Set([55, 56, 57, 58, 59]));
    expect(u?.UpdateExpression).toMatch(/^SET #x = :x ADD #m :m, #d :d, #a0 :a0/);
  });

  it('splits many APIs over UpdateItems that each stay under the 4 KB expression limit, losing no counter', () => {
    // Prepare
    const inc = increment(600);
    // Act
    const updates = hourUpdates(inc, 'delivery1', 1_800_000_000);
    // Assess
    expect(updates.length).toBeGreaterThan(1);
    const names = new Map<string, number>();
    updates.forEach((u, c) => {
      expect((u.UpdateExpression ?? '').length).toBeLessThanOrEqual(MAX_UPDATE_EXPRESSION);
      expect(u.ExpressionAttributeValues?.[':did']).toBe(`delivery1.${c}`);
      for (const [placeholder, name] of Object.entries(u.ExpressionAttributeNames ?? {})) {
        if (!placeholder.startsWith('#a')) continue;
        names.set(name, (names.get(name) ?? 0) + (u.ExpressionAttributeValues?.[`:${placeholder.slice(1)}`] as number));
      }
    });
    const api = inc.apis[10];
    expect(names.get(`c|${apiAttributeKey(api?.id ?? '')}`)).toBe(api?.calls);
    expect(names.get(`xm|${apiAttributeKey(inc.apis[7]?.id ?? '')}`)).toBe(5);
    expect(names.has(`c|${apiAttributeKey(inc.apis[7]?.id ?? '')}`)).toBe(false);
    const expected = inc.apis.reduce((n, a) => n + (a.excluded ? 2 : 1 + (a.writes > 0 ? 1 : 0) + (a.errors > 0 ? 1 : 0) + a.errorCodes.length), 0);
    expect(names.size).toBe(expected);
  });

  it('makes every anomaly transition conditional on the open anomaly it expects', () => {
    // Prepare
    const api = { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' };
    const state = {
      ...api, type: 'ApiErrorRateInsight' as const, sharedEventID: 'id-1', startMinute: 1, lastMinute: 5,
      baselineAverage: 0.1, baselineMinutes: 1260, insightTotal: 10, insightMinutes: 5, startedBy: 'd1',
    };
    // Act
    const start = transitionUpdate({ kind: 'start', state }, 1);
    const more = transitionUpdate({ kind: 'continue', type: state.type, api, sharedEventID: 'id-1', addTotal: 3, addMinutes: 5, lastMinute: 10 }, 1);
    const end = transitionUpdate({ kind: 'end', type: state.type, api, sharedEventID: 'id-1' }, 1);
    // Assess
    expect(start.ConditionExpression).toBe('attribute_not_exists(#a) OR #a.#id = :id');
    expect(start.ExpressionAttributeNames?.['#a']).toBe('a|E|ec2/DescribeInstances');
    expect(more.ConditionExpression).toBe('#a.#id = :id');
    expect(more.UpdateExpression).toContain('#a.#it = #a.#it + :t');
    expect(end).toMatchObject({ UpdateExpression: 'REMOVE #a', ConditionExpression: '#a.#id = :id' });
  });
});
