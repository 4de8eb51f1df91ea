import { insightAnalyser } from '../../../lib/anomaly/insight-analyser';
import { classifyKey } from '../../../lib/cloudtrail/classify';
import type { CloudTrailRecord, TrailRecord } from '../../../lib/cloudtrail/types';
import events from './fixtures/insight-events.json';

const KEY = 'AWSLogs/111122223333/CloudTrail-Insight/eu-west-1/2025/03/10/111122223333_CloudTrail-Insight_eu-west-1_20250310T1440Z_abc.json.gz';
const REF = { bucket: 'trail-bucket', key: KEY };

function wrap(records: readonly unknown[]): TrailRecord[] {
  return records.map((r, index) => ({ text: JSON.stringify(r), record: r as CloudTrailRecord, bytes: 0, index }));
}

describe('insightAnalyser', () => {
  it('turns real CloudTrail Insights Start and End events into findings of the anomaly shape', async () => {
    // Prepare
    const analyser = insightAnalyser(REF, classifyKey(KEY));
    // Act
    analyser.observe(wrap(events.Records));
    const findings = await analyser.finish();
    // Assess
    expect(findings).toHaveLength(2);
    const [start, end] = findings;
    expect(start).toMatchObject({
      ruleId: 'insight-api-error-rate', source: 'insight', severity: 'MEDIUM',
      title: 'CloudTrail Insights: Unusual error rate: iam.amazonaws.com AttachRolePolicy at 4 errors/min (baseline 0.000088/min)',
      eventID: 'f1c3e0a2-5b7d-4e8f-9a1b-2c3d4e5f6a7b', eventTime: '2025-03-10T14:21:00Z',
      eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', accountId: '111122223333', region: 'eu-west-1',
      principal: { arn: 'arn:aws:iam::111122223333:user/ci' }, userAgent: 'aws-cli/2.15.0', errorCode: 'AccessDenied',
      object: REF, count: 1, dedupKey: 'insight:6b4d2f1e-8a9c-4d3e-b2f1-0a9b8c7d6e5f:Start',
      details: {
        insightType: 'ApiErrorRateInsight', state: 'Start', sharedEventID: '6b4d2f1e-8a9c-4d3e-b2f1-0a9b8c7d6e5f',
        insightContext: { statistics: { baseline: { average: 0.0000882145 }, insight: { average: 4 }, insightDuration: 1, baselineDuration: 10080 } },
      },
    });
    const attributions = (start?.details?.insightContext as { attributions: unknown[] }).attributions;
    expect(attributions[2]).toEqual({
      attribute: 'errorCode', insight: [{ value: 'AccessDenied', average: 4 }], baseline: [{ value: 'null', average: 0.0000882145 }],
    });
    expect(end).toMatchObject({
      severity: 'INFO', dedupKey: 'insight:6b4d2f1e-8a9c-4d3e-b2f1-0a9b8c7d6e5f:End',
      title: 'CloudTrail Insights: Error rate back to baseline: iam.amazonaws.com AttachRolePolicy after 14 min',
    });
  });

  it('skips and counts Insights records it cannot use, and ignores other records', async () => {
    // Prepare
    const analyser = insightAnalyser(REF, undefined, { severity: 'HIGH' });
    const good = events.Records[0] as Record<string, unknown>;
    // Act
    analyser.observe(
      wrap([
        { ...good, insightDetails: { ...(good.insightDetails as object), state: 'Paused' } },
        { ...good, insightDetails: null },
        { ...good, sharedEventID: undefined, eventID: undefined },
        { eventType: 'AwsApiCall', eventName: 'AttachRolePolicy' },
        { ...good, insightDetails: { ...(good.insightDetails as object), insightContext: 'garbage' } },
      ]),
    );
    const findings = await analyser.finish();
    // Assess
    expect(analyser.skipped).toBe(3);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'HIGH',
      details: { insightContext: { statistics: { baseline: { average: 0 }, insight: { average: 0 }, insightDuration: 0, baselineDuration: 0 }, attributions: [] } },
    });
  });

  it('lists at most maxFindings per rule and counts the rest in its tallies, apart from the records it skipped', async () => {
    // Prepare: a crafted file of 1,200 Start events and one unusable record
    const analyser = insightAnalyser(REF, classifyKey(KEY), { maxFindings: 500 });
    const good = events.Records[0] as Record<string, unknown>;
    const many = Array.from({ length: 1_200 }, (_, i) => ({ ...good, eventID: `e-${i}`, sharedEventID: `s-${i}` }));
    // Act
    analyser.observe(wrap([...many, { ...good, insightDetails: null }]));
    const findings = await analyser.finish();
    // Assess
    expect(findings).toHaveLength(500);
    expect(analyser.skipped).toBe(1);
    expect(analyser.tallies()).toEqual([
      expect.objectContaining({ ruleId: 'insight-api-error-rate', source: 'insight', severity: 'MEDIUM', events: 1_200, findings: 1_200 }),
    ]);
  });

  it('names a future insight type generically instead of dropping it', async () => {
    // Prepare
    const analyser = insightAnalyser(REF);
    const good = events.Records[0] as Record<string, unknown>;
    // Act
    analyser.observe(wrap([{ ...good, insightDetails: { ...(good.insightDetails as object), insightType: 'ApiLatencyInsight' } }]));
    const findings = await analyser.finish();
    // Assess
    expect(findings[0]?.ruleId).toBe('insight-api-activity');
    expect(findings[0]?.details?.insightType).toBe('ApiLatencyInsight');
  });
});
