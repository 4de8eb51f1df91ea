import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../../bin/trailwatch';
import { buildIngestDeps } from '../../../functions/commons/deps';
import { classifyKey } from '../../../lib/cloudtrail/classify';
import { loadConfig } from '../../../lib/config';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import { RuleLoadError } from '../../../lib/rules/errors';
import { exceptionAnalyser, formatSuppressions, runExceptionTests } from '../../../lib/rules/exceptions';
import { buildRulePack, loadRulePack, type RuleDocument, type RulePack } from '../../../lib/rules/load';
import { scanDirectory, type ScannedFile } from '../../../lib/rules/scan';
import { logReport, recordReportMetrics, type LoggerLike, type MetricsLike } from '../../../lib/telemetry';
import { stringify } from 'yaml';
import { BUILTIN_DIR, builtinRecord, ruleDoc, tempDir, trailRecords } from './helpers';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'docs', 'examples', 'exceptions');
const REF = { bucket: 'b', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/f.json.gz' };
const BEFORE_EXPIRY = Date.parse('2027-03-31T23:59:59Z');
const AFTER_EXPIRY = Date.parse('2027-04-01T00:00:00Z');

/** The built-in root-console-login rule's match record, and an exception for that rule on its source IP. */
function rootLogin(ip = '203.0.113.9'): CloudTrailRecord {
  const r = builtinRecord('root-console-login', 'match');
  r.sourceIPAddress = ip;
  r.eventID = `evt-${ip}`;
  return r;
}

function exceptionFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    exceptions: [
      {
        id: 'break-glass-drill',
        rule: 'root-console-login',
        match: '{ $.sourceIPAddress = "203.0.113.9" }',
        owner: 'secops@example.com',
        reason: 'Quarterly break-glass drill from the SOC network.',
        expires: '2027-03-31',
        tests: { suppressed: [rootLogin()], notSuppressed: [rootLogin('198.51.100.7')] },
        ...overrides,
      },
    ],
  };
}

function packWith(files: Record<string, unknown>[], options: Parameters<typeof buildRulePack>[1] = {}): RulePack {
  const documents: RuleDocument[] = [{ file: 'rules/root-console-login.yaml', text: stringify(ruleDoc('root-console-login')), builtin: true }];
  files.forEach((doc, i) => documents.push({ file: `user/team${i}.exceptions.yml`, text: stringify(doc) }));
  return buildRulePack(documents, options);
}

function loadError(files: Record<string, unknown>[]): RuleLoadError {
  try {
    packWith(files);
  } catch (err) {
    if (err instanceof RuleLoadError) return err;
    throw err;
  }
  throw new Error('loaded without error');
}

function evaluate(pack: RulePack, records: CloudTrailRecord[], now: number) {
  const analyser = exceptionAnalyser(pack, REF, { now: () => now });
  // two observe calls: a delivery arrives in groups, and the expired finding is once per delivery
  analyser.observe(trailRecords(records.slice(0, 1)));
  analyser.observe(trailRecords(records.slice(1)));
  const findings = analyser.finish() as Awaited<ReturnType<typeof analyser.finish>>;
  return { findings, suppressed: analyser.suppressions?.() ?? [] };
}

describe('exception files', () => {
  it('suppress the matches they name, per rule, and count them per exception', () => {
    // Prepare
    const pack = packWith([exceptionFile()]);

    // Act
    const { findings, suppressed } = evaluate(pack, [rootLogin(), rootLogin('198.51.100.7'), rootLogin()], BEFORE_EXPIRY);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.sourceIPAddress])).toEqual([['root-console-login', '198.51.100.7']]);
    expect(suppressed).toEqual([{ exception: 'break-glass-drill', rule: 'root-console-login', owner: 'secops@example.com', expires: '2027-03-31', matches: 2 }]);
  });

  it('stop suppressing after their expires date and give one exception-expired finding per delivery', () => {
    // Prepare
    const pack = packWith([exceptionFile()]);

    // Act
    const { findings, suppressed } = evaluate(pack, [rootLogin(), rootLogin('198.51.100.7'), rootLogin('203.0.113.9')], AFTER_EXPIRY);

    // Assess: the excepted IP alerts again, and the expiry is a finding of its own
    expect(findings.filter((f) => f.ruleId === 'root-console-login').map((f) => f.sourceIPAddress).sort()).toEqual(['198.51.100.7', '203.0.113.9']);
    const expired = findings.filter((f) => f.ruleId === 'exception-expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      severity: 'LOW',
      dedupKey: 'exception-expired:break-glass-drill',
      details: { exception: 'break-glass-drill', rule: 'root-console-login', owner: 'secops@example.com', expires: '2027-03-31', wouldHaveSuppressed: 2 },
    });
    expect(suppressed).toEqual([]);
  });

  it('apply a global exception (rule: "*") to every rule, and leave pack.plan without exceptions', () => {
    // Prepare
    const global = exceptionFile({ id: 'soc-network', rule: '*', tests: { suppressed: [rootLogin()], notSuppressed: [rootLogin('198.51.100.7')] } });
    const pack = packWith([global]);

    // Act
    const { findings, suppressed } = evaluate(pack, [rootLogin(), rootLogin('198.51.100.7')], BEFORE_EXPIRY);

    // Assess
    expect(findings.map((f) => f.sourceIPAddress)).toEqual(['198.51.100.7']);
    expect(suppressed).toEqual([expect.objectContaining({ exception: 'soc-network', rule: 'root-console-login', matches: 1 })]);
    expect(pack.rules[0]!.test(rootLogin())).toBe(true);
  });

  it('take a Sigma selection instead of a filter pattern', () => {
    // Prepare
    const pack = packWith([exceptionFile({ match: undefined, selection: { 'sourceIPAddress|cidr': '203.0.113.0/24', 'userIdentity.type': 'root' } })]);

    // Act
    const { findings, suppressed } = evaluate(pack, [rootLogin('203.0.113.77'), rootLogin('198.51.100.7')], BEFORE_EXPIRY);

    // Assess
    expect(findings.map((f) => f.sourceIPAddress)).toEqual(['198.51.100.7']);
    expect(suppressed).toEqual([expect.objectContaining({ exception: 'break-glass-drill', matches: 1 })]);
  });

  it('do not let a suppressed record count towards a threshold', () => {
    // Prepare
    const rule = ruleDoc('root-console-login', { threshold: { count: 2 } });
    const documents: RuleDocument[] = [
      { file: 'rules/root-console-login.yaml', text: stringify(rule), builtin: true },
      { file: 'user/x.exceptions.yml', text: stringify(exceptionFile()) },
    ];
    const pack = buildRulePack(documents);

    // Act
    const { findings } = evaluate(pack, [rootLogin(), rootLogin('198.51.100.7')], BEFORE_EXPIRY);

    // Assess
    expect(findings).toEqual([]);
  });

  it.each([
    ['a missing owner', { owner: undefined }, /owner/],
    ['an empty reason', { reason: '  ' }, /reason/],
    ['a date that does not exist', { expires: '2027-02-30' }, /expires/],
    ['no expires', { expires: undefined }, /expires/],
    ['a misspelt key', { expire: '2027-01-01' }, /expire/],
    ['no tests', { tests: undefined }, /tests/],
    ['a pattern that does not compile', { match: '{ $.eventName = ' }, /match/],
    ['an unknown rule id', { rule: 'root-console-logins' }, /no rule has the id "root-console-logins"/],
    ['both match and selection', { selection: { eventName: 'ConsoleLogin' } }, /exactly one of match .* or selection/],
    ['neither match nor selection', { match: undefined }, /exactly one of match .* or selection/],
    ['a selection Sigma cannot evaluate (keyword search)', { match: undefined, selection: ['ConsoleLogin'] }, /selection: keyword search/],
  ])('refuse %s at load (InvalidException)', (_label, overrides, message) => {
    // Act
    const err = loadError([exceptionFile(overrides)]);

    // Assess
    expect(err.reason).toBe('InvalidException');
    expect(err.message).toMatch(message);
  });

  it('refuse a duplicate exception id across files; not strict, the second user file is skipped and listed as broken', () => {
    // Act
    const err = loadError([exceptionFile(), exceptionFile()]);
    const pack = packWith([exceptionFile(), exceptionFile()], { strict: false });

    // Assess
    expect(err.message).toMatch(/already used/);
    expect(pack.exceptions.exceptions).toHaveLength(1);
    expect(pack.broken).toEqual([expect.objectContaining({ file: 'user/team1.exceptions.yml', reason: 'InvalidException' })]);
  });
});

describe('runExceptionTests', () => {
  it('passes the shipped example file against the built-in pack', async () => {
    // Prepare
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [EXAMPLES] });

    // Act
    const results = runExceptionTests(pack);

    // Assess
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['exception ingest-compactor-kms-probe -> unauthorized-api-calls', 'pass'],
      ['exception scanner-readonly-denials -> *', 'pass'],
    ]);
  });

  it('fails a suppressed case the rule itself does not match, and a notSuppressed case the exception matches', () => {
    // Prepare
    const quiet = builtinRecord('root-console-login', 'noMatch', 1);
    quiet.sourceIPAddress = '203.0.113.9';
    const pack = packWith([exceptionFile({ tests: { suppressed: [quiet], notSuppressed: [rootLogin()] } })]);

    // Act
    const [result] = runExceptionTests(pack, BEFORE_EXPIRY);

    // Assess
    expect(result?.status).toBe('fail');
    expect(result?.failures).toEqual([expect.stringMatching(/^suppressed\[0\].*rule root-console-login does not match it/), expect.stringMatching(/^notSuppressed\[0\].*the exception matches it/)]);
  });
});

describe('suppressions in the delivery report, log line, metrics and scan', () => {
  it('reach report.suppressed through the pipeline, the FindingsSuppressed metric, the log line and formatSuppressions', async () => {
    // Prepare
    const t = tempDir();
    t.write('rules/team.exceptions.yml', exceptionFile({ expires: '2099-12-31' }));
    t.write('logs/a.json', JSON.stringify({ Records: [rootLogin(), rootLogin('198.51.100.7')] }));
    t.write('logs/b.json', JSON.stringify({ Records: [rootLogin()] }));
    try {
      const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [path.join(t.dir, 'rules')] });
      const metrics: { name: string; value: string; count: number }[] = [];
      const sink: MetricsLike = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: (name, _d, value, count) => metrics.push({ name, value, count }) };
      const logged: Record<string, unknown>[] = [];
      const logger: LoggerLike = { info: (_m, f) => logged.push(f ?? {}), warn: (_m, f) => logged.push(f ?? {}), error: () => undefined };

      // Act
      const scanned: ScannedFile[] = [];
      for await (const s of scanDirectory(path.join(t.dir, 'logs'), pack)) scanned.push(s);
      recordReportMetrics(sink, scanned[0]!.report);
      logReport(logger, scanned[0]!.report);

      // Assess
      expect(scanned.map((s) => s.report.suppressed?.map((x) => x.matches))).toEqual([[1], [1]]);
      expect(scanned[0]!.report.findings.filter((f) => f.ruleId === 'root-console-login').map((f) => f.sourceIPAddress)).toEqual(['198.51.100.7']);
      expect(metrics.filter((m) => m.name === 'FindingsSuppressed')).toEqual([{ name: 'FindingsSuppressed', value: 'break-glass-drill', count: 1 }]);
      expect(logged[0]).toMatchObject({ suppressed: { 'break-glass-drill': 1 } });
      expect(formatSuppressions(scanned.map((s) => s.report))).toEqual(['SUPPRESSED 2 root-console-login matches by exception break-glass-drill (owner secops@example.com, expires 2099-12-31)']);
    } finally {
      t.cleanup();
    }
  });

  it('trailwatch scan prints what each exception suppressed; test-rules runs the exception tests', async () => {
    // Prepare
    const t = tempDir();
    t.write('rules/team.exceptions.yml', exceptionFile({ expires: '2099-12-31' }));
    t.write('logs/a.json.gz', gzipSync(JSON.stringify({ Records: [rootLogin(), rootLogin('198.51.100.7')] })));
    try {
      const out: string[] = [];
      const err: string[] = [];

      // Act
      const scanCode = await main(['scan', path.join(t.dir, 'logs'), '--rules', path.join(t.dir, 'rules')], (l) => out.push(l), (l) => err.push(l));
      const testCode = await main(['test-rules', '--rules', path.join(t.dir, 'rules')], (l) => out.push(l), (l) => err.push(l));

      // Assess
      // the login the exception does not cover is CRITICAL: at or above the default --fail-on HIGH
      expect(scanCode).toBe(1);
      expect(err).toContain('SUPPRESSED 1 root-console-login matches by exception break-glass-drill (owner secops@example.com, expires 2099-12-31)');
      expect(testCode).toBe(0);
      expect(out).toContain('PASS exception break-glass-drill -> root-console-login  1 match / 1 no-match');
    } finally {
      t.cleanup();
    }
  });
});

describe('the function', () => {
  it("applies and counts the pack's exceptions in the analysers it builds (functions/commons/deps.ts)", () => {
    // Prepare
    const pack = packWith([exceptionFile({ expires: '2099-12-31' })]);
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const metrics = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
    const env = { LOG_GROUP_NAME: '/trailwatch/test', TRAILWATCH_ALERTS: 'off' };
    const deps = buildIngestDeps(loadConfig(env), pack, { logger: quiet, metrics });

    // Act
    const [rules] = deps.analysersFor?.(REF, classifyKey(REF.key)) ?? [];
    rules?.observe(trailRecords([rootLogin(), rootLogin('198.51.100.7')]));
    const findings = rules?.finish() as { ruleId: string }[];

    // Assess
    expect(findings.map((f) => f.ruleId)).toEqual(['root-console-login']);
    expect(rules?.suppressions?.()).toEqual([expect.objectContaining({ exception: 'break-glass-drill', matches: 1 })]);
  });
});
