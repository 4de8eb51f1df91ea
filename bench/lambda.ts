/**
 * The analysers as the Lambda runs them (functions/commons/deps.ts): the rule pack, then
 * anomaly counting for log files. The baseline store is in memory and fresh for each
 * delivery, so every repetition does the same work (the Lambda's DynamoDB round trips are
 * I/O, not pipeline CPU; the null sink stands in for CloudWatch Logs the same way).
 */
import path from 'node:path';
import { anomalyAnalysersFor, DEFAULT_ANOMALY_OPTIONS, MemoryBaselineStore } from '../lib/anomaly';
import type { PipelineDeps } from '../lib/pipeline';
import { ruleAnalyser } from '../lib/rules/engine';
import { loadRulePack, type RulePack } from '../lib/rules/load';
import { sigmaRuleFormat } from '../lib/rules/sigma';

export const BUILTIN_RULES = path.resolve(__dirname, '..', 'rules');
export const SIGMAHQ_RULES = path.resolve(__dirname, '..', 'test', 'fixtures', 'sigma', 'sigmahq');

/** The built-in pack with every rule active (ALLOWED_REGIONS set), optionally with more rule directories (Sigma read as the Lambda reads it). */
export function benchRulePack(userDirs: readonly string[] = []): Promise<RulePack> {
  return loadRulePack({ builtinDir: BUILTIN_RULES, userDirs: [...userDirs], params: { ALLOWED_REGIONS: ['us-east-1', 'eu-west-1'] }, formats: [sigmaRuleFormat] });
}

/** What the Lambda runs on each delivery; `parts` leaves one analyser out, for the cost split. */
export function lambdaAnalysers(
  pack: Pick<RulePack, 'plan'>,
  parts: { readonly rules?: boolean; readonly anomaly?: boolean } = {},
): NonNullable<PipelineDeps['analysersFor']> {
  const rules = parts.rules ?? true;
  const anomaly = parts.anomaly ?? true;
  return (ref, key) => [
    ...(rules ? [ruleAnalyser(pack, ref)] : []),
    ...(anomaly ? anomalyAnalysersFor(new MemoryBaselineStore(), DEFAULT_ANOMALY_OPTIONS)(ref, key) : []),
  ];
}
