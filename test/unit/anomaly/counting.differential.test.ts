import fc from 'fast-check';
import { type CountingOptions, type DeliveryCounts, DEFAULT_COUNTING_OPTIONS, DeliveryCounter } from '../../../lib/anomaly/counting';
import type { CloudTrailRecord, TrailRecord } from '../../../lib/cloudtrail/types';
import { type ReferenceCounts, ReferenceCounter } from './reference-counter';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20261205, numRuns: 300 });

/** Monday 2025-03-10 14:00 UTC in ms. */
const T0 = Date.UTC(2025, 2, 10, 14, 0);
const MINUTE = 60_000;

/** An eventTime: mostly what CloudTrail writes near T0, some hours or days away, some other forms and some junk. */
const eventTime = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -90 * 60, max: 90 * 60 }).map((s) => iso(T0 + s * 1000)) },
  { weight: 2, arbitrary: fc.integer({ min: -14 * 24, max: 14 * 24 }).chain((h) => fc.integer({ min: 0, max: 3599 }).map((s) => iso(T0 + h * 3_600_000 + s * 1000))) },
  { weight: 1, arbitrary: fc.integer({ min: -3600, max: 3600 }).map((s) => new Date(T0 + s * 1000 + 123).toISOString()) },
  { weight: 1, arbitrary: fc.integer({ min: -3600, max: 3600 }).map((s) => iso(T0 + s * 1000 + 2 * 3_600_000).replace('Z', '+02:00')) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, '', 'yesterday', '2025', '2025-03-10', '1969-12-31T23:59:59Z', 1_741_615_200_000, '9999-12-31T23:59:59Z') },
);

const eventSource = fc.constantFrom<unknown>(
  'ec2.amazonaws.com', 'ec2.amazonaws.com', 's3.amazonaws.com', 'iam.amazonaws.com', 'signin.amazonaws.com',
  'custom.example.com', 'pipe|source.amazonaws.com', '', null, undefined, 42, 'x'.repeat(129),
);
const eventName = fc.constantFrom<unknown>('DescribeInstances', 'GetObject', 'ListUsers', 'ConsoleLogin', 'Put|Thing', 'A', '', null, 'y'.repeat(200));
const principal = fc.constantFrom<unknown>(
  undefined,
  null,
  { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
  { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob' },
  { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' },
  { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
  { type: 'Root', arn: '' },
  { arn: null },
  { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${'z'.repeat(300)}` },
);

const record: fc.Arbitrary<CloudTrailRecord> = fc.record(
  {
    eventType: fc.constantFrom<unknown>('AwsApiCall', 'AwsApiCall', 'AwsApiCall', 'AwsConsoleAction', 'AwsServiceEvent', undefined, null, 7),
    managementEvent: fc.constantFrom<unknown>(true, true, false, undefined),
    eventCategory: fc.constantFrom<unknown>('Management', 'Management', 'Data', undefined),
    eventSource,
    eventName,
    eventTime,
    readOnly: fc.constantFrom<unknown>(true, false, undefined, null),
    errorCode: fc.constantFrom<unknown>(undefined, undefined, undefined, '', 'AccessDenied', 'ThrottlingException', 'Client.UnauthorizedOperation', 'e'.repeat(300)),
    userIdentity: principal,
    userAgent: fc.constantFrom<unknown>('aws-cli/2.15.0', 'console.amazonaws.com', 'Boto3/1.34.0', 'curl/8', '', undefined, 'u'.repeat(400)),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<CloudTrailRecord>;

const options: fc.Arbitrary<CountingOptions> = fc.record({
  maxApis: fc.integer({ min: 1, max: 12 }),
  topKCapacity: fc.integer({ min: 1, max: 4 }),
  managementOnly: fc.boolean(),
  maxHours: fc.integer({ min: 1, max: 4 }),
  maxGapMinutes: fc.integer({ min: 0, max: 15 }),
});

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Both results as plain data: per-minute counts in minute order, each top-k in full. */
function plain(result: DeliveryCounts | ReferenceCounts, capacity: number) {
  return {
    apis: [...result.apis.values()].map((a) => ({
      id: a.id,
      eventSource: a.eventSource,
      eventName: a.eventName,
      calls: a.calls,
      writes: a.writes,
      errors: a.errors,
      byMinute: [...a.byMinute].sort((x, y) => x[0] - y[0]),
      userIdentityArn: [a.userIdentityArn.top(capacity), a.userIdentityArn.observed],
      userAgent: [a.userAgent.top(capacity), a.userAgent.observed],
      errorCode: [a.errorCode.top(capacity), a.errorCode.observed],
    })),
    coveredMinutes: result.coveredMinutes,
    counted: result.counted,
    skipped: result.skipped,
  };
}

describe('DeliveryCounter against the straightforward reference counter', () => {
  it('gives the same counts, minutes, attributions and skip reasons on random records', () => {
    fc.assert(
      fc.property(options, fc.array(record, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 50 }), (opts, records, groupSize) => {
        // Prepare
        const wrapped: TrailRecord[] = records.map((r, index) => ({ text: '', record: r, bytes: 0, index }));
        const counter = new DeliveryCounter(opts);
        const reference = new ReferenceCounter(opts);
        // Act: the same records, in groups as the pipeline hands them over
        for (let i = 0; i < wrapped.length; i += groupSize) counter.observe(wrapped.slice(i, i + groupSize));
        reference.observe(wrapped);
        // Assess
        expect(plain(counter.result(), opts.topKCapacity)).toEqual(plain(reference.result(), opts.topKCapacity));
      }),
    );
  });

  it('counts records of many hours far from the first one (the log of records outside the window)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20 * 24 * 60, max: 20 * 24 * 60 }), { minLength: 4500, maxLength: 6000 }), (minutes) => {
        // Prepare: more records outside the first hour's window than one log block holds
        const opts: CountingOptions = { maxApis: 500, topKCapacity: 4, managementOnly: true, maxHours: 3, maxGapMinutes: 10 };
        const wrapped: TrailRecord[] = minutes.map((m, index) => ({
          text: '',
          record: { eventType: 'AwsApiCall', eventSource: 'ec2.amazonaws.com', eventName: m % 2 === 0 ? 'A' : 'B', eventTime: iso(T0 + m * MINUTE), readOnly: m % 3 === 0, errorCode: m % 5 === 0 ? 'X' : undefined },
          bytes: 0,
          index,
        }));
        const counter = new DeliveryCounter(opts);
        const reference = new ReferenceCounter(opts);
        // Act
        counter.observe(wrapped);
        reference.observe(wrapped);
        // Assess
        expect(plain(counter.result(), 4)).toEqual(plain(reference.result(), 4));
      }),
      // no shrinking of thousands of records: the first counter-example is reported as is
      { numRuns: 5, endOnFailure: true },
    );
  });

  it('gives the same result when asked twice', () => {
    // Prepare
    const counter = new DeliveryCounter({ ...DEFAULT_COUNTING_OPTIONS, maxHours: 1 });
    counter.add({ eventType: 'AwsApiCall', eventSource: 'ec2.amazonaws.com', eventName: 'A', eventTime: iso(T0) });
    counter.add({ eventType: 'AwsApiCall', eventSource: 'ec2.amazonaws.com', eventName: 'A', eventTime: iso(T0 - 10 * 3_600_000) });
    // Act
    const first = plain(counter.result(), 16);
    const second = plain(counter.result(), 16);
    // Assess
    expect(second).toEqual(first);
    expect(first.skipped.late).toBe(1);
  });
});
