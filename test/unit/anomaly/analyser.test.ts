import { anomalyAnalysersFor } from '../../../lib/anomaly';
import { anomalyAnalyser, deliveryIdOf, type AnomalyRunResult } from '../../../lib/anomaly/analyser';
import { apiId } from '../../../lib/anomaly/api';
import { MemoryBaselineStore } from '../../../lib/anomaly/memory-store';
import { resolveAnomalyOptions } from '../../../lib/anomaly/options';
import type { BaselineStore } from '../../../lib/anomaly/store';
import { classifyKey } from '../../../lib/cloudtrail/classify';
import type { TrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { DESCRIBE, SCOPE, T0, delivery, seedBaseline, traffic, type CallSpec } from './support';

const HOUR = Math.floor(T0 / 60);
const NORMAL: CallSpec = { api: DESCRIBE, callsPerMinute: 20, errorsPerMinute: 0 };
const BURST: CallSpec = {
  api: DESCRIBE, callsPerMinute: 20, errorsPerMinute: 12,
  arn: 'arn:aws:sts::111122223333:assumed-role/broken-deploy/s1', userAgent: 'python-requests/2.31', errorCode: 'AccessDenied',
};

async function warmStore(days = 7): Promise<MemoryBaselineStore> {
  const store = new MemoryBaselineStore();
  // 20 calls/min, 2% errors
  await seedBaseline(store, HOUR, days, [{ api: DESCRIBE, callsPerHour: 1200, errorsPerHour: 24, wobble: 0.1 }]);
  return store;
}

async function run(
  store: BaselineStore,
  firstMinute: number,
  records: TrailRecord[],
  unique = `f${firstMinute}`,
  options = resolveAnomalyOptions(),
): Promise<{ findings: Finding[]; result: AnomalyRunResult | undefined }> {
  const { ref, key } = delivery(firstMinute + 5, unique);
  const analyser = anomalyAnalyser(store, ref, key, options);
  analyser.observe(records);
  const findings = await analyser.finish();
  return { findings, result: analyser.result };
}

describe('anomalyAnalyser', () => {
  it('says the baseline is cold and finds nothing before minHistoryDays of history, but keeps counting', async () => {
    // Prepare
    const store = await warmStore(2);
    let logged: AnomalyRunResult | undefined;
    const { ref, key } = delivery(T0 + 5, 'cold');
    const analyser = anomalyAnalyser(store, ref, key, resolveAnomalyOptions(), { onResult: (r) => (logged = r) });
    // Act
    analyser.observe(traffic(T0, 5, [BURST]));
    const findings = await analyser.finish();
    // Assess
    expect(findings).toEqual([]);
    expect(logged?.status).toBe('cold');
    expect(logged?.reason).toMatch(/baseline is cold: 2 of the 3 days/);
    expect(logged).toBe(analyser.result);
    const bucket = (await store.load(SCOPE, [HOUR])).buckets[0];
    expect(bucket?.counts(apiId(DESCRIBE))).toMatchObject({ calls: 100, errors: 60 });
  });

  it('emits one Insights-shaped Start, continues silently, then emits End with the same sharedEventID', async () => {
    // Prepare
    const store = await warmStore();
    // Act
    const start = await run(store, T0, traffic(T0, 5, [BURST]));
    const still = await run(store, T0 + 5, traffic(T0 + 5, 5, [BURST]));
    const end = await run(store, T0 + 10, traffic(T0 + 10, 5, [NORMAL]));
    // Assess: Start
    expect(start.result?.status).toBe('scored');
    expect(start.findings).toHaveLength(1);
    const f = start.findings[0] as Finding;
    const id = f.details?.sharedEventID as string;
    expect(f).toMatchObject({
      ruleId: 'anomaly-api-error-rate', source: 'anomaly', severity: 'MEDIUM',
      eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', accountId: SCOPE.accountId, region: SCOPE.region,
      eventTime: new Date(T0 * 60_000).toISOString().replace('.000Z', 'Z'),
      principal: { arn: BURST.arn }, errorCode: 'AccessDenied', count: 60, dedupKey: `anomaly:${id}:Start`,
      object: { bucket: 'trail-bucket' },
    });
    expect(f.title).toBe('Unusual error rate: ec2.amazonaws.com DescribeInstances at 12 errors/min (baseline 0.4/min)');
    const details = f.details as { insightContext: { statistics: unknown; attributions: unknown }; detector: unknown };
    expect(f.details).toMatchObject({ insightType: 'ApiErrorRateInsight', state: 'Start' });
    expect(details.insightContext.statistics).toEqual({ baseline: { average: expect.closeTo(0.4, 2) }, insight: { average: 12 }, insightDuration: 5, baselineDuration: 7 * 3 * 60 });
    expect(details.insightContext.attributions).toEqual([
      { attribute: 'userIdentityArn', insight: [{ value: BURST.arn, average: 20 }], baseline: [] },
      { attribute: 'userAgent', insight: [{ value: BURST.userAgent, average: 20 }], baseline: [] },
      { attribute: 'errorCode', insight: [{ value: 'AccessDenied', average: 12 }], baseline: [{ value: 'Client.RequestLimitExceeded', average: expect.closeTo(0.4, 2) }] },
    ]);
    expect(details.detector).toMatchObject({ method: 'beta-binomial', alpha: 1e-5, observed: 60 });
    // Assess: no re-alert while open
    expect(still.findings).toEqual([]);
    expect(still.result?.transitions).toMatchObject({ start: 0, continue: 1, end: 0 });
    // Assess: End
    expect(end.findings).toHaveLength(1);
    expect(end.findings[0]).toMatchObject({
      ruleId: 'anomaly-api-error-rate', severity: 'INFO', dedupKey: `anomaly:${id}:End`,
      details: { state: 'End', sharedEventID: id, insightContext: { statistics: { insightDuration: 10, insight: { average: 12 } } } },
    });
    expect(end.findings[0]?.title).toBe('Error rate back to baseline: ec2.amazonaws.com DescribeInstances after 10 min');
  });

  it('keeps an open anomaly out of the baseline', async () => {
    // Prepare
    const store = await warmStore();
    // Act
    await run(store, T0, traffic(T0, 5, [BURST]));
    const bucket = (await store.load(SCOPE, [HOUR])).buckets[0];
    // Assess
    expect(bucket?.minutes).toBe(5);
    expect(bucket?.counts(apiId(DESCRIBE))).toMatchObject({ calls: 0, errors: 0, excludedMinutes: 5 });
  });

  it('counts a repeated delivery once and re-emits its Start with the same dedupKey', async () => {
    // Prepare
    const store = await warmStore();
    const records = traffic(T0, 5, [BURST]);
    // Act
    const first = await run(store, T0, records, 'same-object');
    const repeat = await run(store, T0, records, 'same-object');
    // Assess
    expect(repeat.result?.recorded).toEqual({ applied: 0, duplicate: 1 });
    expect(repeat.findings.map((f) => f.dedupKey)).toEqual(first.findings.map((f) => f.dedupKey));
    expect((await store.load(SCOPE, [HOUR])).buckets[0]?.counts(apiId(DESCRIBE))?.excludedMinutes).toBe(5);
  });

  it('does not flag normal traffic against a warm baseline', async () => {
    // Prepare
    const store = await warmStore();
    // Act
    const { findings, result } = await run(store, T0, traffic(T0, 5, [{ api: DESCRIBE, callsPerMinute: 22, errorsPerMinute: 1 }]));
    // Assess
    expect(findings).toEqual([]);
    expect(result?.verdicts?.anomalous).toBe(0);
  });

  it('takes its severity from the options', async () => {
    // Prepare
    const store = await warmStore();
    // Act
    const { findings } = await run(store, T0, traffic(T0, 5, [BURST]), 'sev', resolveAnomalyOptions({ severity: 'HIGH' }));
    // Assess
    expect(findings[0]?.severity).toBe('HIGH');
  });

  it('skips files that are not log files, without touching the store', async () => {
    // Prepare
    const store = new MemoryBaselineStore();
    const key = 'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/10/111122223333_CloudTrail-Digest_eu-west-1_trail_eu-west-1_20250310T140000Z.json.gz';
    const analyser = anomalyAnalyser(store, { bucket: 'b', key }, classifyKey(key));
    // Act
    analyser.observe(traffic(T0, 1, [BURST]));
    const findings = await analyser.finish();
    // Assess
    expect(findings).toEqual([]);
    expect(analyser.result?.status).toBe('skipped');
    expect(store.calls).toEqual({ load: 0, record: 0, transition: 0 });
  });

  it('reports a store failure in its result instead of failing the delivery', async () => {
    // Prepare
    const store: BaselineStore = {
      load: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      record: () => Promise.reject(new Error('unreachable')),
      transition: () => Promise.reject(new Error('unreachable')),
    };
    // Act
    const { findings, result } = await run(store, T0, traffic(T0, 5, [BURST]));
    // Assess
    expect(findings).toEqual([]);
    expect(result?.status).toBe('failed');
    expect(result?.error?.reason).toBe('BaselineStoreFailed');
    expect(result?.reason).toMatch(/ProvisionedThroughputExceededException/);
  });

  it('still alerts a Start the store committed when the counter write failed, and reports the failure', async () => {
    // Prepare: the state transition commits, the per-hour counter write fails past the SDK's retries
    const memory = await warmStore();
    const store: BaselineStore = {
      load: (scope, hours) => memory.load(scope, hours),
      record: () => Promise.reject(new Error('InternalServerError: UpdateItem failed after 8 attempts')),
      transition: (scope, transition) => memory.transition(scope, transition),
    };
    // Act
    const { findings, result } = await run(store, T0, traffic(T0, 5, [BURST]));
    const next = await run(memory, T0 + 5, traffic(T0 + 5, 5, [BURST]));
    // Assess: the Start is alerted now (the next delivery only continues the open anomaly)
    expect(findings.map((f) => f.details?.state)).toEqual(['Start']);
    expect(result).toMatchObject({ status: 'failed', findings: 1, transitions: { start: 1, failed: 0 }, error: { reason: 'BaselineStoreFailed' } });
    expect(result?.reason).toMatch(/InternalServerError/);
    expect(next.findings).toEqual([]);
    expect(next.result?.transitions).toMatchObject({ start: 0, continue: 1 });
  });

  it('leaves a transition the store failed to be planned again by the next delivery', async () => {
    // Prepare: the Start's conditional write fails once
    const memory = await warmStore();
    let failures = 1;
    const store: BaselineStore = {
      load: (scope, hours) => memory.load(scope, hours),
      record: (scope, request) => memory.record(scope, request),
      transition: (scope, transition) =>
        failures-- > 0 ? Promise.reject(new Error('ProvisionedThroughputExceededException')) : memory.transition(scope, transition),
    };
    // Act
    const first = await run(store, T0, traffic(T0, 5, [BURST]));
    const second = await run(store, T0 + 5, traffic(T0 + 5, 5, [BURST]));
    // Assess
    expect(first.findings).toEqual([]);
    expect(first.result).toMatchObject({ status: 'failed', transitions: { start: 0, failed: 1 } });
    expect(second.findings.map((f) => f.details?.state)).toEqual(['Start']);
  });

  it('names a delivery by its object, so the same object always gets the same id', () => {
    // Act
    const a = deliveryIdOf({ bucket: 'b', key: 'k' });
    // Assess
    expect(deliveryIdOf({ bucket: 'b', key: 'k' })).toBe(a);
    expect(deliveryIdOf({ bucket: 'b', key: 'k', versionId: 'v2' })).not.toBe(a);
    expect(a).toHaveLength(12);
  });

  it('is chosen per file kind by anomalyAnalysersFor: anomalies for logs, Insights findings for Insights files', () => {
    // Prepare
    const analysersFor = anomalyAnalysersFor(new MemoryBaselineStore());
    const insightKey = 'AWSLogs/111122223333/CloudTrail-Insight/eu-west-1/2025/03/10/111122223333_CloudTrail-Insight_eu-west-1_20250310T1440Z_abc.json.gz';
    const digestKey = 'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/10/111122223333_CloudTrail-Digest_eu-west-1_trail_eu-west-1_20250310T140000Z.json.gz';
    const { ref, key } = delivery(T0 + 5, 'route');
    // Act
    const forLog = analysersFor(ref, key);
    const forInsight = analysersFor({ bucket: 'b', key: insightKey }, classifyKey(insightKey));
    const forDigest = analysersFor({ bucket: 'b', key: digestKey }, classifyKey(digestKey));
    // Assess
    expect(forLog).toHaveLength(1);
    expect('result' in (forLog[0] as object)).toBe(true);
    expect(forInsight).toHaveLength(1);
    expect('skipped' in (forInsight[0] as object)).toBe(true);
    expect(forDigest).toEqual([]);
  });
});
