import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SEVERITIES } from '../../../lib/findings';
import { compileFilterPattern } from '../../../lib/rules/filter-pattern';
import { loadRulePack, type RulePack } from '../../../lib/rules/load';
import { RuleFileSchema, testCaseRecords, type RuleFile } from '../../../lib/rules/schema';
import { runRuleTests } from '../../../lib/rules/test-runner';
import { BUILTIN_DIR } from './helpers';

/**
 * The conventions of the built-in pack, as tests over the whole rule set (the habit of
 * elastic/detection-rules `test_all_rules.py` and SigmaHQ `tests/test_rules.py`).
 */

/** The Security Hub CloudWatch.1–14 patterns as published (AWS Security Hub user guide, 2023; AWS-FACTS.md). */
const PUBLISHED_PATTERNS: Readonly<Record<number, string>> = {
  1: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  2: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  3: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  4: '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
  5: '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
  6: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  7: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  8: '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  9: '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
  10: '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
  11: '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
  12: '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
  13: '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
  14: '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
};

/** Fields CloudTrail writes on every management event; a test record without them is a stub. */
const ENVELOPE = ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'eventID', 'eventType', 'recipientAccountId'];

const files = readdirSync(BUILTIN_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const rules: { file: string; rule: RuleFile }[] = files.map((file) => ({ file, rule: RuleFileSchema.parse(parse(readFileSync(path.join(BUILTIN_DIR, file), 'utf8'))) }));

let pack: RulePack;
beforeAll(async () => {
  pack = await loadRulePack({ builtinDir: BUILTIN_DIR });
});

describe('the built-in rule pack', () => {
  it('loads, every rule file', () => {
    // Prepare, Act: beforeAll

    // Assess
    expect(pack.entries.map((e) => path.basename(e.file))).toEqual(files);
    expect(pack.refused).toEqual([]);
  });

  it.each(files)('%s: every test passes', (file) => {
    // Prepare
    const entry = pack.entries.find((e) => path.basename(e.file) === file)!;

    // Act
    const [result] = runRuleTests({ entries: [entry] });

    // Assess
    expect(result?.failures).toEqual([]);
    expect(result?.status).toBe('pass');
  });

  it('has unique ids, each equal to its file name', () => {
    // Prepare
    const ids = rules.map((r) => r.rule.id);

    // Act
    const stems = files.map((f) => f.replace(/\.ya?ml$/, ''));

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(stems);
  });

  it('gives every rule at least one case that must match and one that must not', () => {
    // Prepare, Act
    const counts = rules.map(({ rule }) => [rule.id, rule.tests.match.length > 0, rule.tests.noMatch.length > 0]);

    // Assess
    expect(counts.filter(([, m, n]) => !m || !n)).toEqual([]);
  });

  it('writes test records as CloudTrail does: full records, not stubs', () => {
    // Prepare
    const stubs: string[] = [];

    // Act
    for (const { rule } of rules) {
      const cases = [...rule.tests.match, ...rule.tests.noMatch].flatMap(testCaseRecords);
      cases.forEach((record, i) => {
        const missing = ENVELOPE.filter((field) => !(field in record));
        if (missing.length > 0 || Object.keys(record).length < 14) stubs.push(`${rule.id} case ${i}: missing ${missing.join(', ') || '(too few fields)'}`);
      });
    }

    // Assess
    expect(stubs).toEqual([]);
  });

  it('compiles every pattern', () => {
    // Prepare
    const patterns = pack.entries.map((e) => e.tests?.rule.expression ?? '');

    // Act
    const compiled = patterns.map((p) => compileFilterPattern(p));

    // Assess
    expect(compiled).toHaveLength(files.length);
  });

  it('covers Security Hub CloudWatch.1–14 with the published patterns, unchanged', () => {
    // Prepare
    const byControl = new Map<number, RuleFile>();
    for (const { rule } of rules) {
      for (const ref of rule.references) {
        const m = /^Security Hub CloudWatch\.(\d+)$/.exec(ref);
        if (m) byControl.set(Number(m[1]), rule);
      }
    }

    // Act
    const controls = [...byControl.keys()].sort((a, b) => a - b);

    // Assess
    expect(controls).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    for (const n of controls) expect([n, byControl.get(n)?.match]).toEqual([n, PUBLISHED_PATTERNS[n]]);
  });

  it('covers CIS AWS Foundations 1.4.0 4.1–4.15 (4.15: AWS Organizations changes)', () => {
    // Prepare
    const refs = new Set(rules.flatMap(({ rule }) => rule.references));

    // Act
    const missing = Array.from({ length: 15 }, (_, i) => `CIS AWS Foundations 1.4.0 4.${i + 1}`).filter((r) => !refs.has(r));

    // Assess
    expect(missing).toEqual([]);
  });

  it('includes the rules an on-call security engineer expects beyond CIS', () => {
    // Prepare
    const expected = [
      'root-console-login',
      'root-console-login-failure',
      'root-access-key-created',
      'iam-user-created',
      'iam-access-key-created',
      'mfa-device-deactivated',
      'guardduty-disabled',
      'securityhub-disabled',
      'config-disabled',
      'cloudtrail-disabled',
      's3-bucket-acl-public',
      's3-bucket-policy-public',
      's3-public-access-block-removed',
      'kms-key-policy-changed',
      'ec2-instance-launched-outside-allowed-regions',
    ];

    // Act
    const ids = new Set(rules.map((r) => r.rule.id));

    // Assess
    expect(expected.filter((id) => !ids.has(id))).toEqual([]);
    expect(rules.filter((r) => r.rule.id.startsWith('root-console-login')).map((r) => r.rule.severity)).toEqual(['CRITICAL', 'CRITICAL']);
  });

  it('says in every description what the rule cannot see', () => {
    // Prepare, Act
    const silent = rules.filter(({ rule }) => !/Known gaps:/.test(rule.description)).map((r) => r.rule.id);

    // Assess
    expect(silent).toEqual([]);
  });

  it('is listed, with its severity, in lib/rules/README.md', () => {
    // Prepare
    const readme = readFileSync(path.resolve(BUILTIN_DIR, '..', 'lib', 'rules', 'README.md'), 'utf8');

    // Act
    const unlisted = rules.filter(({ rule }) => !readme.includes(`| \`${rule.id}\` | ${rule.severity} |`)).map((r) => r.rule.id);

    // Assess
    expect(unlisted).toEqual([]);
  });

  it('uses only known severities and gives every rule a runbook and a reference', () => {
    // Prepare, Act
    const bad = rules.filter(({ rule }) => !SEVERITIES.includes(rule.severity) || rule.runbook.trim() === '' || rule.references.length === 0);

    // Assess
    expect(bad.map((r) => r.rule.id)).toEqual([]);
  });
});
