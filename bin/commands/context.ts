import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Command, Option } from 'commander';
import type { ProgressStream } from '../../lib/cli/progress';
import type { IngestDeps } from '../../lib/ingest';
import { list, rulePackOptionsFromEnv } from '../../lib/rules/config';
import { loadRulePack, type RulePack, type RulePackOptions } from '../../lib/rules/load';

/** What the replay commands talk to; tests point these at local servers. */
export interface ReplayEnvironment {
  /** The Lambda's dependencies (default: built from the environment, as the function builds them). */
  readonly ingestDeps?: () => Promise<IngestDeps>;
  readonly sqs?: SQSClient;
  readonly s3?: S3Client;
  /** SQS long-poll wait per receive (default 2 s). */
  readonly queueWaitSeconds?: number;
  /** ListObjectsV2 page size (default 1,000). */
  readonly pageSize?: number;
  /** How long a replayed object stays locked if this process dies (default 15 min). */
  readonly lockMs?: number;
}

/** What every command gets: where to print, the package root, the environment, the exit code. */
export interface CliContext {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Where the progress bar goes (drawn only when it is a terminal). */
  readonly progress: ProgressStream;
  readonly env: ReplayEnvironment;
  readonly processEnv: NodeJS.ProcessEnv;
  /** The package root: the built-in rules are `rules/` below it. */
  readonly root: string;
  setExitCode(code: number): void;
}

/**
 * A command: one module under bin/commands/ exporting one of these, listed once in
 * bin/commands/index.ts. Logic lives in lib/; the module parses options and prints.
 */
export type CommandFactory = (ctx: CliContext) => Command;

export interface RuleFlags {
  readonly rules: string[];
  readonly disable: string[];
  readonly allowedRegions?: string[];
}

/** `--rules`, `--disable`, `--allowed-regions`: shared by every command that loads the pack. */
export function withRuleOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--rules <dir>', 'a directory of your rules (trailwatch YAML or Sigma); repeatable').argParser(collect).default([]))
    .addOption(new Option('--disable <ids>', 'rule ids not to evaluate, comma-separated; repeatable').argParser(collectList).default([]))
    .option('--allowed-regions <regions>', 'Region codes for ${ALLOWED_REGIONS}, comma-separated', (v: string) => list(v));
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

function collectList(value: string, previous: string[]): string[] {
  return previous.concat(list(value));
}

/** Settings default to the variables the Lambda reads (RULES_DIR, DISABLED_RULES, …); flags add to them. */
export function packOptions(flags: RuleFlags, ctx: CliContext): RulePackOptions {
  const env = ctx.processEnv;
  const fromEnv = rulePackOptionsFromEnv({ ...env, LAMBDA_TASK_ROOT: undefined, BUILTIN_RULES_DIR: env.BUILTIN_RULES_DIR ?? path.join(ctx.root, 'rules') });
  return {
    ...fromEnv,
    // the CLI always loads strictly: a broken rule file fails test-rules and scan (and CI)
    strict: true,
    userDirs: [...(fromEnv.userDirs ?? []), ...flags.rules.map((d) => path.resolve(d))],
    disabled: [...(fromEnv.disabled ?? []), ...flags.disable],
    params: flags.allowedRegions === undefined ? fromEnv.params : { ...fromEnv.params, ALLOWED_REGIONS: flags.allowedRegions },
  };
}

export async function loadPack(flags: RuleFlags, ctx: CliContext): Promise<RulePack> {
  const pack = await loadRulePack(packOptions(flags, ctx));
  const off = pack.entries.filter((e) => e.status !== 'active');
  ctx.err(`${pack.rules.length} rule(s) active${off.length > 0 ? `; not evaluated: ${off.map((e) => `${e.id} (${e.statusReason})`).join(', ')}` : ''}`);
  for (const refused of pack.refused) ctx.err(`refused ${refused.file} (${refused.format}): ${refused.reason}`);
  return pack;
}

/** Help text's examples block. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
