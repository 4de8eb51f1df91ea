import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRulePack, type RulePack } from '../../../lib/rules/load';
import { runRuleTests } from '../../../lib/rules/test-runner';
import { BUILTIN_DIR } from './helpers';

/**
 * The coverage table in lib/rules/README.md ("Coverage: Stratus Red Team's AWS techniques")
 * is a claim about the pack: every technique has a rule at MEDIUM or above, and the test
 * case it cites exists and gives a finding. This test keeps the table honest when rules or
 * their tests change.
 */

/** Stratus Red Team v2, internal/attacktechniques/aws/: the 44 techniques named in issue 12. */
const TECHNIQUES = [
  'credential-access.ec2-get-password-data', 'credential-access.ec2-steal-instance-credentials', 'credential-access.secretsmanager-batch-retrieve-secrets',
  'credential-access.secretsmanager-retrieve-secrets', 'credential-access.ssm-retrieve-securestring-parameters',
  'defense-evasion.cloudtrail-delete', 'defense-evasion.cloudtrail-event-selectors', 'defense-evasion.cloudtrail-lifecycle-rule', 'defense-evasion.cloudtrail-stop',
  'defense-evasion.dns-delete-logs', 'defense-evasion.organizations-leave', 'defense-evasion.vpc-remove-flow-logs',
  'discovery.ec2-enumerate-from-instance', 'discovery.ec2-get-user-data', 'discovery.ses-enumerate',
  'execution.ec2-launch-unusual-instances', 'execution.ec2-user-data', 'execution.sagemaker-lifecycle-config', 'execution.ssm-send-command', 'execution.ssm-start-session',
  'exfiltration.ec2-security-group-open-port-22-ingress', 'exfiltration.ec2-share-ami', 'exfiltration.ec2-share-ebs-snapshot', 'exfiltration.rds-share-snapshot',
  'exfiltration.s3-backdoor-bucket-policy',
  'impact.bedrock-invoke-model', 'impact.ec2-deregister-ami', 'impact.s3-ransomware-batch-deletion', 'impact.s3-ransomware-client-side-encryption',
  'impact.s3-ransomware-individual-deletion',
  'initial-access.console-login-without-mfa',
  'lateral-movement.ec2-send-serial-console-send-ssh-public-key', 'lateral-movement.ec2-send-ssh-public-key',
  'persistence.iam-backdoor-role', 'persistence.iam-backdoor-user', 'persistence.iam-create-admin-user', 'persistence.iam-create-backdoor-role',
  'persistence.iam-create-user-login-profile', 'persistence.lambda-backdoor-function', 'persistence.lambda-layer-extension', 'persistence.lambda-overwrite-code',
  'persistence.rolesanywhere-create-trust-anchor', 'persistence.sts-federation-token',
  'privilege-escalation.change-iam-user-password',
];

interface Row {
  technique: string;
  rules: string[];
  severity: string;
  /** [rule id, match index] for every `match[i]` cited; an uncited rule name means the row's first rule. */
  proofs: [string, number][];
}

function coverageRows(): Row[] {
  const readme = readFileSync(path.resolve(BUILTIN_DIR, '..', 'lib', 'rules', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf("## Coverage: Stratus Red Team's AWS techniques"));
  const table = section.slice(0, section.indexOf('\n### '));
  return table
    .split('\n')
    .filter((line) => /^\| [a-z-]+\.[a-z0-9-]+ \|/.test(line))
    .map((line) => {
      const [technique = '', rulesCell = '', severity = '', proofCell = ''] = line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
      const rules = [...rulesCell.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1] ?? '');
      const proofs: [string, number][] = [];
      let current = rules[0] ?? '';
      // Walk the proof cell left to right: a `rule-id` switches the rule later match[i] refer to.
      for (const m of proofCell.matchAll(/`([a-z0-9-]+)`|match\[(\d+)\](?:–\[(\d+)\])?/g)) {
        if (m[1] !== undefined) current = m[1];
        else for (let i = Number(m[2]); i <= Number(m[3] ?? m[2]); i++) proofs.push([current, i]);
      }
      return { technique, rules, severity, proofs };
    });
}

let pack: RulePack;
beforeAll(async () => {
  pack = await loadRulePack({ builtinDir: BUILTIN_DIR });
});

describe("lib/rules/README.md coverage table: Stratus Red Team's AWS techniques", () => {
  const rows = coverageRows();

  it('lists each of the 44 techniques exactly once', () => {
    // Prepare, Act
    const listed = rows.map((r) => r.technique);

    // Assess
    expect([...listed].sort()).toEqual([...TECHNIQUES].sort());
  });

  it.each(rows.map((r) => [r.technique, r] as const))('%s: its first rule exists with the stated severity, MEDIUM or above', (_, row) => {
    // Prepare
    const entry = pack.entries.find((e) => e.id === row.rules[0]);

    // Act
    const severity = entry?.tests?.rule.severity;

    // Assess
    expect(row.rules.filter((id) => !pack.entries.some((e) => e.id === id))).toEqual([]);
    expect(severity).toBe(row.severity);
    expect(['MEDIUM', 'HIGH', 'CRITICAL']).toContain(severity);
  });

  it.each(rows.map((r) => [r.technique, r] as const))('%s: every cited test case exists and gives a finding', (_, row) => {
    // Prepare
    expect(row.proofs.length).toBeGreaterThan(0);
    const outcomes = row.proofs.map(([id, i]) => {
      const entry = pack.entries.find((e) => e.id === id);
      const testCase = entry?.tests?.match[i];
      if (entry?.tests === undefined || testCase === undefined) return `${id} match[${i}]: no such case`;

      // Act: that one case, through the engine the pipeline uses
      const [result] = runRuleTests({ entries: [{ ...entry, tests: { ...entry.tests, match: [testCase], noMatch: [] } }] });
      return result?.match.passed === 1 ? 'finding' : `${id} match[${i}]: no finding`;
    });

    // Assess
    expect(outcomes.filter((o) => o !== 'finding')).toEqual([]);
  });
});
