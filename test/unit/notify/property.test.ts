import fc from 'fast-check';
import { DeliveryFindings } from '../../../lib/delivery-findings';
import { eventsOf, ruleKeyOf, SEVERITIES, type Finding, type RuleTally } from '../../../lib/findings';
import { buildNotification, publishBytes, type Notification, type NotificationDocumentV1 } from '../../../lib/notify';
import { EXAMPLE_FIELD_CHARS, PRINCIPAL_FIELD_CHARS } from '../../../lib/notify/document';
import { sanitize } from '../../../lib/notify/sanitize';
import { emptyReport, type DeliveryReport } from '../../../lib/report';
import { LOG_GROUP, NOW } from '../../fixtures/notify/scenarios';

/** Characters an attacker reaches for, mixed into otherwise arbitrary Unicode. */
const HOSTILE = [
  '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\u202A', '\u202E', '\u2066', '\u2069',
  '\u200B', '\u200F', '\uFEFF', '\u{E0041}', '"', '\\', '<', '>', '&', '{', '}', '://', 'www.', '👨‍👩‍👧', '🇫🇷', 'م', 'ש', '\u0301',
];
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const unit = fc.oneof(fc.constantFrom(...HOSTILE), loneSurrogate, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  // over the 512-character cap: a hostile snippet repeated (cheaper to generate than 600 random units)
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit, minLength: 1, maxLength: 12 }), fc.integer({ min: 500, max: 700 }))
      .map(([snippet, length]) => snippet.repeat(Math.ceil(length / snippet.length))),
  },
);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const findingArb: fc.Arbitrary<Finding> = fc.record({
  ruleId: fc.oneof(fc.constantFrom('rule-a', 'rule-b', 'rule-c'), text),
  title: text,
  severity: fc.constantFrom(...SEVERITIES),
  source: fc.constantFrom('rule', 'sigma', 'anomaly', 'insight'),
  description: maybe(text),
  runbook: maybe(text),
  references: maybe(fc.array(text, { maxLength: 7 })),
  eventID: maybe(fc.oneof(fc.uuid(), text)),
  eventTime: maybe(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text)),
  eventName: maybe(text),
  eventSource: maybe(text),
  accountId: maybe(text),
  region: maybe(fc.oneof(fc.constantFrom('us-east-1', 'eu-west-1'), text)),
  principal: maybe(fc.record({ type: maybe(text), arn: maybe(text), userName: maybe(text), accountId: maybe(text) })),
  sourceIPAddress: maybe(text),
  userAgent: maybe(text),
  errorCode: maybe(text),
  object: fc.record({ bucket: text, key: text }),
  count: fc.integer({ min: -1, max: 1_000 }),
  dedupKey: text,
  details: maybe(fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 5 })),
});

const reportArb: fc.Arbitrary<DeliveryReport> = fc
  .record({
    bucket: text,
    key: text,
    versionId: maybe(text),
    accountId: maybe(text),
    region: maybe(text),
    logStream: maybe(text),
    findings: fc.array(findingArb, { minLength: 1, maxLength: 12 }),
    // a storm: each rule matched `extra` more than it lists, and a per-delivery cap that may leave rules without findings
    storm: maybe(fc.record({ extra: fc.nat({ max: 100_000 }), perDelivery: fc.integer({ min: 1, max: 12 }) })),
  })
  .map((r) => {
    const report = emptyReport({ bucket: r.bucket, key: r.key, versionId: r.versionId }, 'log', 'log file');
    const base = { ...report, status: 'processed' as const, accountId: r.accountId, region: r.region, logStream: r.logStream, findings: r.findings };
    if (r.storm === undefined) return base;
    const tallies = new Map<string, RuleTally>();
    for (const f of r.findings) {
      const t = tallies.get(ruleKeyOf(f)) ?? { ruleId: f.ruleId, source: f.source, severity: f.severity, title: f.title, events: r.storm.extra, findings: r.storm.extra };
      tallies.set(ruleKeyOf(f), { ...t, events: t.events + eventsOf(f), findings: t.findings + 1 });
    }
    const collected = new DeliveryFindings({ perRule: 500, perDelivery: r.storm.perDelivery });
    collected.add(r.findings, [...tallies.values()]);
    return { ...base, ...collected.result() };
  });

/** Control characters, line breaks and invisible/bidi formatting: none may reach a rendering. */
// eslint-disable-next-line no-control-regex -- control characters are what the test looks for
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFFF9-\uFFFB\uFFFE\uFFFF\u{E0000}-\u{E007F}\uD800-\uDFFF]/u;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!(aws|amazon)\.)[A-Za-z0-9_.-]{1,256}$/i;
/** The lines the email may start at column 0: everything from the log is indented after a label. */
const TOP_LEVEL_LINE = /^(|trailwatch: .*|Findings by severity: .*|Delivery failed: .*|\[\d+\] (CRITICAL|HIGH|MEDIUM|LOW|INFO) {2}.*|Not shown .*|Not listed: [\d,]+ findings? \([\d,]+ events?\) past [^:]*|Left out .*|Delivery|Links)$/;

const wellFormed = (value: string): boolean => Buffer.from(value, 'utf8').toString('utf8') === value;

function checkEnvelope(n: Notification, maxBytes: number): void {
  expect(publishBytes(n)).toBeLessThanOrEqual(maxBytes);
  expect(n.subject.length).toBeGreaterThan(0);
  expect(n.subject.length).toBeLessThan(100);
  expect(n.subject).not.toMatch(UNSAFE);
  expect(wellFormed(n.subject)).toBe(true);
  expect(wellFormed(n.message)).toBe(true);
  const attributes = Object.entries(n.messageAttributes);
  expect(attributes.length).toBeLessThanOrEqual(10);
  for (const [name, value] of attributes) {
    expect(name).toMatch(ATTRIBUTE_NAME);
    expect(value.StringValue).not.toBe('');
    expect(wellFormed(value.StringValue)).toBe(true);
    if (value.DataType === 'Number') expect(Number.isFinite(Number(value.StringValue))).toBe(true);
    if (value.DataType === 'String.Array') expect(Array.isArray(JSON.parse(value.StringValue))).toBe(true);
  }
}

/** A finding's example fields as the document must show them: sanitised with the documented caps. */
function expectedExample(f: Finding): string {
  const pick = (raw: unknown, cap: number): string | undefined => (raw === undefined || raw === '' ? undefined : sanitize(raw, cap));
  const event = Object.entries(EXAMPLE_FIELD_CHARS).map(([name, cap]) => pick(f[name as keyof typeof EXAMPLE_FIELD_CHARS], cap));
  const principal = Object.entries(PRINCIPAL_FIELD_CHARS).map(([name, cap]) => pick(f.principal?.[name as keyof typeof PRINCIPAL_FIELD_CHARS], cap));
  return JSON.stringify([...event, ...principal]);
}

function shownExample(example: NotificationDocumentV1['findings'][number]['examples'][number]): string {
  const record = example as unknown as Record<string, string | undefined>;
  const principal = (example.principal ?? {}) as Record<string, string | undefined>;
  return JSON.stringify([
    ...Object.keys(EXAMPLE_FIELD_CHARS).map((name) => record[name]),
    ...Object.keys(PRINCIPAL_FIELD_CHARS).map((name) => principal[name]),
  ]);
}

/** Every example is one of its entry's findings, each field exactly that finding's value, sanitised. */
function checkRoundTrip(doc: NotificationDocumentV1, report: DeliveryReport): void {
  expect(doc.delivery.bucket).toBe(sanitize(report.object.bucket, 256));
  expect(doc.delivery.key).toBe(sanitize(report.object.key, 1024));
  const expected = new Map(report.findings.map((f) => [f, expectedExample(f)]));
  for (const entry of doc.findings) {
    const members = report.findings.filter(
      (f) => sanitize(f.ruleId, 128) === entry.ruleId && f.severity === entry.severity && f.source === entry.source,
    );
    expect(members.length).toBe(entry.findingCount);
    const candidates = new Set(members.map((f) => expected.get(f)));
    for (const example of entry.examples) expect(candidates.has(shownExample(example))).toBe(true);
  }
}

describe('buildNotification over arbitrary finding contents', () => {
  it('JSON: parses, round-trips the sanitised values, carries no unsafe character and fits the budget', () => {
    fc.assert(
      fc.property(reportArb, fc.integer({ min: 24_000, max: 262_144 }), (report, maxBytes) => {
        // Act
        const n = buildNotification(report, { logGroup: LOG_GROUP, now: () => NOW, maxBytes });

        // Assess
        expect(n).toBeDefined();
        checkEnvelope(n!, maxBytes);
        expect(n!.message).not.toMatch(/[<>&]/);
        const doc = JSON.parse(n!.message) as NotificationDocumentV1;
        expect(JSON.stringify(doc)).not.toMatch(UNSAFE);
        checkRoundTrip(doc, report);
        const shown = doc.findings.reduce((sum, entry) => sum + entry.findingCount, 0);
        expect(shown + doc.omitted.findings).toBe(report.findings.length);
        // the true counts: listed + not listed = matched, and matched is the report's
        expect(doc.summary.findingCount + doc.omitted.notListed.findings).toBe(doc.summary.matched.findings);
        expect(doc.summary.matched.findings).toBe(report.matched?.findings ?? report.findings.length);
        expect(n!.messageAttributes.matchedEvents?.StringValue).toBe(String(doc.summary.matched.events));
      }),
      { numRuns: 100 },
    );
  });

  it('text: no unsafe character on any line, no forged top-level line, and it fits the budget', () => {
    fc.assert(
      fc.property(reportArb, fc.integer({ min: 24_000, max: 262_144 }), (report, maxBytes) => {
        // Act
        const n = buildNotification(report, { logGroup: LOG_GROUP, now: () => NOW, maxBytes, format: 'text' });

        // Assess
        expect(n).toBeDefined();
        checkEnvelope(n!, maxBytes);
        expect(n!.message.endsWith('\n')).toBe(true);
        const lines = n!.message.slice(0, -1).split('\n');
        expect(lines.filter((line) => UNSAFE.test(line))).toEqual([]);
        expect(lines.filter((line) => !line.startsWith(' ') && !TOP_LEVEL_LINE.test(line))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
