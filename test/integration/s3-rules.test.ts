import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { S3RuleSource } from '../../lib/aws/s3-rule-source';
import { loadRulePack, RuleLoadError } from '../../lib/rules';
import { sigmaRuleFormat } from '../../lib/rules/sigma';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';

/** Users' rule files under an S3 prefix, read at cold start, against s3rver. */
const ROOT = path.resolve(__dirname, '..', '..');
const BUCKET = 'team-rules';

/** A built-in rule re-issued under another id, as a team would copy and adapt one. */
function teamRule(id: string): string {
  return readFileSync(path.join(ROOT, 'rules', 'vpc-changes.yaml'), 'utf8').replace(/^id: vpc-changes$/m, `id: ${id}`);
}

describe('rule files under an S3 prefix', () => {
  let stack: LocalStack;
  let s3: S3Client;

  beforeAll(async () => {
    stack = await startLocalStack({ buckets: [BUCKET] });
    s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint });
    const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await put('trailwatch/team-vpc-changes.yaml', teamRule('team-vpc-changes'));
    await put('trailwatch/sigma/disable-logging.yml', readFileSync(path.join(ROOT, 'test/fixtures/sigma/sigmahq/aws_cloudtrail_disable_logging.yml'), 'utf8'));
    await put('trailwatch/README.txt', 'not a rule');
    await put('trailwatch/known-callers.exceptions.yml', readFileSync(path.join(ROOT, 'docs/examples/exceptions/known-callers.exceptions.yml'), 'utf8'));
    await put('other-team/ignored.yaml', 'id: [broken');
    await put('broken/bad.yaml', 'id: [broken');
  });

  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
  });

  it('loads every YAML file below the prefix, trailwatch and Sigma, next to the built-in pack', async () => {
    // Act
    const pack = await loadRulePack({
      builtinDir: path.join(ROOT, 'rules'),
      formats: [sigmaRuleFormat],
      sources: [new S3RuleSource(s3, BUCKET, 'trailwatch/')],
    });

    // Assess
    const fromS3 = pack.entries.filter((e) => e.file.startsWith(`s3://${BUCKET}/trailwatch/`));
    expect(fromS3.map((e) => [e.id.startsWith('sigma-') ? 'sigma' : e.id, e.format]).sort()).toEqual([
      ['sigma', 'sigma'],
      ['team-vpc-changes', 'trailwatch'],
    ]);
    // every built-in rule file plus the one team rule (counted from rules/, so adding a built-in rule does not break this)
    const builtin = readdirSync(path.join(ROOT, 'rules')).filter((f) => f.endsWith('.yaml')).length;
    expect(builtin).toBeGreaterThan(31);
    expect(pack.entries.filter((e) => e.format === 'trailwatch').length).toBe(builtin + 1);
    // an exception file beside them (issue 12 §3) is read by the same source, as exceptions, not rules
    expect(pack.exceptions.exceptions.map((e) => [e.id, e.file])).toEqual([
      ['ingest-compactor-kms-probe', `s3://${BUCKET}/trailwatch/known-callers.exceptions.yml`],
      ['scanner-readonly-denials', `s3://${BUCKET}/trailwatch/known-callers.exceptions.yml`],
    ]);
  });

  it('a broken rule file under the prefix fails loading with its S3 name and the reason', async () => {
    const load = loadRulePack({ builtinDir: path.join(ROOT, 'rules'), sources: [new S3RuleSource(s3, BUCKET, 'broken/')] });
    await expect(load).rejects.toBeInstanceOf(RuleLoadError);
    await expect(load).rejects.toThrow(/s3:\/\/team-rules\/broken\/bad\.yaml/);
  });

  it('an unreadable prefix (no such bucket) fails loading, naming it', async () => {
    const load = loadRulePack({ sources: [new S3RuleSource(s3, 'no-such-rules-bucket', 'x/')] });
    await expect(load).rejects.toThrow(/s3:\/\/no-such-rules-bucket\/x\/.*NoSuchBucket/);
  });
});
