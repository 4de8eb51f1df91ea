import { buildIngestDeps } from '../../functions/commons/deps';
import { loadConfig } from '../../lib/config';
import type { IngestDeps } from '../../lib/ingest';
import { loadPack, type CliContext, type RuleFlags } from './context';

/** The Lambda's dependencies from the environment and rule flags: the replay runs what the function runs. */
export async function environmentDeps(flags: RuleFlags & { alerts: boolean }, ctx: CliContext): Promise<IngestDeps> {
  const config = loadConfig(flags.alerts ? ctx.processEnv : { ...ctx.processEnv, TRAILWATCH_ALERTS: 'off' });
  const pack = await loadPack(flags, ctx);
  const logger = {
    info: () => undefined,
    warn: (message: string) => ctx.err(`warning: ${message}`),
    error: (message: string) => ctx.err(`error: ${message}`),
  };
  const metrics = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
  const deps = buildIngestDeps(config, pack, { logger, metrics });
  if (!deps.idempotency) ctx.err('warning: DEDUP_TABLE_NAME is not set: objects the Lambda already processed are forwarded again, alerts sent again');
  return deps;
}

export const REPLAY_HELP =
  '\nBoth replay commands run the function\'s own code with its configuration: set the variables the deployed\n' +
  'function has (LOG_GROUP_NAME, DEDUP_TABLE_NAME, ALERT_TOPIC_ARN, FINDINGS_TOPIC_ARN, …) and the standard AWS_*\n' +
  'variables. Idempotent: objects already processed and alerts already sent are not repeated.\n';
