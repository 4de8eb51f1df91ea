import { existsSync } from 'node:fs';
import path from 'node:path';
import { PRECOMPILED_BUILTIN_RULES } from './builtin-pack';
import type { RulePackOptions } from './load';
import { sigmaRuleFormat } from './sigma';

/**
 * Rule configuration from environment variables (set by serverless.yml, or in a shell for
 * the CLI):
 *
 * - `BUILTIN_RULES_DIR` — the built-in pack; default `rules/` under the Lambda task root
 *   (`LAMBDA_TASK_ROOT`) when it has one, else under the current directory. Unset in the
 *   function's bundle, the pack parsed at build time is used (lib/rules/builtin-pack.ts).
 * - `RULES_DIR` — users' rule directories, comma-separated, relative to the same root.
 * - `DISABLED_RULES` — rule ids not to evaluate, comma-separated.
 * - `ALLOWED_REGIONS` — Region codes, comma-separated: the `${ALLOWED_REGIONS}` parameter
 *   (EC2 instances launched elsewhere alert; unset, that rule stays inactive).
 * - `TRUSTED_ACCOUNTS`, `TRUSTED_ORGANIZATIONS` — account ids / `o-…` ids, comma-separated,
 *   that `where:` functions count as ours (besides the record's own account).
 * - `RULES_STRICT` — `true`: a broken user rule file fails loading; otherwise it is skipped,
 *   logged, counted and alarmed (the built-in pack is always strict).
 */
export function rulePackOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): RulePackOptions {
  // In Lambda the package is unpacked at LAMBDA_TASK_ROOT; `serverless invoke local` sets that
  // variable too (to /var/task) but runs from the service directory, where rules/ lives.
  const taskRoot = env.LAMBDA_TASK_ROOT;
  const root = taskRoot && existsSync(path.join(taskRoot, 'rules')) ? taskRoot : process.cwd();
  const allowedRegions = list(env.ALLOWED_REGIONS);
  return {
    builtinDir: path.resolve(root, env.BUILTIN_RULES_DIR ?? 'rules'),
    ...(env.BUILTIN_RULES_DIR === undefined && PRECOMPILED_BUILTIN_RULES !== undefined ? { builtin: PRECOMPILED_BUILTIN_RULES } : {}),
    userDirs: list(env.RULES_DIR).map((dir) => path.resolve(root, dir)),
    disabled: list(env.DISABLED_RULES),
    params: allowedRegions.length > 0 ? { ALLOWED_REGIONS: allowedRegions } : {},
    ...(env.TRUSTED_ACCOUNTS || env.TRUSTED_ORGANIZATIONS ? { trust: { accounts: list(env.TRUSTED_ACCOUNTS), organizations: list(env.TRUSTED_ORGANIZATIONS) } } : {}),
    // one broken user rule file must not stop every other rule (RULES_STRICT=true: it does)
    strict: env.RULES_STRICT === 'true',
    // Sigma rules (logsource aws/cloudtrail) load from the same directories
    formats: [sigmaRuleFormat],
  };
}

/** `a, b,,c` → ['a', 'b', 'c']. */
export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
