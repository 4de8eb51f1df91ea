/**
 * The Insights-like signal: per-API call and error counting, a seasonal baseline in a
 * `BaselineStore`, tail-test scoring, Start/End findings; and real CloudTrail Insights
 * events turned into the same findings. See README.md in this folder.
 */
import type { KeyClass } from '../cloudtrail/classify';
import type { ObjectRef } from '../cloudtrail/types';
import type { Analyser } from '../pipeline';
import { type AnomalyHooks, anomalyAnalyser } from './analyser';
import { insightAnalyser } from './insight-analyser';
import { type AnomalyOptions, DEFAULT_ANOMALY_OPTIONS } from './options';
import type { BaselineStore } from './store';

export { anomalyAnalyser, deliveryIdOf, type AnomalyAnalyser, type AnomalyHooks, type AnomalyRunResult, type AnomalyRunStatus } from './analyser';
export { insightAnalyser, insightEventOf, type InsightAnalyser, type InsightAnalyserOptions } from './insight-analyser';
export { insightFinding, insightRuleId, ANOMALY_RULE_IDS, type Attribution, type InsightEvent, type InsightStatistics } from './insight-finding';
export {
  DEFAULT_ANOMALY_OPTIONS,
  anomalyOptionsFromEnv,
  resolveAnomalyOptions,
  type AnomalyOptions,
  type AnomalyOptionsInput,
} from './options';
export { AnomalyOptionsError, BaselineStoreError } from './errors';
export { MemoryBaselineStore } from './memory-store';
export type * from './store';
export { INSIGHT_TYPES, apiId, type ApiRef, type InsightType, type Scope } from './api';

/**
 * For `PipelineDeps.analysersFor`: the anomaly analyser for log files, the Insights
 * analyser for `CloudTrail-Insight/` files, nothing for the rest.
 */
export function anomalyAnalysersFor(
  store: BaselineStore,
  options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS,
  hooks: AnomalyHooks = {},
): (ref: ObjectRef, key: KeyClass) => Analyser[] {
  return (ref, key) => {
    if (key.kind === 'log') return [anomalyAnalyser(store, ref, key, options, hooks)];
    if (key.kind === 'insight') return [insightAnalyser(ref, key, { severity: options.severity, endSeverity: options.endSeverity })];
    return [];
  };
}
