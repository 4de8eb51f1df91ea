/**
 * trailwatch command-line tool.
 *
 *   tsx bin/trailwatch.ts test-rules [--rules dir]… [--allowed-regions r1,r2]
 *       Runs every rule's own tests (built-in pack and user directories); one line per
 *       rule; exits 1 if a test fails or a rule file does not load.
 *
 *   tsx bin/trailwatch.ts scan <dir> [--rules dir]… [--disable id,id] [--allowed-regions r1,r2] [--json]
 *       Evaluates the rule pack over the CloudTrail files (.json.gz, .json) below <dir>,
 *       through the Lambda's own pipeline, and prints the findings (one JSON object per
 *       line with --json). Exits 1 if a file could not be read.
 *
 * Settings default to the environment variables the Lambda reads (RULES_DIR,
 * DISABLED_RULES, ALLOWED_REGIONS, BUILTIN_RULES_DIR; see lib/rules/README.md); flags add to
 * or replace them. The built-in pack is rules/ in this repository.
 */
import path from 'node:path';
import type { Finding } from '../lib/findings';
import { list, rulePackOptionsFromEnv } from '../lib/rules/config';
import { RuleLoadError } from '../lib/rules/errors';
import { loadRulePack, type RulePack, type RulePackOptions } from '../lib/rules/load';
import { scanDirectory } from '../lib/rules/scan';
import { formatRuleTestResult, runRuleTests } from '../lib/rules/test-runner';

const USAGE = `usage:
  trailwatch test-rules [--rules dir]… [--allowed-regions r1,r2]
  trailwatch scan <dir> [--rules dir]… [--disable id,id] [--allowed-regions r1,r2] [--json]`;

interface Args {
  readonly command?: string;
  readonly positional: string[];
  readonly rules: string[];
  readonly disable: string[];
  readonly allowedRegions?: string[];
  readonly json: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const rules: string[] = [];
  const disable: string[] = [];
  let allowedRegions: string[] | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--rules') rules.push(value());
    else if (arg === '--disable') disable.push(...list(value()));
    else if (arg === '--allowed-regions') allowedRegions = list(value());
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') return { command: 'help', positional, rules, disable, json };
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const [command, ...rest] = positional;
  return { command, positional: rest, rules, disable, json, ...(allowedRegions === undefined ? {} : { allowedRegions }) };
}

function packOptions(args: Args, env: NodeJS.ProcessEnv): RulePackOptions {
  const fromEnv = rulePackOptionsFromEnv({ ...env, LAMBDA_TASK_ROOT: undefined, BUILTIN_RULES_DIR: env.BUILTIN_RULES_DIR ?? path.resolve(__dirname, '..', 'rules') });
  return {
    ...fromEnv,
    userDirs: [...(fromEnv.userDirs ?? []), ...args.rules.map((d) => path.resolve(d))],
    disabled: [...(fromEnv.disabled ?? []), ...args.disable],
    params: args.allowedRegions === undefined ? fromEnv.params : { ...fromEnv.params, ALLOWED_REGIONS: args.allowedRegions },
  };
}

async function testRules(args: Args, out: (line: string) => void): Promise<number> {
  const pack = await loadRulePack(packOptions(args, process.env));
  const results = runRuleTests(pack);
  for (const result of results) out(formatRuleTestResult(result));
  for (const refused of pack.refused) out(`SKIP ${refused.file}  refused (${refused.format}): ${refused.reason}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  out(`\n${results.length} rules: ${results.length - failed} passed, ${failed} failed${pack.refused.length > 0 ? `; ${pack.refused.length} refused` : ''}`);
  return failed > 0 ? 1 : 0;
}

async function scan(args: Args, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const dir = args.positional[0];
  if (dir === undefined) throw new UsageError('scan needs a directory');
  const pack = await loadRulePack(packOptions(args, process.env));
  describePack(pack, err);
  let files = 0;
  let failed = 0;
  let records = 0;
  let findings = 0;
  for await (const { file, report } of scanDirectory(path.resolve(dir), pack)) {
    files++;
    records += report.records.read;
    if (report.status === 'failed') {
      failed++;
      err(`${file}: failed: ${report.reason}`);
      continue;
    }
    if (report.status === 'skipped') err(`${file}: skipped: ${report.reason}`);
    for (const finding of report.findings) {
      findings++;
      out(args.json ? JSON.stringify(finding) : formatFinding(finding));
    }
  }
  err(`${files} file(s), ${records} record(s), ${findings} finding(s)${failed > 0 ? `, ${failed} file(s) failed` : ''}`);
  return failed > 0 ? 1 : 0;
}

function describePack(pack: RulePack, err: (line: string) => void): void {
  const off = pack.entries.filter((e) => e.status !== 'active');
  err(`${pack.rules.length} rule(s) active${off.length > 0 ? `; not evaluated: ${off.map((e) => `${e.id} (${e.statusReason})`).join(', ')}` : ''}`);
  for (const refused of pack.refused) err(`refused ${refused.file} (${refused.format}): ${refused.reason}`);
}

/** `HIGH  root-console-login  2026-11-24T09:01:05Z  111122223333 us-east-1  ConsoleLogin by Root arn:… from 203.0.113.9  [file]`. */
export function formatFinding(f: Finding): string {
  const who = f.principal ? [f.principal.type, f.principal.arn ?? f.principal.userName].filter(Boolean).join(' ') : 'unknown principal';
  const what = [f.eventName ?? '(no eventName)', `by ${who}`, f.sourceIPAddress ? `from ${f.sourceIPAddress}` : '', f.errorCode ? `(${f.errorCode})` : '']
    .filter(Boolean)
    .join(' ');
  const count = f.count > 1 ? ` ×${f.count}` : '';
  return `${f.severity.padEnd(8)} ${f.ruleId}${count}  ${f.eventTime ?? '-'}  ${f.accountId ?? '-'} ${f.region ?? '-'}  ${what}  [${f.object.key}]`;
}

export async function main(argv: readonly string[], out = (l: string) => console.log(l), err = (l: string) => console.error(l)): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'test-rules':
        return await testRules(args, out);
      case 'scan':
        return await scan(args, out, err);
      case 'help':
        out(USAGE);
        return 0;
      default:
        throw new UsageError(args.command === undefined ? 'no command' : `unknown command ${args.command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof RuleLoadError) {
      err(`rule pack did not load: ${e.reason}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
