import { apiId } from '../../../lib/anomaly/api';
import { DEFAULT_COUNTING_OPTIONS, DeliveryCounter, coverMinutes } from '../../../lib/anomaly/counting';
import type { CloudTrailRecord, TrailRecord } from '../../../lib/cloudtrail/types';
import { DESCRIBE, PUT_PARAMETER, T0, apiCall, traffic } from './support';

function wrap(records: CloudTrailRecord[]): TrailRecord[] {
  return records.map((record, index) => ({ text: '', record, bytes: 0, index }));
}

describe('DeliveryCounter', () => {
  it('counts calls, write calls and errors per API and per minute', () => {
    // Prepare
    const counter = new DeliveryCounter();
    const records = traffic(T0, 3, [
      { api: DESCRIBE, callsPerMinute: 10, errorsPerMinute: 2 },
      { api: PUT_PARAMETER, callsPerMinute: 4, errorsPerMinute: 1 },
    ]);
    // Act
    counter.observe(records.slice(0, 20));
    counter.observe(records.slice(20));
    const result = counter.result();
    // Assess
    const describe = result.apis.get(apiId(DESCRIBE));
    const put = result.apis.get(apiId(PUT_PARAMETER));
    expect(describe).toMatchObject({ calls: 30, writes: 0, errors: 6 });
    expect(put).toMatchObject({ calls: 12, writes: 12, errors: 3 });
    expect([...(describe?.byMinute ?? new Map())]).toEqual([
      [T0, { calls: 10, writes: 0, errors: 2 }],
      [T0 + 1, { calls: 10, writes: 0, errors: 2 }],
      [T0 + 2, { calls: 10, writes: 0, errors: 2 }],
    ]);
    expect(result.coveredMinutes).toEqual([T0, T0 + 1, T0 + 2]);
    expect(result.counted).toBe(42);
  });

  it('keeps the top callers, agents and error codes with their counts', () => {
    // Prepare
    const counter = new DeliveryCounter();
    const burst = { api: DESCRIBE, callsPerMinute: 6, errorsPerMinute: 6, arn: 'arn:aws:iam::111122223333:user/mallory', userAgent: 'curl/8', errorCode: 'AccessDenied' };
    // Act
    counter.observe([...traffic(T0, 1, [{ api: DESCRIBE, callsPerMinute: 2 }]), ...traffic(T0, 1, [burst])]);
    const api = counter.result().apis.get(apiId(DESCRIBE));
    // Assess
    expect(api?.userIdentityArn.top(1)).toEqual([{ value: 'arn:aws:iam::111122223333:user/mallory', count: 6, error: 0 }]);
    expect(api?.userAgent.top(1)[0]?.value).toBe('curl/8');
    expect(api?.errorCode.top(5)).toEqual([{ value: 'AccessDenied', count: 6, error: 0 }]);
  });

  it('skips what is not a management API call, with a counted reason', () => {
    // Prepare
    const counter = new DeliveryCounter();
    const base = apiCall(T0, 0, { api: DESCRIBE, callsPerMinute: 1 }, false);
    const records = wrap([
      base,
      { ...base, eventType: 'AwsServiceEvent' },
      { ...base, eventType: 'AwsCloudTrailInsight' },
      { ...base, managementEvent: false, eventCategory: 'Data' },
      { ...base, eventTime: 'yesterday' },
      { ...base, eventTime: null },
      { ...base, eventName: null },
      { ...base, eventSource: 'x'.repeat(200) },
    ]);
    // Act
    counter.observe(records);
    const result = counter.result();
    // Assess
    expect(result.counted).toBe(1);
    expect(result.skipped).toEqual({ notApiCall: 2, dataEvent: 1, undated: 2, unnamed: 2, overflow: 0, late: 0 });
  });

  it('bounds the APIs per delivery and the hours a delivery writes to', () => {
    // Prepare
    const counter = new DeliveryCounter({ ...DEFAULT_COUNTING_OPTIONS, maxApis: 2, maxHours: 2 });
    const call = (minute: number, eventName: string): CloudTrailRecord =>
      apiCall(minute, 0, { api: { eventSource: 'ec2.amazonaws.com', eventName, readOnly: true }, callsPerMinute: 1 }, false);
    // Act: three APIs; a straggler three hours early
    counter.observe(wrap([call(T0, 'A'), call(T0 + 59, 'A'), call(T0 + 60, 'B'), call(T0 + 61, 'C'), call(T0 - 180, 'A')]));
    const result = counter.result();
    // Assess
    expect([...result.apis.keys()]).toEqual(['ec2/A', 'ec2/B']);
    expect(result.skipped.overflow).toBe(1);
    expect(result.skipped.late).toBe(1);
    expect(result.apis.get('ec2/A')?.calls).toBe(2);
  });

  it('counts the hours not kept as late, from minutes in the window and outside it alike', () => {
    // Prepare: the first record (hour H, 14:00) places the in-place window at H-1 to H+1;
    // H+5 and H-3 are outside it. Calls per hour: H 3, H+1 4, H+5 4, H-3 1: H+1 and H+5 kept.
    const counter = new DeliveryCounter({ ...DEFAULT_COUNTING_OPTIONS, maxHours: 2 });
    const puts = (minute: number, calls: number, failed: number) =>
      traffic(minute, 1, [{ api: PUT_PARAMETER, callsPerMinute: calls, errorsPerMinute: failed }]).map((r) => r.record);
    const records = wrap([
      ...puts(T0 + 10, 2, 1), // H, window, late
      apiCall(T0 + 20, 0, { api: DESCRIBE, callsPerMinute: 1 }, true), // H, window, late: its API's only call
      ...puts(T0 + 65, 3, 1), // H+1, window, kept
      ...puts(T0 + 66, 1, 0),
      ...puts(T0 + 307, 3, 1), // H+5, outside the window, kept
      ...puts(T0 + 308, 1, 0),
      ...puts(T0 - 180, 1, 1), // H-3, outside the window, late
    ]);
    // Act
    counter.observe(records);
    const result = counter.result();
    // Assess
    expect([...result.apis.keys()]).toEqual([apiId(PUT_PARAMETER)]);
    const api = result.apis.get(apiId(PUT_PARAMETER));
    expect(api).toMatchObject({ calls: 8, writes: 8, errors: 2 });
    expect([...(api?.byMinute ?? new Map())]).toEqual([
      [T0 + 65, { calls: 3, writes: 3, errors: 1 }],
      [T0 + 66, { calls: 1, writes: 1, errors: 0 }],
      [T0 + 307, { calls: 3, writes: 3, errors: 1 }],
      [T0 + 308, { calls: 1, writes: 1, errors: 0 }],
    ]);
    expect(result.counted).toBe(8);
    expect(result.skipped.late).toBe(4);
    expect(result.coveredMinutes).toEqual([T0 + 65, T0 + 66, T0 + 307, T0 + 308]);
  });
});

describe('coverMinutes', () => {
  it('fills short gaps between minutes with records but not long ones', () => {
    // Act
    const covered = coverMinutes([10, 12, 11, 40, 14], 2);
    // Assess
    expect(covered).toEqual([10, 11, 12, 13, 14, 40]);
  });
});
