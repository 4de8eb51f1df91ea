import path from 'node:path';
import { main } from '../../../bin/trailwatch';
import pkg from '../../../package.json';
import { Progress } from '../../../lib/cli/progress';
import { csvCell } from '../../../lib/scan/format';
import { builtinRecord, tempDir } from '../rules/helpers';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'events', 'cloudtrail');

async function run(argv: string[], progress: { isTTY?: boolean; write(s: string): unknown } = { isTTY: false, write: () => true }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l), {}, { progress });
  return { code, out, err };
}

describe('trailwatch CLI (issue 14)', () => {
  it('prints the package version with --version', async () => {
    // Prepare, Act
    const { code, out } = await run(['--version']);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([pkg.version]);
  });

  it.each(['scan', 'test-rules', 'replay-queue', 'reprocess'])('has its own help with examples for %s', async (command) => {
    // Prepare, Act
    const { code, out } = await run([command, '--help']);

    // Assess
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(`Usage: trailwatch ${command}`);
    expect(out.join('\n')).toContain('Examples:');
  });

  it('says in one line, without a stack trace, that a directory does not exist (exit 2)', async () => {
    // Prepare, Act
    const { code, err } = await run(['scan', '/no/such/trail-sync']);

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual(['error: /no/such/trail-sync: no such file or directory']);
  });

  it('scans a single file given by name', async () => {
    // Prepare
    const t = tempDir();
    const file = t.write('one.json', JSON.stringify({ Records: [builtinRecord('root-console-login', 'match')] }));

    try {
      // Act
      const { code, out } = await run(['scan', file, '--fail-on', 'none']);

      // Assess
      expect(code).toBe(0);
      expect(out.some((l) => l.includes('root-console-login') && l.endsWith(`[${file}]`))).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it.each([
    ['CRITICAL', 1],
    ['HIGH', 1],
    ['none', 0],
  ])('exits by --fail-on %s over a CRITICAL finding: %d', async (failOn, expected) => {
    // Prepare
    const t = tempDir();
    t.write('f.json', JSON.stringify({ Records: [builtinRecord('root-console-login', 'match')] }));

    try {
      // Act
      const { code } = await run(['scan', t.dir, '--fail-on', failOn as string]);

      // Assess
      expect(code).toBe(expected);
    } finally {
      t.cleanup();
    }
  });

  it('exits 0 when findings are below --fail-on', async () => {
    // Prepare
    const t = tempDir();
    t.write('f.json', JSON.stringify({ Records: [builtinRecord('unauthorized-api-calls', 'match')] }));

    try {
      // Act
      const { code, err } = await run(['scan', t.dir, '--fail-on', 'high']);

      // Assess
      expect(code).toBe(0);
      expect(err.join('\n')).toContain('by severity: LOW 1');
    } finally {
      t.cleanup();
    }
  });

  it('exits 3 when a file cannot be read, and still reads the others', async () => {
    // Prepare
    const t = tempDir();
    t.write('a-broken.json.gz', 'not gzip');
    t.write('b.json', JSON.stringify({ Records: [builtinRecord('root-console-login', 'match')] }));

    try {
      // Act
      const { code, out, err } = await run(['scan', t.dir]);

      // Assess
      expect(code).toBe(3);
      expect(err.join('\n')).toMatch(/a-broken\.json\.gz: FAILED: CorruptGzip/);
      expect(out.some((l) => l.includes('root-console-login'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a bad --fail-on with exit 2', async () => {
    // Prepare, Act
    const { code, err } = await run(['scan', SAMPLES, '--fail-on', 'urgent']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^error: --fail-on must be one of/);
  });

  it('runs the CloudTrail Insights analyser over the sample Insights file, as the Lambda does', async () => {
    // Prepare, Act
    const { out } = await run(['scan', SAMPLES, '--format', 'ndjson', '--fail-on', 'none']);

    // Assess
    const findings = out.map((l) => JSON.parse(l) as { type: string; ruleId: string; source: string });
    expect(findings.some((f) => f.type === 'finding' && f.source === 'insight' && f.ruleId === 'insight-api-call-rate')).toBe(true);
  });

  it('writes NDJSON with each rule text once, referenced by id from its findings', async () => {
    // Prepare
    const t = tempDir();
    const hit = builtinRecord('unauthorized-api-calls', 'match');
    t.write('f.json', JSON.stringify({ Records: [hit, { ...hit, eventID: 'second' }, { ...hit, eventID: 'third' }] }));

    try {
      // Act
      const { out } = await run(['scan', t.dir, '--format', 'ndjson']);

      // Assess
      const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
      const rules = lines.filter((l) => l.type === 'rule');
      const findings = lines.filter((l) => l.type === 'finding');
      expect(rules.map((r) => r.ruleId)).toEqual(['unauthorized-api-calls']);
      expect(findings).toHaveLength(3);
      for (const f of findings) {
        expect(f.ruleId).toBe('unauthorized-api-calls');
        expect(f).not.toHaveProperty('description');
        expect(f).not.toHaveProperty('title');
      }
    } finally {
      t.cleanup();
    }
  });

  it('writes CSV with a header and spreadsheet formulas defused', async () => {
    // Prepare
    const t = tempDir();
    const hit = { ...builtinRecord('root-console-login', 'match'), sourceIPAddress: '=HYPERLINK("http://x")' };
    t.write('f.json', JSON.stringify({ Records: [hit] }));

    try {
      // Act
      const { out } = await run(['scan', t.dir, '--format', 'csv', '--disable', 'root-account-usage']);

      // Assess
      expect(out[0]).toBe('severity,ruleId,title,source,count,eventTime,accountId,region,eventSource,eventName,principalType,principal,sourceIPAddress,errorCode,eventID,file');
      expect(out).toHaveLength(2);
      expect(out[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(csvCell('a,b')).toBe('"a,b"');
    } finally {
      t.cleanup();
    }
  });

  it('draws a progress bar only on a terminal', async () => {
    // Prepare
    const pipe: string[] = [];
    const tty: string[] = [];

    // Act
    await run(['scan', SAMPLES, '--fail-on', 'none'], { isTTY: false, write: (s) => pipe.push(s) });
    await run(['scan', SAMPLES, '--fail-on', 'none'], { isTTY: true, write: (s) => tty.push(s) });

    // Assess
    expect(pipe).toEqual([]);
    expect(tty.join('')).toMatch(/scan \[#+\.*\] \d+\/5 files {2}[\d,]+ records {2}[\d.]+ MB\/s/);
  });

  it('shows files, records, MB/s and an ETA', () => {
    // Prepare
    let now = 0;
    const p = new Progress({ isTTY: true, write: () => true }, 'scan', { files: 4, bytes: 4_000_000 }, () => now);

    // Act
    now = 1000;
    p.add({ files: 1, records: 1500, bytes: 1_000_000 });

    // Assess
    expect(p.line()).toBe('scan [#####...............] 1/4 files  1,500 records  1.0 MB/s  ETA 3s');
  });
});

describe('scan of a single file in CloudTrail layout', () => {
  it('keeps its key (account and Region from the path), as a directory scan does', async () => {
    // Prepare
    const file = path.join(SAMPLES, 'AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/24/111122223333_CloudTrail-Insight_us-east-1_20261124T0915Z_JS0HifFFBX1Baz6r.json.gz');

    // Act
    const { out } = await run(['scan', file, '--format', 'ndjson', '--fail-on', 'none']);

    // Assess: the Insights analyser runs only on a CloudTrail-Insight/ key
    expect(out.map((l) => JSON.parse(l) as { type: string; source: string }).some((l) => l.type === 'finding' && l.source === 'insight')).toBe(true);
  });
});
