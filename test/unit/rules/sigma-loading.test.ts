import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ruleAnalyser, loadRulePack } from '../../../lib/rules';
import { sigmaRuleFormat } from '../../../lib/rules/sigma';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'sigma');

/** Sigma rules load from the users' rule directories next to trailwatch rules, through the loader. */
describe('loading Sigma rules with the rule pack', () => {
  it('loads SigmaHQ CloudTrail rules, refuses what it cannot evaluate faithfully, and reports both', async () => {
    // Prepare: SigmaHQ rules plus collections, an aggregation, a correlation and a Windows rule
    const dir = mkdtempSync(path.join(tmpdir(), 'user-rules-'));
    cpSync(path.join(FIXTURES, 'sigmahq'), path.join(dir, 'sigmahq'), { recursive: true });
    cpSync(path.join(FIXTURES, 'handwritten'), path.join(dir, 'handwritten'), { recursive: true });

    // Act
    const pack = await loadRulePack({ builtinDir: path.join(ROOT, 'rules'), userDirs: [dir], formats: [sigmaRuleFormat] });

    // Assess
    const sigma = pack.entries.filter((e) => e.format === 'sigma');
    expect(sigma.length).toBeGreaterThanOrEqual(12);
    expect(sigma.every((e) => e.id.startsWith('sigma-'))).toBe(true);
    const refusedFiles = pack.refused.map((r) => path.basename(r.file)).sort();
    expect(refusedFiles).toEqual(expect.arrayContaining(['aggregation.yml', 'correlation.yml', 'windows-process-creation.yml']));
    for (const r of pack.refused) expect(r.reason.length).toBeGreaterThan(10);
    expect(pack.entries.filter((e) => e.format === 'trailwatch').length).toBeGreaterThanOrEqual(31);
  });

  it('a loaded Sigma rule produces findings through the same engine as trailwatch rules', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'user-rules-'));
    cpSync(path.join(FIXTURES, 'sigmahq', 'aws_cloudtrail_disable_logging.yml'), path.join(dir, 'disable.yml'));
    const pack = await loadRulePack({ builtinDir: path.join(ROOT, 'rules'), userDirs: [dir], formats: [sigmaRuleFormat] });
    const ref = { bucket: 'b', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/x.json.gz' };
    const analyser = ruleAnalyser(pack, ref);
    const record = {
      eventVersion: '1.11',
      eventTime: '2026-11-24T09:03:16Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      eventID: 'f20a828a-a211-4530-8e3b-b7a5565a29c6',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/admin/dmitri' },
      requestParameters: { name: 'management-trail' },
    };

    // Act
    analyser.observe([{ text: JSON.stringify(record), record, bytes: 1, index: 0 }]);
    const findings = await analyser.finish();

    // Assess
    const bySigma = findings.filter((f) => f.source === 'sigma');
    expect(bySigma).toHaveLength(1);
    expect(bySigma[0]).toMatchObject({ eventID: record.eventID, eventName: 'StopLogging', object: ref });
    expect(findings.some((f) => f.ruleId === 'cloudtrail-disabled')).toBe(true);
  });
});
