import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { RuleLoadError } from '../../../lib/rules/errors';
import { buildRulePack, loadRulePack, type RulePack } from '../../../lib/rules/load';
import { runRuleTests } from '../../../lib/rules/test-runner';
import { BUILTIN_DIR, builtinRecord, ruleDoc } from './helpers';

/**
 * The exposure corpus (test/fixtures/exposure/corpus.json) through the built-in rules, in
 * each service's record shape: the rules, not only the functions, say public / outside /
 * nothing for every labelled policy and sharing change.
 */
interface Case {
  name: string;
  kind: 'policy' | 'sharing' | 'permission' | 'acl';
  expect: 'public' | 'outside' | 'private';
  value: unknown;
}
const corpus = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/exposure/corpus.json'), 'utf8')) as {
  trust: { ownAccount: string; accounts: string[]; organizations: string[] };
  cases: Case[];
};
const EXPOSURE_RULES = new Set([
  's3-bucket-policy-public', 's3-bucket-policy-cross-account', 's3-bucket-acl-public', 'resource-policy-exposed',
  'lambda-function-permission-opened', 'ec2-ami-shared', 'ec2-ebs-snapshot-shared', 'rds-snapshot-shared',
]);

type Rec = Record<string, unknown> & { requestParameters: Record<string, unknown> };
const text = (value: unknown): unknown => (typeof value === 'string' ? value : JSON.stringify(value));

/** Where each service carries a policy: [label, record with the policy in place]. */
const POLICY_CARRIERS: [string, (policy: unknown) => Rec][] = [
  ['S3 PutBucketPolicy', (p) => withParams(builtinRecord('s3-bucket-policy-public', 'match', 0), { bucketPolicy: typeof p === 'string' ? parseOr(p) : p })],
  ['SQS SetQueueAttributes', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 0), { attributes: { Policy: text(p) } })],
  ['SNS SetTopicAttributes', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 3), { attributeValue: text(p) })],
  ['ECR SetRepositoryPolicy', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 5), { policyText: text(p) })],
  ['KMS PutKeyPolicy', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 6), { policy: text(p) })],
  ['Secrets Manager PutResourcePolicy', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 8), { resourcePolicy: text(p) })],
  ['OpenSearch UpdateElasticsearchDomainConfig', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 9), { accessPolicies: text(p) })],
  ['Glacier SetVaultAccessPolicy', (p) => withParams(builtinRecord('resource-policy-exposed', 'match', 11), { policy: { policy: text(p) } })],
];

function parseOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function withParams(record: unknown, params: Record<string, unknown>): Rec {
  const r = record as Rec;
  r.requestParameters = { ...r.requestParameters, ...params };
  return r;
}

/** What each label must give, per carrier. */
function expected(carrier: string, label: Case['expect']): string[] {
  if (label === 'private') return [];
  if (carrier.startsWith('S3')) return [label === 'public' ? 's3-bucket-policy-public' : 's3-bucket-policy-cross-account'];
  return ['resource-policy-exposed'];
}

let pack: RulePack;
const fired = (record: unknown): string[] => pack.rules.filter((r) => EXPOSURE_RULES.has(r.id) && r.test(record)).map((r) => r.id).sort();

beforeAll(async () => {
  pack = await loadRulePack({ builtinDir: BUILTIN_DIR, trust: { accounts: corpus.trust.accounts, organizations: corpus.trust.organizations } });
});

describe('exposure corpus through the built-in rules', () => {
  const policies = corpus.cases.filter((c) => c.kind === 'policy');
  const cases = POLICY_CARRIERS.flatMap(([carrier, build]) => policies.map((c) => [`${carrier}: ${c.name} (${c.expect})`, carrier, build, c] as const));

  it.each(cases)('%s', (_title, carrier, build, c) => {
    // Prepare
    const record = build(c.value);

    // Act
    const ids = fired(record);

    // Assess
    expect(ids).toEqual(expected(carrier, c.expect));
  });

  const SHARING: [string, (value: unknown) => Rec, string][] = [
    ['EC2 ModifyImageAttribute', (v) => withParams(builtinRecord('ec2-ami-shared', 'match', 0), { launchPermission: v }), 'ec2-ami-shared'],
    ['EC2 ModifySnapshotAttribute', (v) => withParams(builtinRecord('ec2-ebs-snapshot-shared', 'match', 0), { createVolumePermission: v }), 'ec2-ebs-snapshot-shared'],
  ];
  const sharing = corpus.cases.filter((c) => c.kind === 'sharing');
  const sharingCases = [
    ...SHARING.flatMap(([carrier, build, id]) => sharing.filter((c) => !Array.isArray(c.value)).map((c) => [`${carrier}: ${c.name} (${c.expect})`, build(c.value), c.expect === 'private' ? [] : [id]] as const)),
    ...sharing.filter((c) => Array.isArray(c.value)).flatMap((c) => [
      [`RDS ModifyDBSnapshotAttribute: ${c.name} (${c.expect})`, withParams(builtinRecord('rds-snapshot-shared', 'match', 0), { valuesToAdd: c.value }), c.expect === 'private' ? [] : ['rds-snapshot-shared']] as const,
      [`SNS AddPermission: ${c.name} (${c.expect})`, withParams(builtinRecord('resource-policy-exposed', 'match', 4), { aWSAccountId: c.value }), c.expect === 'private' ? [] : ['resource-policy-exposed']] as const,
    ]),
    ...corpus.cases
      .filter((c) => c.kind === 'permission')
      .map((c) => {
        const record = builtinRecord('lambda-function-permission-opened', 'match', 0) as unknown as Rec;
        record.requestParameters = c.value as Record<string, unknown>;
        return [`Lambda AddPermission: ${c.name} (${c.expect})`, record, c.expect === 'private' ? [] : ['lambda-function-permission-opened']] as const;
      }),
    ...corpus.cases
      .filter((c) => c.kind === 'acl')
      .map((c) => {
        const record = builtinRecord('s3-bucket-acl-public', 'match', 0) as unknown as Rec;
        record.requestParameters = c.value as Record<string, unknown>;
        return [`S3 PutBucketAcl: ${c.name} (${c.expect})`, record, c.expect === 'private' ? [] : ['s3-bucket-acl-public']] as const;
      }),
  ];

  it.each(sharingCases)('%s', (_title, record, ids) => {
    // Prepare, Act
    const result = fired(record);

    // Assess
    expect(result).toEqual([...ids]);
  });
});

describe('where: in rule files', () => {
  const policyRule = (where: unknown, extra: Record<string, unknown> = {}): { file: string; text: string } => ({
    file: 'user/bucket-open.yaml',
    text: stringify(
      ruleDoc('bucket-open', {
        match: '{ ($.eventName = "PutBucketPolicy") }',
        where,
        tests: {
          trust: { accounts: ['444455556666'] },
          match: [builtinRecord('s3-bucket-policy-cross-account', 'match', 0)],
          noMatch: [builtinRecord('s3-bucket-policy-cross-account', 'noMatch', 0)],
        },
        ...extra,
      }),
    ),
  });

  it('refuses an unknown function at load time, naming it', () => {
    // Prepare
    const documents = [policyRule('policyIsOpen(requestParameters.bucketPolicy)')];

    // Act
    const load = (): unknown => buildRulePack(documents);

    // Assess
    expect(load).toThrow(RuleLoadError);
    expect(load).toThrow(expect.objectContaining({ reason: 'InvalidWhere', file: 'user/bucket-open.yaml', message: expect.stringContaining('unknown function policyIsOpen') }) as Error);
  });

  it('refuses a where that is not a string', () => {
    // Prepare, Act
    const load = (): unknown => buildRulePack([policyRule(['policyIsPublic(requestParameters.bucketPolicy)'])]);

    // Assess
    expect(load).toThrow(expect.objectContaining({ reason: 'InvalidRule' }) as Error);
  });

  it('runs the tests with tests.trust and the deployment with the configured trust', () => {
    // Prepare: the outside account of the test record, trusted only in configuration
    const documents = [policyRule('policyGrantsOutside(requestParameters.bucketPolicy)')];
    const record = builtinRecord('s3-bucket-policy-cross-account', 'match', 0);

    // Act
    const untrusted = buildRulePack(documents);
    const trusted = buildRulePack(documents, { trust: { accounts: ['999988887777'], organizations: [] } });

    // Assess: the tests pass only with tests.trust (noMatch[0] is the trusted 444455556666)
    expect(untrusted.rules[0]?.test(record)).toBe(true);
    expect(untrusted.rules[0]?.test(builtinRecord('s3-bucket-policy-cross-account', 'noMatch', 0))).toBe(true);
    expect(trusted.rules[0]?.test(record)).toBe(false);
    expect(runRuleTests(trusted).map((r) => r.status)).toEqual(['pass']);
  });

  it('keeps the eventName index proven from match', () => {
    // Prepare, Act
    const pack2 = buildRulePack([policyRule('policyIsPublic(requestParameters.bucketPolicy)')]);

    // Assess
    expect([...(pack2.rules[0]?.eventNames ?? [])]).toEqual(['PutBucketPolicy']);
  });
});
