/**
 * Finding storms (issue 9, items 1 and 5): deliveries with far more matches than a delivery
 * lists. Before the fix, 130,000 threshold findings or 300 Sigma rules × 500 findings
 * overflowed the stack (`push(...findings)`, RangeError) after every record was forwarded,
 * and 10,000 root sign-ins were notified as `x500` with `findingCount=500`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { gzipSync } from 'node:zlib';
import type { ObjectSource } from '../../lib/cloudtrail/source';
import type { CloudTrailRecord, ObjectRef } from '../../lib/cloudtrail/types';
import { FINDING_LIMITS, severityRank, type Finding } from '../../lib/findings';
import { DiscardingSink } from '../../lib/forward/sink';
import { ingestEvent, type IngestSummary } from '../../lib/ingest';
import { buildNotification, MemoryNotifier, notificationChannel, type Notification, type NotificationDocumentV1 } from '../../lib/notify';
import { processObject, type PipelineDeps } from '../../lib/pipeline';
import { buildRulePack, ruleAnalyser, type RulePack } from '../../lib/rules';
import type { MetricsLike } from '../../lib/telemetry';
import { BUILTIN_DIR, builtinRecord, ruleDoc } from './rules/helpers';
import { sigmaStormPack } from '../sigma-storm-pack';

const ACCOUNT = '111122223333';
const KEY = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/24/${ACCOUNT}_CloudTrail_us-east-1_20261124T0905Z_storm0123456789.json.gz`;
const REF: ObjectRef = { bucket: 'trail-bucket', key: KEY };

/** Serves one gzipped object from memory in 64 KB chunks. */
function memorySource(body: Buffer): ObjectSource {
  return {
    async open() {
      return {
        body: (async function* () {
          for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536);
        })(),
      };
    },
  };
}

/** A log file of `n` API calls, each from its own source IP. */
function apiCalls(n: number): Buffer {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    records.push({
      eventVersion: '1.11',
      eventTime: `2026-11-24T09:0${Math.floor(i / 60_000)}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}Z`,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      sourceIPAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      eventID: `e-${i}`,
      recipientAccountId: ACCOUNT,
    });
  }
  return gzipSync(JSON.stringify({ Records: records }), { level: 1 });
}

function pipeline(body: Buffer, pack: RulePack): PipelineDeps {
  return { source: memorySource(body), sink: new DiscardingSink(), logGroup: '/trailwatch/test', analysersFor: (r) => [ruleAnalyser(pack, r)] };
}

describe('a delivery with more findings than it lists', () => {
  it('one threshold rule grouped by source IP over a 130,000-record file: processed, 500 findings listed, 130,000 counted', async () => {
    // Prepare: every source IP is its own group, and a group of one reaches the count
    const pack = buildRulePack([
      {
        file: 'user/per-ip.yaml',
        text: stringify(ruleDoc('per-ip', { match: '{ $.eventName = "DescribeInstances" }', threshold: { count: 1, groupBy: 'sourceIPAddress' } })),
      },
    ]);

    // Act
    const report = await processObject(REF, pipeline(apiCalls(130_000), pack));

    // Assess
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('processed');
    expect(report.records).toMatchObject({ read: 130_000, forwarded: 130_000 });
    expect(report.findings).toHaveLength(FINDING_LIMITS.perRule);
    expect(report.findings.map((f) => f.details?.groupValue)).toEqual(Array.from({ length: 500 }, (_, i) => `10.0.${i >> 8}.${i & 255}`));
    expect(report.matched).toEqual({
      events: 130_000,
      findings: 130_000,
      listed: 500,
      notListed: { perRule: 129_500, perDelivery: 0 },
      rules: [{ ruleId: 'per-ip', source: 'rule', severity: 'HIGH', title: 'Root user signed in to the console', events: 130_000, findings: 130_000, listed: 500 }],
    });
  });

  it('300 Sigma rules over 10,000 records: processed, at most 2,000 findings listed, the most severe kept, every count true', async () => {
    // Prepare: 300 rules that each match every record: 2 critical, 98 medium, 200 low
    const levels = (i: number) => (i < 2 ? 'critical' : i < 100 ? 'medium' : 'low');
    const pack = sigmaStormPack(300, levels);
    expect(pack.rules).toHaveLength(300);

    // Act
    const report = await processObject(REF, pipeline(apiCalls(10_000), pack));

    // Assess
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('processed');
    expect(report.findings).toHaveLength(FINDING_LIMITS.perDelivery);
    const listed = (severity: Finding['severity']) => report.findings.filter((f) => f.severity === severity);
    // the critical rules keep all their 500; the other 1,000 places go round the medium rules
    expect(listed('CRITICAL')).toHaveLength(2 * FINDING_LIMITS.perRule);
    expect(listed('MEDIUM')).toHaveLength(1_000);
    expect(listed('LOW')).toHaveLength(0);
    const matched = report.matched!;
    expect(matched).toMatchObject({
      events: 3_000_000,
      findings: 3_000_000,
      listed: 2_000,
      notListed: { perRule: 300 * (10_000 - 500), perDelivery: 300 * 500 - 2_000 },
    });
    expect(matched.rules).toHaveLength(300);
    expect(matched.rules.every((r) => r.events === 10_000 && r.findings === 10_000)).toBe(true);
    expect(matched.rules.filter((r) => r.severity === 'MEDIUM').map((r) => r.listed)).toEqual(Array(98).fill(1_000 / 98 | 0).map((n, i) => (i < 1_000 % 98 ? n + 1 : n)));
    // most severe first, and never a less severe finding listed while a more severe one is not
    expect(matched.rules.map((r) => severityRank(r.severity))).toEqual([...matched.rules.map((r) => severityRank(r.severity))].sort((a, b) => b - a));
  });
});

describe('a finding storm notified (10,000 root console sign-ins in one file)', () => {
  // the built-in rule alone (root-account-usage matches the same records)
  const rootLogin = buildRulePack([{ file: 'rules/root-console-login.yaml', text: readFileSync(path.join(BUILTIN_DIR, 'root-console-login.yaml'), 'utf8') }]);

  function rootSignIns(n: number): Buffer {
    const sample = builtinRecord('root-console-login', 'match');
    const records: CloudTrailRecord[] = [];
    for (let i = 0; i < n; i++) records.push({ ...sample, eventID: `root-${i}`, eventTime: '2026-11-24T09:01:00Z' });
    return gzipSync(JSON.stringify({ Records: records }));
  }

  it('says 10,000 events matched and 500 listed in the subject, the text, the JSON document, the attributes, the summary and the log line', async () => {
    // Prepare
    const text = new MemoryNotifier();
    const json = new MemoryNotifier();
    const logged: Record<string, unknown>[] = [];
    const metrics: MetricsLike = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
    const log = (_message: string, ...extra: Record<string, unknown>[]) => void logged.push(...extra);
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: REF.bucket }, object: { key: KEY, size: 1 } } }] };

    // Act
    const summary = (await ingestEvent(event, {
      ...pipeline(rootSignIns(10_000), rootLogin),
      logger: { info: log, warn: log, error: log },
      metrics,
      channels: [
        notificationChannel('people', text, { logGroup: '/trailwatch/test', format: 'text', now: () => new Date('2026-11-24T09:10:00Z') }),
        notificationChannel('machines', json, { logGroup: '/trailwatch/test', format: 'json', now: () => new Date('2026-11-24T09:10:00Z') }),
      ],
    })) as IngestSummary;

    // Assess: the rule matched every sign-in; the delivery lists 500 of them
    const rule = 'root-console-login';
    expect(summary.objects).toEqual([expect.objectContaining({ status: 'processed', findings: 10_000, alerted: 500 })]);
    expect(logged.find((l) => l.key === KEY)).toMatchObject({ findings: { [rule]: 10_000 } });

    const [email] = text.published as [Notification];
    const [machine] = json.published as [Notification];
    for (const n of [email, machine]) {
      expect(n.subject).toMatch(/ x10,000 \(500 listed\) in 111122223333 us-east-1$/);
      expect(n.messageAttributes.matchedEvents).toEqual({ DataType: 'Number', StringValue: '10000' });
      expect(n.messageAttributes.findingCount).toEqual({ DataType: 'Number', StringValue: '500' });
    }
    expect(email.message).toContain(', 10,000 events matched in 10,000 findings, 500 listed in account 111122223333, region us-east-1\n');
    expect(email.message).toContain('Count:         10,000 events matched in 10,000 findings, 500 listed (1 principal, 1 source IP among them)\n');
    expect(email.message).toContain('Not listed: 9,500 findings (9,500 events) past the findings listed per rule and per delivery');

    const doc = JSON.parse(machine.message) as NotificationDocumentV1;
    expect(doc.summary).toMatchObject({ findingCount: 500, eventCount: 500, matched: { events: 10_000, findings: 10_000 } });
    expect(doc.findings[0]).toMatchObject({ ruleId: rule, findingCount: 500, matched: { events: 10_000, findings: 10_000 } });
    expect(doc.omitted).toMatchObject({ findings: 0, notListed: { findings: 9_500, events: 9_500 } });
    // the count no longer hides in an example's details
    expect(machine.message).not.toContain('notListed":9500');
  });

  it('buildNotification without `matched` (a report from before the counts) still reads as before', () => {
    // Prepare
    const finding = { ruleId: 'r', title: 'T', severity: 'HIGH', source: 'rule', object: REF, count: 1, dedupKey: 'r:1' } as const;
    const report = { ...emptyProcessed(), findings: [finding] };

    // Act
    const n = buildNotification(report, { logGroup: '/g', format: 'json', now: () => new Date(0) })!;

    // Assess
    expect(n.subject).toBe('[HIGH] T in 111122223333 us-east-1');
    expect(n.messageAttributes.matchedEvents?.StringValue).toBe('1');
    expect(JSON.parse(n.message)).toMatchObject({ summary: { findingCount: 1, matched: { events: 1, findings: 1 } }, omitted: { notListed: { findings: 0, events: 0 } } });
  });
});

function emptyProcessed() {
  return {
    object: REF,
    kind: 'log' as const,
    status: 'processed' as const,
    reason: 'CloudTrail log file',
    accountId: ACCOUNT,
    region: 'us-east-1',
    records: { read: 1, forwarded: 1, rejected: { tooOld: 0, tooNew: 0, expired: 0, tooLarge: 0 }, timestampFallback: 0 },
    bytes: { compressed: 1, decompressed: 1, forwarded: 1 },
    putLogEventsCalls: 1,
    durationMs: 1,
  };
}
