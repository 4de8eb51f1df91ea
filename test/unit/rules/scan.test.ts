import { gzipSync } from 'node:zlib';
import { main } from '../../../bin/trailwatch';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import { loadRulePack, type RulePack } from '../../../lib/rules/load';
import { scanDirectory, type ScannedFile } from '../../../lib/rules/scan';
import { BUILTIN_DIR, builtinRecord, ruleDoc, tempDir } from './helpers';

const LOG_KEY = 'trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0905Z_aBcD1234.json.gz';

function logFile(records: CloudTrailRecord[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

async function scanAll(dir: string, pack: RulePack): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  for await (const scanned of scanDirectory(dir, pack)) out.push(scanned);
  return out;
}

let pack: RulePack;
beforeAll(async () => {
  pack = await loadRulePack({ builtinDir: BUILTIN_DIR });
});

describe('scanDirectory', () => {
  it('runs .json.gz and .json files through the pipeline and names the file in each finding', async () => {
    // Prepare
    const root = builtinRecord('root-console-login', 'match');
    const trailOff = builtinRecord('cloudtrail-disabled', 'match');
    const quiet = builtinRecord('iam-policy-changes', 'noMatch');
    const t = tempDir();
    t.write('downloaded/events.json', JSON.stringify({ Records: [trailOff, quiet] }));
    t.write(LOG_KEY, logFile([quiet, root]));
    t.write('notes.txt', 'not a log file');

    try {
      // Act
      const scanned = await scanAll(t.dir, pack);

      // Assess
      expect(scanned.map((s) => [s.file, s.report.status, s.report.records.read])).toEqual([
        ['downloaded/events.json', 'processed', 2],
        [LOG_KEY, 'processed', 2],
      ]);
      const [json, gz] = scanned;
      expect(json?.report.findings.map((f) => [f.ruleId, f.object])).toEqual([
        ['cloudtrail-configuration-changes', { bucket: 'local', key: 'downloaded/events.json' }],
        ['cloudtrail-disabled', { bucket: 'local', key: 'downloaded/events.json' }],
      ]);
      expect(gz?.report.findings.map((f) => [f.ruleId, f.eventID, f.object.key])).toEqual([
        ['root-account-usage', root.eventID, LOG_KEY],
        ['root-console-login', root.eventID, LOG_KEY],
      ]);
      expect(gz?.report.accountId).toBe('111122223333');
    } finally {
      t.cleanup();
    }
  });

  it('reports a corrupt file as failed with the reason and carries on', async () => {
    // Prepare
    const t = tempDir();
    t.write('a-broken.json.gz', 'this is not gzip');
    t.write('b-good.json', JSON.stringify({ Records: [builtinRecord('root-console-login', 'match')] }));

    try {
      // Act
      const scanned = await scanAll(t.dir, pack);

      // Assess
      expect(scanned.map((s) => [s.file, s.report.status, s.report.error?.reason])).toEqual([
        ['a-broken.json.gz', 'failed', 'CorruptGzip'],
        ['b-good.json', 'processed', undefined],
      ]);
    } finally {
      t.cleanup();
    }
  });
});

describe('trailwatch CLI', () => {
  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  }

  it('test-rules prints one PASS line per rule and exits 0', async () => {
    // Prepare
    const argv = ['test-rules'];

    // Act
    const { code, out } = await run(argv);

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('PASS root-account-usage  2 match / 2 no-match');
    expect(out.filter((l) => l.startsWith('PASS '))).toHaveLength(out.filter((l) => /^(PASS|FAIL) /.test(l)).length);
    expect(out[out.length - 1]).toMatch(/^\n\d+ rules: \d+ passed, 0 failed$/);
  });

  it('test-rules exits 1 when a user rule’s test fails', async () => {
    // Prepare
    const t = tempDir();
    const hit = builtinRecord('root-console-login', 'match');
    t.write('root-signin.yaml', ruleDoc('root-signin', { tests: { match: [hit], noMatch: [hit] } }));

    try {
      // Act
      const { code, out } = await run(['test-rules', '--rules', t.dir]);

      // Assess
      expect(code).toBe(1);
      expect(out.find((l) => l.startsWith('FAIL root-signin'))).toContain('noMatch[0]');
    } finally {
      t.cleanup();
    }
  });

  it('exits 1 naming the file when a rule file is broken', async () => {
    // Prepare
    const t = tempDir();
    t.write('root-signin.yaml', 'id: root-signin\ntitle: [unclosed');

    try {
      // Act
      const { code, err } = await run(['test-rules', '--rules', t.dir]);

      // Assess
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(/InvalidYaml: .*root-signin\.yaml/);
    } finally {
      t.cleanup();
    }
  });

  it('scan prints findings, honours --disable, and turns the Region rule on with --allowed-regions', async () => {
    // Prepare
    const t = tempDir();
    const elsewhere = builtinRecord('ec2-instance-launched-outside-allowed-regions', 'match');
    t.write('f.json', JSON.stringify({ Records: [builtinRecord('root-console-login', 'match'), elsewhere] }));

    try {
      // Act
      const { code, out, err } = await run(['scan', t.dir, '--disable', 'root-account-usage', '--allowed-regions', 'us-east-1,eu-west-1', '--json']);

      // Assess
      expect(code).toBe(1); // root-console-login is CRITICAL, at or above the default --fail-on HIGH
      const lines = out.map((l) => JSON.parse(l) as { type: string; ruleId: string });
      expect(lines.filter((l) => l.type === 'finding').map((l) => l.ruleId)).toEqual(['ec2-instance-launched-outside-allowed-regions', 'root-console-login']);
      expect(err[0]).toContain('not evaluated: root-account-usage (disabled by configuration)');
      expect(err).toContain('1 file(s) (1 read, 0 skipped), 2 record(s), 2 finding(s)');
    } finally {
      t.cleanup();
    }
  });

  it('scan prints a readable line per finding', async () => {
    // Prepare
    const t = tempDir();
    const record = builtinRecord('root-console-login', 'match');
    t.write('f.json', JSON.stringify({ Records: [record] }));

    try {
      // Act
      const { out } = await run(['scan', t.dir, '--disable', 'root-account-usage']);

      // Assess
      expect(out).toEqual([`CRITICAL root-console-login  ${record.eventTime}  111122223333 us-east-1  ConsoleLogin by Root arn:aws:iam::111122223333:root from ${record.sourceIPAddress}  [${t.dir}/f.json]`]); // named as given on the command line
    } finally {
      t.cleanup();
    }
  });

  it.each([[['scan']], [['scan', '.', '--bogus']], [['frobnicate']]])('exits 2 with one error line and where to find usage for %j', async (argv) => {
    // Prepare, Act
    const { code, err } = await run(argv);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^error: /);
    expect(err.join('\n')).toContain('--help` for usage and examples');
  });

  it('exits 2 with the usage when no command is given', async () => {
    // Prepare, Act
    const { code, err } = await run([]);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('Usage: trailwatch');
  });
});
