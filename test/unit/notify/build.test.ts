import { SEVERITIES, severityRank, type Finding } from '../../../lib/findings';
import {
  ATTRIBUTE,
  buildNotification,
  MAX_RULE_IDS,
  publishBytes,
  SNS_MAX_MESSAGE_BYTES,
  type Notification,
  type NotificationDocumentV1,
  type NotifyOptions,
} from '../../../lib/notify';
import { DeliveryFindings } from '../../../lib/delivery-findings';
import type { DeliveryReport } from '../../../lib/report';
import { ACCOUNT, finding, LOG_GROUP, NOW, processedReport, REGION } from '../../fixtures/notify/scenarios';

const options: NotifyOptions = { logGroup: LOG_GROUP, now: () => NOW };
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!(aws|amazon)\.)[A-Za-z0-9_.-]{1,256}$/i;

function build(report: DeliveryReport, extra: Partial<NotifyOptions> = {}): Notification {
  const notification = buildNotification(report, { ...options, ...extra });
  if (!notification) throw new Error('expected a notification');
  return notification;
}

function documentOf(notification: Notification): NotificationDocumentV1 {
  return JSON.parse(notification.message) as NotificationDocumentV1;
}

function many(count: number, make: (i: number) => Partial<Finding>): Finding[] {
  return Array.from({ length: count }, (_, i) => finding({ dedupKey: `k${i}`, ...make(i) }));
}

describe('when there is something to send', () => {
  it('sends nothing for a delivery without findings', () => {
    // Prepare
    const report = processedReport([]);

    // Act
    const notification = buildNotification(report, options);

    // Assess
    expect(notification).toBeUndefined();
  });

  it('sends nothing for a skipped object, even with always', () => {
    // Prepare
    const report = processedReport([], { status: 'skipped', reason: 'digest file' });

    // Act
    const notification = buildNotification(report, { ...options, always: true });

    // Assess
    expect(notification).toBeUndefined();
  });

  it('with always, reports a clean delivery with severity NONE and no rule ids', () => {
    // Prepare
    const report = processedReport([]);

    // Act
    const notification = build(report, { always: true });

    // Assess
    expect(notification.subject).toBe(`[OK] No findings, 1,234 records in ${ACCOUNT} ${REGION}`);
    expect(notification.messageAttributes[ATTRIBUTE.severity]?.StringValue).toBe('NONE');
    expect(notification.messageAttributes[ATTRIBUTE.severityRank]?.StringValue).toBe('-1');
    expect(notification.messageAttributes[ATTRIBUTE.findingCount]?.StringValue).toBe('0');
    expect(notification.messageAttributes[ATTRIBUTE.ruleIds]).toBeUndefined();
    expect(documentOf(notification).findings).toEqual([]);
  });

  it('with always, reports a failed delivery with its reason', () => {
    // Prepare
    const report = processedReport([], { status: 'failed', error: { reason: 'CorruptGzip', message: 'incorrect header check' } });

    // Act
    const notification = build(report, { always: true });

    // Assess
    expect(notification.subject).toBe(`[FAILED] Delivery not processed (CorruptGzip) in ${ACCOUNT} ${REGION}`);
    expect(documentOf(notification).delivery.error).toEqual({ reason: 'CorruptGzip', message: 'incorrect header check' });
  });

  it('leaves out findings below minSeverity and counts them', () => {
    // Prepare
    const report = processedReport([
      finding({ ruleId: 'low', severity: 'LOW', dedupKey: 'a' }),
      finding({ ruleId: 'high', severity: 'HIGH', dedupKey: 'b' }),
      finding({ ruleId: 'info', severity: 'INFO', dedupKey: 'c' }),
    ]);

    // Act
    const doc = documentOf(build(report, { minSeverity: 'MEDIUM' }));

    // Assess
    expect(doc.findings.map((entry) => entry.ruleId)).toEqual(['high']);
    expect(doc.omitted.belowMinSeverity).toBe(2);
    expect(doc.summary.findingCount).toBe(1);
  });

  it('sends nothing when every finding is below minSeverity', () => {
    // Prepare
    const report = processedReport([finding({ severity: 'LOW' })]);

    // Act
    const notification = buildNotification(report, { ...options, minSeverity: 'HIGH' });

    // Assess
    expect(notification).toBeUndefined();
  });
});

describe('order and aggregation', () => {
  it('puts the most severe rule first whatever the input order, then the most events, then the rule id', () => {
    // Prepare
    const report = processedReport([
      finding({ ruleId: 'b-medium', severity: 'MEDIUM', dedupKey: '1' }),
      finding({ ruleId: 'z-high', severity: 'HIGH', dedupKey: '2' }),
      finding({ ruleId: 'info', severity: 'INFO', dedupKey: '3' }),
      finding({ ruleId: 'a-high', severity: 'HIGH', dedupKey: '4' }),
      finding({ ruleId: 'busy-high', severity: 'HIGH', count: 7, dedupKey: '5' }),
      finding({ ruleId: 'critical', severity: 'CRITICAL', dedupKey: '6' }),
    ]);

    // Act
    const doc = documentOf(build(report));

    // Assess
    expect(doc.findings.map((entry) => entry.ruleId)).toEqual(['critical', 'busy-high', 'a-high', 'z-high', 'b-medium', 'info']);
    expect(doc.summary.highestSeverity).toBe('CRITICAL');
    expect(Object.keys(doc.summary.bySeverity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'INFO']);
  });

  it('aggregates 500 repeats of one rule into one entry with counts and three examples', () => {
    // Prepare
    const findings = many(500, (i) => ({
      ruleId: 'access-denied',
      severity: 'MEDIUM',
      errorCode: 'AccessDenied',
      eventTime: new Date(Date.UTC(2026, 0, 15, 11, 0, i % 60, i)).toISOString(),
      principal: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/u${i % 4}` },
      count: i === 0 ? 10 : 1,
    }));

    // Act
    const doc = documentOf(build(processedReport(findings)));

    // Assess
    expect(doc.findings).toHaveLength(1);
    const entry = doc.findings[0]!;
    expect(entry).toMatchObject({ findingCount: 500, eventCount: 509, distinctPrincipals: 4, omittedExamples: 497 });
    expect(entry.examples).toHaveLength(3);
    // distinct callers first: three different principals among the examples
    expect(new Set(entry.examples.map((example) => example.principal?.arn)).size).toBe(3);
    expect(entry.firstSeen).toBe(findings[0]!.eventTime);
  });

  it('shows examples in time order', () => {
    // Prepare
    const report = processedReport([
      finding({ eventID: 'c', eventTime: '2026-01-15T11:03:00Z', sourceIPAddress: '192.0.2.3', dedupKey: '1' }),
      finding({ eventID: 'a', eventTime: '2026-01-15T11:01:00Z', sourceIPAddress: '192.0.2.1', dedupKey: '2' }),
      finding({ eventID: 'b', eventTime: '2026-01-15T11:02:00Z', sourceIPAddress: '192.0.2.2', dedupKey: '3' }),
    ]);

    // Act
    const doc = documentOf(build(report));

    // Assess
    expect(doc.findings[0]!.examples.map((example) => example.eventID)).toEqual(['a', 'b', 'c']);
    expect(doc.findings[0]).toMatchObject({ firstSeen: '2026-01-15T11:01:00Z', lastSeen: '2026-01-15T11:03:00Z' });
  });
});

describe('subject', () => {
  it('names the highest severity, the top rule, the place and how many more', () => {
    // Prepare
    const report = processedReport([
      finding({ title: 'Root console login', dedupKey: '1' }),
      ...many(3, () => ({ ruleId: 'other', severity: 'LOW' })),
    ]);

    // Act
    const { subject } = build(report);

    // Assess
    expect(subject).toBe(`[CRITICAL] Root console login in ${ACCOUNT} ${REGION} (+3 more)`);
  });

  it('says how many events the top rule stands for', () => {
    // Prepare
    const report = processedReport(many(2, () => ({ title: 'Root console login', count: 2 })));

    // Act
    const { subject } = build(report);

    // Assess
    expect(subject).toBe(`[CRITICAL] Root console login x4 in ${ACCOUNT} ${REGION}`);
  });

  it('says how many events the top rule matched and how many are listed when it matched more than the delivery lists', () => {
    // Prepare: 3 listed of 10,000 matched, and another rule with 40 matched
    const collected = new DeliveryFindings({ perRule: 3, perDelivery: 100 });
    const signIns = many(3, () => ({ title: 'Root console login' }));
    collected.add(signIns, [{ ...signIns[0]!, events: 10_000, findings: 10_000 }]);
    collected.add(many(40, (i) => ({ ruleId: 'other', severity: 'LOW', dedupKey: `o${i}` })));
    const report = processedReport([], collected.result());

    // Act
    const { subject } = build(report);

    // Assess
    expect(subject).toBe(`[CRITICAL] Root console login x10,000 (3 listed) in ${ACCOUNT} ${REGION} (+40 more)`);
  });

  it('cuts a long title at a grapheme boundary and keeps the severity, place and count', () => {
    // Prepare
    const family = '👨‍👩‍👧‍👦';
    const report = processedReport([
      finding({ title: `Alert ${family.repeat(40)}`, dedupKey: '1' }),
      finding({ ruleId: 'x', severity: 'LOW', dedupKey: '2' }),
    ]);

    // Act
    const { subject } = build(report);

    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject.startsWith('[CRITICAL] Alert ')).toBe(true);
    expect(subject.endsWith(`… in ${ACCOUNT} ${REGION} (+1 more)`)).toBe(true);
    const title = subject.slice('[CRITICAL] Alert '.length, subject.indexOf('…'));
    expect(title).toBe(family.repeat(title.length / family.length));
  });

  it('has no line breaks or control characters whatever the title, account and region say', () => {
    // Prepare
    const report = processedReport([finding({ title: 'Evil\r\nBcc: x@example.com\u0007\u202E' })], {
      accountId: '1111\n2222',
      region: `us-east-1${'\u0085'.repeat(50)}`,
    });

    // Act
    const { subject } = build(report);

    // Assess
    // eslint-disable-next-line no-control-regex -- control characters are what the test looks for
    expect(subject).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toContain('Evil\\u000D\\u000ABcc');
  });
});

describe('true counts (report.matched)', () => {
  /** 2 CRITICAL findings listed, 20 LOW ones of another rule all cut by the per-delivery limit of 2. */
  function cutReport(): DeliveryReport {
    const collected = new DeliveryFindings({ perRule: 500, perDelivery: 2 });
    collected.add([...many(20, (i) => ({ ruleId: 'quiet', title: 'Quiet rule', severity: 'LOW', dedupKey: `q${i}` })), ...many(2, () => ({}))]);
    return processedReport([], collected.result());
  }

  it('give a rule the per-delivery limit left without findings an entry with its counts and no examples', () => {
    // Act
    const n = build(cutReport());
    const text = build(cutReport(), { format: 'text' });

    // Assess
    const doc = documentOf(n);
    expect(doc.summary).toMatchObject({ findingCount: 2, matched: { events: 22, findings: 22 }, ruleCount: 2 });
    expect(doc.findings[1]).toMatchObject({ ruleId: 'quiet', title: 'Quiet rule', severity: 'LOW', findingCount: 0, eventCount: 0, matched: { events: 20, findings: 20 }, examples: [], omittedExamples: 0 });
    expect(doc.omitted.notListed).toEqual({ findings: 20, events: 20 });
    expect(n.messageAttributes.matchedEvents?.StringValue).toBe('22');
    expect(text.message).toContain('[2] LOW  Quiet rule\n    Rule:          quiet (rule)\n    Count:         20 events matched in 20 findings, none listed\n');
  });

  it('leave out the matched counts below minSeverity', () => {
    // Act
    const doc = documentOf(build(cutReport(), { minSeverity: 'MEDIUM' }));

    // Assess
    expect(doc.summary).toMatchObject({ findingCount: 2, matched: { events: 2, findings: 2 }, ruleCount: 1 });
    expect(doc.omitted.notListed).toEqual({ findings: 0, events: 0 });
  });
});

describe('message attributes', () => {
  it('are at most 10, with valid names and well-formed values', () => {
    // Prepare
    const report = processedReport([finding(), finding({ ruleId: 'anomaly-x', source: 'anomaly', severity: 'HIGH', dedupKey: 'z' })]);

    // Act
    const { messageAttributes } = build(report);

    // Assess
    const names = Object.keys(messageAttributes);
    expect(names.length).toBeLessThanOrEqual(10);
    expect(names.sort()).toEqual(Object.values(ATTRIBUTE).sort());
    for (const name of names) expect(name).toMatch(ATTRIBUTE_NAME);
    for (const value of Object.values(messageAttributes)) {
      expect(value.StringValue).not.toBe('');
      if (value.DataType === 'Number') expect(Number.isFinite(Number(value.StringValue))).toBe(true);
      if (value.DataType === 'String.Array') expect(Array.isArray(JSON.parse(value.StringValue))).toBe(true);
    }
    expect(messageAttributes).toMatchObject({
      severity: { DataType: 'String', StringValue: 'CRITICAL' },
      severityRank: { DataType: 'Number', StringValue: '4' },
      ruleIds: { DataType: 'String.Array', StringValue: '["cis-3.3-root-account-usage","anomaly-x"]' },
      sources: { DataType: 'String.Array', StringValue: '["rule","anomaly"]' },
      accountId: { DataType: 'String', StringValue: ACCOUNT },
      region: { DataType: 'String', StringValue: REGION },
      findingCount: { DataType: 'Number', StringValue: '2' },
      matchedEvents: { DataType: 'Number', StringValue: '2' },
      schemaVersion: { DataType: 'Number', StringValue: '1' },
      format: { DataType: 'String', StringValue: 'json' },
    });
  });

  it.each(SEVERITIES.map((severity) => [severity]))('ranks %s for numeric filter policies', (severity) => {
    // Prepare
    const report = processedReport([finding({ severity })]);

    // Act
    const { messageAttributes } = build(report);

    // Assess
    expect(messageAttributes.severityRank).toEqual({ DataType: 'Number', StringValue: String(severityRank(severity)) });
  });

  it('bounds the rule id list', () => {
    // Prepare
    const report = processedReport(many(MAX_RULE_IDS + 20, (i) => ({ ruleId: `rule-${String(i).padStart(3, '0')}` })));

    // Act
    const { messageAttributes } = build(report);

    // Assess
    const ids = JSON.parse(messageAttributes.ruleIds!.StringValue) as string[];
    expect(ids).toHaveLength(MAX_RULE_IDS);
    expect(messageAttributes.findingCount?.StringValue).toBe(String(MAX_RULE_IDS + 20));
  });

  it('leaves out an unknown account or region instead of sending an empty value', () => {
    // Prepare
    const report = processedReport([finding()], { accountId: undefined, region: '' });

    // Act
    const { messageAttributes, subject } = build(report);

    // Assess
    expect(messageAttributes.accountId).toBeUndefined();
    expect(messageAttributes.region).toBeUndefined();
    expect(subject).toBe('[CRITICAL] Root account used to sign in to the console');
  });

  it('marks the rendering in the format attribute', () => {
    // Prepare
    const report = processedReport([finding()]);

    // Act
    const text = build(report, { format: 'text' });

    // Assess
    expect(text.messageAttributes.format).toEqual({ DataType: 'String', StringValue: 'text' });
    expect(text.message.startsWith('trailwatch: CRITICAL, 1 finding (1 event)')).toBe(true);
  });
});

describe('size', () => {
  /** Rules of descending severity, three findings each, every one with large (capped) fields: ~7 KB per rule. */
  function heavyReport(rules = 20): DeliveryReport {
    return processedReport(
      many(rules * 3, (i) => ({
        ruleId: `rule-${String(i % rules).padStart(2, '0')}`,
        severity: SEVERITIES[4 - Math.floor(((i % rules) * 5) / rules)],
        userAgent: `agent-${i}-${'é'.repeat(2_000)}`,
        principal: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/${'n'.repeat(2_000)}${i}` },
        details: { blob: 'x'.repeat(5_000) },
      })),
    );
  }

  it.each([['json'], ['text']] as const)('at the byte boundary (%s): exactly fitting is kept whole, one byte less costs the least severe rule its extra examples', (format) => {
    // Prepare
    const report = heavyReport();
    const whole = build(report, { format });
    const size = publishBytes(whole);
    expect(size).toBeLessThan(SNS_MAX_MESSAGE_BYTES);

    // Act
    const atLimit = build(report, { format, maxBytes: size });
    const belowLimit = build(report, { format, maxBytes: size - 1 });

    // Assess
    expect(atLimit).toEqual(whole);
    expect(publishBytes(belowLimit)).toBeLessThanOrEqual(size - 1);
    if (format === 'json') {
      const before = documentOf(whole);
      const after = documentOf(belowLimit);
      expect(after.findings.map((entry) => entry.ruleId)).toEqual(before.findings.map((entry) => entry.ruleId));
      expect(after.findings.map((entry) => entry.examples.length)).toEqual([...Array(19).fill(3), 1]);
      expect(after.findings[19]).toMatchObject({ severity: 'INFO', omittedExamples: 2 });
      expect(after.omitted.findings).toBe(0);
    } else {
      expect(whole.message).toContain('Example 3 of 3');
      expect(belowLimit.message.match(/Example 1 of 1 \(2 more not shown\)/g)).toHaveLength(1);
      expect(belowLimit.message).not.toContain('Not shown to stay under the SNS size limit');
    }
  });

  it.each([['json'], ['text']] as const)('when rules must go (%s): the least severe go first, and one byte less than a fit drops more', (format) => {
    // Prepare
    const report = heavyReport();
    const trimmed = build(report, { format, maxBytes: 30_000 });
    const size = publishBytes(trimmed);

    // Act
    const atLimit = build(report, { format, maxBytes: size });
    const belowLimit = build(report, { format, maxBytes: size - 1 });

    // Assess
    expect(atLimit).toEqual(trimmed);
    expect(publishBytes(belowLimit)).toBeLessThanOrEqual(size - 1);
    expect(belowLimit.message).not.toEqual(trimmed.message);
    if (format === 'json') {
      const doc = documentOf(trimmed);
      const all = documentOf(build(report)).findings.map((entry) => entry.ruleId);
      expect(doc.findings.map((entry) => entry.ruleId)).toEqual(all.slice(0, doc.findings.length));
      expect(doc.omitted.rules).toBe(20 - doc.findings.length);
      expect(doc.omitted.findings).toBe(3 * doc.omitted.rules);
    } else {
      expect(trimmed.message).toMatch(/Not shown to stay under the SNS size limit: \d+ findings \(\d+ events\) of \d+ rules: /);
    }
  });

  it('keeps the most severe entries and accounts for every finding it leaves out', () => {
    // Prepare
    const report = heavyReport();

    // Act
    const doc = documentOf(build(report, { maxBytes: 30_000 }));

    // Assess
    const shown = doc.findings.reduce((sum, entry) => sum + entry.findingCount, 0);
    expect(shown + doc.omitted.findings).toBe(report.findings.length);
    expect(doc.omitted.rules).toBeGreaterThan(0);
    const ranks = doc.findings.map((entry) => severityRank(entry.severity));
    const omittedRanks = Object.keys(doc.omitted.bySeverity).map((s) => severityRank(s as Finding['severity']));
    expect(Math.min(...ranks)).toBeGreaterThanOrEqual(Math.max(...omittedRanks));
    expect(doc.summary.findingCount).toBe(report.findings.length);
  });

  it('is deterministic', () => {
    // Prepare
    const report = heavyReport();

    // Act
    const first = build(report, { maxBytes: 50_000 });
    const second = build(report, { maxBytes: 50_000 });

    // Assess
    expect(second).toEqual(first);
  });

  it.each([['json'], ['text']] as const)('stays under 262,144 bytes for hundreds of rules with maximal fields (%s)', (format) => {
    // Prepare
    const report = heavyReport(300);

    // Act
    const notification = build(report, { format });

    // Assess
    expect(publishBytes(notification)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(publishBytes(notification)).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES - 30_000);
  });

  it('reduces the examples of the one remaining rule before giving up on it', () => {
    // Prepare
    const report = heavyReport(1);
    const oneExample = build(report, { maxBytes: 1_000_000 });

    // Act
    const squeezed = build(report, { maxBytes: publishBytes(oneExample) - 1 });

    // Assess
    const doc = documentOf(squeezed);
    expect(doc.findings).toHaveLength(1);
    expect(doc.findings[0]!.examples.length).toBeLessThan(3);
    expect(doc.findings[0]!.omittedExamples).toBe(3 - doc.findings[0]!.examples.length);
  });

  it('refuses a budget too small for the delivery summary', () => {
    // Prepare
    const report = processedReport([finding()]);

    // Act
    const act = (): unknown => buildNotification(report, { ...options, maxBytes: 500 });

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('JSON message', () => {
  it('is schema version 1 and writes <, > and & as \\u escapes that parse back to the same text', () => {
    // Prepare
    const report = processedReport([finding({ userAgent: '<b>bold</b> & co' })]);

    // Act
    const { message } = build(report);

    // Assess
    expect(message).not.toMatch(/[<>&]/);
    expect(message).toContain('\\u003cb\\u003ebold\\u003c/b\\u003e \\u0026 co');
    const doc = documentOf({ message } as Notification);
    expect(doc).toMatchObject({ schemaVersion: 1, type: 'trailwatch.delivery', generatedAt: NOW.toISOString() });
    expect(doc.findings[0]!.examples[0]!.userAgent).toBe('<b>bold</b> & co');
  });

  it('points to the delivery in CloudWatch Logs Insights and the event in CloudTrail', () => {
    // Prepare
    const report = processedReport([finding()]);

    // Act
    const doc = documentOf(build(report, { consoleRegion: 'eu-west-1' }));

    // Assess
    expect(doc.links.logsInsights).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:logs-insights/);
    expect(doc.links.logsInsightsQuery).toContain(`| filter @logStream = "${ACCOUNT}_CloudTrail_${REGION}"`);
    expect(doc.links.timeRange).toEqual({ start: '2026-01-15T11:53:00.000Z', end: '2026-01-15T12:04:00.000Z' });
    expect(doc.findings[0]!.examples[0]!.links?.cloudTrailEventHistory).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/6f1d3a52-8c1e-4a3b-9d55-2b7e0c4d9a10',
    );
  });

  it('never sets MessageStructure', () => {
    // Prepare
    const report = processedReport([finding()]);

    // Act
    const notification = build(report);

    // Assess
    expect(notification.messageStructure).toBeUndefined();
  });
});
