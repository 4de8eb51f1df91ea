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
 *   tsx bin/trailwatch.ts replay-queue --queue-url URL [--max N] [--no-alerts]
 *       Re-drives the failure queue: each message (Lambda's on-failure invocation record, or
 *       a redriven S3 event) goes back through the Lambda's pipeline; it is deleted only
 *       after that succeeded, and kept (with the reason printed) otherwise. Exits 1 if any
 *       message was kept.
 *
 *   tsx bin/trailwatch.ts reprocess --bucket B --prefix P [--from ISO] [--to ISO] [--no-alerts]
 *       Reprocesses the CloudTrail log files under s3://B/P delivered in [from, to) (the
 *       time in the file name). Idempotent: objects already processed and alerts already
 *       sent are not repeated. Exits 1 if an object failed.
 *
 * Settings default to the environment variables the Lambda reads (RULES_DIR,
 * DISABLED_RULES, ALLOWED_REGIONS, BUILTIN_RULES_DIR; see lib/rules/README.md); flags add to
 * or replace them. The built-in pack is rules/ in this repository. The replay commands
 * build the Lambda's own dependencies from the same variables (LOG_GROUP_NAME,
 * DEDUP_TABLE_NAME, ALERT_TOPIC_ARN, FINDINGS_TOPIC_ARN, …; functions/commons/deps.ts),
 * with the standard AWS_* variables for credentials, region, endpoints and retries. A topic
 * configured by name only cannot be reached outside Lambda: give its *_TOPIC_ARN, or
 * --no-alerts to process without alerting (findings stay pending; a later run sends them).
 */
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { buildIngestDeps } from '../functions/commons/deps';
import { S3ObjectLister } from '../lib/aws/s3-object-lister';
import { SqsFailureQueue } from '../lib/aws/sqs-failure-queue';
import { ConfigError, loadConfig } from '../lib/config';
import type { Finding } from '../lib/findings';
import type { IngestDeps } from '../lib/ingest';
import { formatReplayQueueSummary, formatReprocessSummary, ingestWith, replayQueue, reprocessPrefix } from '../lib/replay';
import { findingTotal } from '../lib/report';
import { list, rulePackOptionsFromEnv } from '../lib/rules/config';
import { RuleLoadError } from '../lib/rules/errors';
import { loadRulePack, type RulePack, type RulePackOptions } from '../lib/rules/load';
import { scanDirectory } from '../lib/rules/scan';
import { formatRuleTestResult, runRuleTests } from '../lib/rules/test-runner';
import { formatSuppressions, runExceptionTests } from '../lib/rules/exceptions';
import type { DeliveryReport } from '../lib/report';

const USAGE = `usage:
  trailwatch test-rules [--rules dir]… [--allowed-regions r1,r2]
  trailwatch scan <dir> [--rules dir]… [--disable id,id] [--allowed-regions r1,r2] [--json]
  trailwatch replay-queue --queue-url URL [--max N] [--no-alerts]
  trailwatch reprocess --bucket B --prefix P [--from ISO] [--to ISO] [--no-alerts]`;

interface Args {
  readonly command?: string;
  readonly positional: string[];
  readonly rules: string[];
  readonly disable: string[];
  readonly allowedRegions?: string[];
  readonly json: boolean;
  /** replay-queue / reprocess: process without alerting; findings stay pending for a later run. */
  readonly noAlerts: boolean;
  /** replay-queue / reprocess options, by flag name without the dashes. */
  readonly options: Readonly<Record<string, string>>;
}

/** Flags that take a value, for the replay commands. */
const VALUE_FLAGS = new Set(['--queue-url', '--max', '--bucket', '--prefix', '--from', '--to']);

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const rules: string[] = [];
  let disable: string[] = [];
  let allowedRegions: string[] | undefined;
  let json = false;
  let noAlerts = false;
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--rules') rules.push(value());
    else if (arg === '--disable') disable = disable.concat(list(value()));
    else if (arg === '--allowed-regions') allowedRegions = list(value());
    else if (arg === '--json') json = true;
    else if (arg === '--no-alerts') noAlerts = true;
    else if (VALUE_FLAGS.has(arg)) options[arg.slice(2)] = value();
    else if (arg === '--help' || arg === '-h') return { command: 'help', positional, rules, disable, json, noAlerts, options };
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const [command, ...rest] = positional;
  return { command, positional: rest, rules, disable, json, noAlerts, options, ...(allowedRegions === undefined ? {} : { allowedRegions }) };
}

function packOptions(args: Args, env: NodeJS.ProcessEnv): RulePackOptions {
  const fromEnv = rulePackOptionsFromEnv({ ...env, LAMBDA_TASK_ROOT: undefined, BUILTIN_RULES_DIR: env.BUILTIN_RULES_DIR ?? path.resolve(__dirname, '..', 'rules') });
  return {
    ...fromEnv,
    userDirs: [...(fromEnv.userDirs ?? []), ...args.rules.map((d) => path.resolve(d))],
    disabled: [...(fromEnv.disabled ?? []), ...args.disable],
    params: args.allowedRegions === undefined ? fromEnv.params : { ...fromEnv.params, ALLOWED_REGIONS: args.allowedRegions },
    // the CLI is where broken rule files are found (CI, packaging): always strict
    strict: true,
  };
}

async function testRules(args: Args, out: (line: string) => void): Promise<number> {
  const pack = await loadRulePack(packOptions(args, process.env));
  const exceptions = runExceptionTests(pack);
  const results = [...runRuleTests(pack), ...exceptions];
  for (const result of results) out(formatRuleTestResult(result));
  for (const refused of pack.refused) out(`SKIP ${refused.file}  refused (${refused.format}): ${refused.reason}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  const counted = `${results.length - exceptions.length} rules${exceptions.length > 0 ? `, ${exceptions.length} exceptions` : ''}`;
  out(`\n${counted}: ${results.length - failed} passed, ${failed} failed${pack.refused.length > 0 ? `; ${pack.refused.length} refused` : ''}`);
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
  let listed = 0;
  const suppressed: DeliveryReport[] = [];
  for await (const { file, report } of scanDirectory(path.resolve(dir), pack)) {
    files++;
    if (report.suppressed) suppressed.push(report);
    records += report.records.read;
    if (report.status === 'failed') {
      failed++;
      err(`${file}: failed: ${report.reason}`);
      continue;
    }
    if (report.status === 'skipped') err(`${file}: skipped: ${report.reason}`);
    for (const finding of report.findings) out(args.json ? JSON.stringify(finding) : formatFinding(finding));
    // the true count: a storm lists FINDING_LIMITS findings and counts the rest
    findings += findingTotal(report);
    listed += report.findings.length;
    if (findingTotal(report) > report.findings.length) {
      err(`${file}: ${findingTotal(report)} findings, ${report.findings.length} listed (the rest over the per-rule and per-delivery limits)`);
    }
  }
  for (const line of formatSuppressions(suppressed)) err(line);
  const unlisted = findings > listed ? ` (${listed} listed)` : '';
  err(`${files} file(s), ${records} record(s), ${findings} finding(s)${unlisted}${failed > 0 ? `, ${failed} file(s) failed` : ''}`);
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

/** The Lambda's dependencies from the environment and rule flags: the replay runs what the function runs. */
async function environmentDeps(args: Args, err: (line: string) => void): Promise<IngestDeps> {
  const config = loadConfig(args.noAlerts ? { ...process.env, TRAILWATCH_ALERTS: 'off' } : process.env);
  const pack = await loadRulePack(packOptions(args, process.env));
  describePack(pack, err);
  const logger = {
    info: () => undefined,
    warn: (message: string) => err(`warning: ${message}`),
    error: (message: string) => err(`error: ${message}`),
  };
  const metrics = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
  const deps = buildIngestDeps(config, pack, { logger, metrics });
  if (!deps.idempotency) err('warning: DEDUP_TABLE_NAME is not set: objects the Lambda already processed are forwarded again, alerts sent again');
  return deps;
}

function required(args: Args, flag: string, command: string): string {
  const value = args.options[flag];
  if (value === undefined) throw new UsageError(`${command} needs --${flag}`);
  return value;
}

function dateOption(args: Args, flag: string): Date | undefined {
  const text = args.options[flag];
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at)) throw new UsageError(`--${flag} must be an ISO 8601 time, e.g. 2026-11-24T09:00Z (got ${JSON.stringify(text)})`);
  return new Date(at);
}

async function replayQueueCommand(args: Args, out: (line: string) => void, err: (line: string) => void, env: ReplayEnvironment): Promise<number> {
  const queueUrl = required(args, 'queue-url', 'replay-queue');
  const maxText = args.options.max;
  const max = maxText === undefined ? undefined : Number(maxText);
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new UsageError(`--max must be a positive integer (got ${JSON.stringify(maxText)})`);
  const deps = await (env.ingestDeps ?? (() => environmentDeps(args, err)))();
  const sqs = env.sqs ?? new SQSClient({});
  const queue = new SqsFailureQueue(sqs, queueUrl, env.queueWaitSeconds === undefined ? {} : { waitSeconds: env.queueWaitSeconds });
  const summary = await replayQueue(queue, ingestWith(deps, env.lockMs === undefined ? {} : { lockMs: env.lockMs }), {
    ...(max === undefined ? {} : { max }),
    log: out,
  });
  out(formatReplayQueueSummary(summary));
  return summary.kept > 0 ? 1 : 0;
}

async function reprocessCommand(args: Args, out: (line: string) => void, err: (line: string) => void, env: ReplayEnvironment): Promise<number> {
  const bucket = required(args, 'bucket', 'reprocess');
  const prefix = required(args, 'prefix', 'reprocess');
  const from = dateOption(args, 'from');
  const to = dateOption(args, 'to');
  if (from && to && from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');
  const deps = await (env.ingestDeps ?? (() => environmentDeps(args, err)))();
  const lister = new S3ObjectLister(env.s3 ?? new S3Client({}), env.pageSize === undefined ? {} : { pageSize: env.pageSize });
  const summary = await reprocessPrefix(lister, ingestWith(deps, env.lockMs === undefined ? {} : { lockMs: env.lockMs }), {
    bucket,
    prefix,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    log: out,
  });
  out(formatReprocessSummary(bucket, prefix, summary));
  return summary.failed > 0 ? 1 : 0;
}

export async function main(
  argv: readonly string[],
  out = (l: string) => console.log(l),
  err = (l: string) => console.error(l),
  env: ReplayEnvironment = {},
): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'test-rules':
        return await testRules(args, out);
      case 'scan':
        return await scan(args, out, err);
      case 'replay-queue':
        return await replayQueueCommand(args, out, err, env);
      case 'reprocess':
        return await reprocessCommand(args, out, err, env);
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
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
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
