/**
 * Builders shared by the anomaly tests: CloudTrail log keys, API-call records, and a
 * baseline written straight into a store (hour increments), so a test does not have to
 * replay a week of deliveries.
 */
import { type ApiRef, type Scope, apiId } from '../../../lib/anomaly/api';
import { bandFor } from '../../../lib/anomaly/baseline';
import type { BaselineStore, HourIncrement } from '../../../lib/anomaly/store';
import { classifyKey, type KeyClass } from '../../../lib/cloudtrail/classify';
import type { CloudTrailRecord, ObjectRef, TrailRecord } from '../../../lib/cloudtrail/types';

export const SCOPE: Scope = { accountId: '111122223333', region: 'eu-west-1' };
export const BUCKET = 'trail-bucket';

/** Monday 2025-03-10 14:00 UTC, as a minute number. */
export const T0 = Date.UTC(2025, 2, 10, 14, 0) / 60_000;

export const DESCRIBE: ApiRef & { readOnly: boolean } = { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true };
export const PUT_PARAMETER: ApiRef & { readOnly: boolean } = { eventSource: 'ssm.amazonaws.com', eventName: 'PutParameter', readOnly: false };

export function logKey(endMinute: number, unique: string, scope: Scope = SCOPE): string {
  const iso = new Date(endMinute * 60_000).toISOString();
  const [y, mo, d, h, mi] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16)];
  return `AWSLogs/${scope.accountId}/CloudTrail/${scope.region}/${y}/${mo}/${d}/${scope.accountId}_CloudTrail_${scope.region}_${y}${mo}${d}T${h}${mi}Z_${unique}.json.gz`;
}

export function delivery(endMinute: number, unique: string, scope: Scope = SCOPE): { ref: ObjectRef; key: KeyClass } {
  const key = logKey(endMinute, unique, scope);
  return { ref: { bucket: BUCKET, key }, key: classifyKey(key) };
}

export interface CallSpec {
  readonly api: ApiRef & { readOnly: boolean };
  readonly callsPerMinute: number;
  readonly errorsPerMinute?: number;
  readonly arn?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
}

export function apiCall(minute: number, second: number, spec: CallSpec, failed: boolean): CloudTrailRecord {
  return {
    eventVersion: '1.11',
    eventTime: new Date(minute * 60_000 + second * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: spec.api.eventSource,
    eventName: spec.api.eventName,
    awsRegion: SCOPE.region,
    eventType: 'AwsApiCall',
    managementEvent: true,
    readOnly: spec.api.readOnly,
    userIdentity: { type: 'AssumedRole', arn: spec.arn ?? 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' },
    userAgent: spec.userAgent ?? 'aws-sdk-java/2.25.0',
    ...(failed ? { errorCode: spec.errorCode ?? 'Client.UnauthorizedOperation' } : {}),
  };
}

/** Exactly `callsPerMinute` calls each minute, the first `errorsPerMinute` of them failed. */
export function traffic(firstMinute: number, minutes: number, specs: readonly CallSpec[]): TrailRecord[] {
  const out: TrailRecord[] = [];
  for (let m = 0; m < minutes; m++) {
    for (const spec of specs) {
      for (let c = 0; c < spec.callsPerMinute; c++) {
        const record = apiCall(firstMinute + m, c % 60, spec, c < (spec.errorsPerMinute ?? 0));
        out.push({ text: JSON.stringify(record), record, bytes: 0, index: out.length });
      }
    }
  }
  return out;
}

export interface BaselineSpec {
  readonly api: ApiRef;
  readonly callsPerHour: number;
  readonly writesPerHour?: number;
  readonly errorsPerHour?: number;
  /** Hour-to-hour variation: hour i gets (1 + wobble × ((i % 3) - 1)) × the counts. */
  readonly wobble?: number;
}

/**
 * Writes full hours (60 minutes each) for the band of `hour` straight into the store: what
 * `days` days of deliveries would have left behind.
 */
export async function seedBaseline(store: BaselineStore, hour: number, days: number, specs: readonly BaselineSpec[], scope: Scope = SCOPE): Promise<void> {
  const band = bandFor(hour, 7, 1);
  const hours = band.hours.filter((h) => hour - h <= days * 24 + 1);
  const minutesOfHour = Array.from({ length: 60 }, (_, i) => i);
  const increments: HourIncrement[] = hours.map((h, i) => ({
    hour: h,
    minutesOfHour,
    apis: specs.map((s) => {
      const f = 1 + (s.wobble ?? 0) * ((i % 3) - 1);
      return {
        id: apiId(s.api),
        calls: Math.round(s.callsPerHour * f),
        writes: Math.round((s.writesPerHour ?? 0) * f),
        errors: Math.round((s.errorsPerHour ?? 0) * f),
        excluded: false,
        minutes: 60,
        errorCodes: (s.errorsPerHour ?? 0) > 0 ? [['Client.RequestLimitExceeded', Math.round((s.errorsPerHour ?? 0) * f)] as const] : [],
      };
    }),
  }));
  await store.record(scope, { deliveryId: `seed-${hour}-${days}`, increments, expiresAt: () => 0 });
}
