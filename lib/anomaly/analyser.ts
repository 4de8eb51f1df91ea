/**
 * The Insights-like analyser of one delivery: counts in `observe`, and in `finish` one
 * baseline read, scoring, the Start/End state machine, and one counter write per hour
 * touched (in parallel with any state transitions).
 *
 * DynamoDB requests per delivery (see README.md): 1 BatchGetItem (+ retries of unprocessed
 * keys) + 1 UpdateItem per UTC hour touched (2 when a file spans an hour boundary; one
 * UpdateItem holds 60–250 APIs under the 4 KB expression limit, more APIs take more) + 1
 * conditional UpdateItem per anomaly Start, continuation or End (rare; Starts capped per
 * delivery). Independent of the record count.
 */
import { createHash } from 'node:crypto';
import type { KeyClass } from '../cloudtrail/classify';
import type { ObjectRef, TrailRecord } from '../cloudtrail/types';
import type { Finding } from '../findings';
import type { Analyser } from '../pipeline';
import { type ApiRef, type Scope, apiId, apiLabel } from './api';
import { type ApiBaseline, type Band, apiBaseline, bandFor, bandHistory } from './baseline';
import { type ApiWindowCounts, type DeliveryCounts, DeliveryCounter, type SkippedRecords, hourOf } from './counting';
import { BaselineStoreError } from './errors';
import { type Attribution, type InsightEvent, formatNumber, insightFinding } from './insight-finding';
import { type AnomalyOptions, DEFAULT_ANOMALY_OPTIONS } from './options';
import { type Verdict, type WindowCounts, scoreCallRate, scoreErrorRate } from './scoring';
import { type Evaluation, type PlannedTransition, type WindowSpan, isYoung, plan } from './state';
import type { AnomalyState, BaselineStore, HourBucket, HourIncrement } from './store';

export type AnomalyRunStatus = 'scored' | 'cold' | 'skipped' | 'empty' | 'failed';

/** What one delivery did, for the log line (cold baselines and store failures are said here). */
export interface AnomalyRunResult {
  readonly status: AnomalyRunStatus;
  readonly reason: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly window?: { readonly start: string; readonly end: string; readonly minutes: number };
  readonly records: { readonly counted: number; readonly skipped: SkippedRecords };
  readonly apis: number;
  readonly history?: { readonly days: number; readonly minutes: number };
  readonly verdicts?: { readonly anomalous: number; readonly elevated: number; readonly normal: number; readonly unscored: number };
  /**
   * Transitions applied; `lost` = another invocation changed the state first; `dropped` =
   * Starts over the per-delivery cap; `failed` = the store failed them (planned again next delivery).
   */
  readonly transitions?: {
    readonly start: number; readonly continue: number; readonly end: number; readonly lost: number; readonly dropped: number; readonly failed?: number;
  };
  /** Hours counted, and hours skipped because this delivery was already counted there (a repeat). */
  readonly recorded?: { readonly applied: number; readonly duplicate: number };
  readonly findings: number;
  readonly error?: { readonly reason: string; readonly message: string };
  readonly durationMs: number;
}

export interface AnomalyAnalyser extends Analyser {
  /** Set once `finish` has run. */
  readonly result: AnomalyRunResult | undefined;
}

export interface AnomalyHooks {
  /** Called once per delivery with the result (log it: it carries the cold-baseline reason). */
  readonly onResult?: (result: AnomalyRunResult) => void;
  /** Every (API, type) verdict of a scored delivery, for explaining a miss or a false alarm. */
  readonly onVerdicts?: (evaluations: readonly Evaluation[]) => void;
  readonly now?: () => number;
}

export function anomalyAnalyser(
  store: BaselineStore,
  ref: ObjectRef,
  key: KeyClass,
  options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS,
  hooks: AnomalyHooks = {},
): AnomalyAnalyser {
  const counter = new DeliveryCounter(options.counting);
  const now = hooks.now ?? Date.now;
  let result: AnomalyRunResult | undefined;
  return {
    observe(records: readonly TrailRecord[]): void {
      if (key.kind === 'log') counter.observe(records);
    },
    async finish(): Promise<Finding[]> {
      const started = now();
      const run = await analyse(store, ref, key, options, counter.result(), hooks);
      result = { ...run.result, durationMs: now() - started };
      hooks.onResult?.(result);
      return run.findings;
    },
    get result() {
      return result;
    },
  };
}

interface Run {
  readonly result: Omit<AnomalyRunResult, 'durationMs'>;
  readonly findings: Finding[];
}

async function analyse(
  store: BaselineStore,
  ref: ObjectRef,
  key: KeyClass,
  options: AnomalyOptions,
  counts: DeliveryCounts,
  hooks: AnomalyHooks,
): Promise<Run> {
  const base = { records: { counted: counts.counted, skipped: counts.skipped }, apis: counts.apis.size, findings: 0 };
  if (key.kind !== 'log' || key.accountId === undefined || key.region === undefined) {
    return { result: { ...base, status: 'skipped', reason: `not a CloudTrail log file of an account and Region (${key.kind})` }, findings: [] };
  }
  const scope: Scope = { accountId: key.accountId, region: key.region };
  const where = { accountId: scope.accountId, region: scope.region };
  const covered = counts.coveredMinutes;
  const first = covered[0];
  const last = covered[covered.length - 1];
  if (counts.apis.size === 0 || first === undefined || last === undefined) {
    return { result: { ...base, ...where, status: 'empty', reason: 'no API calls to count in this file' }, findings: [] };
  }
  const span: WindowSpan = { firstMinute: first, lastMinute: last, minutes: covered.length };
  const window = { start: isoMinute(first), end: isoMinute(last + 1), minutes: covered.length };
  const band = bandFor(hourOf(covered[Math.floor(covered.length / 2)] as number), options.windowDays, options.seasonalSpreadHours);
  const deliveryId = deliveryIdOf(ref);
  const context = { ...base, ...where, window };

  let snapshot;
  try {
    snapshot = await store.load(scope, band.hours);
  } catch (err) {
    return failed(context, err);
  }
  const history = bandHistory(band, snapshot.buckets);
  const cold = coldReason(history, options, band);
  const increments = (excluded: ReadonlySet<string>): HourIncrement[] => hourIncrements(counts, excluded);
  const youngIds = new Set(
    snapshot.anomalies.filter((s) => isYoung(s, { window: span, excludeMinutes: options.excludeFromBaselineMinutes })).map((s) => apiId(s)),
  );

  if (cold !== undefined) {
    try {
      const outcome = await store.record(scope, { deliveryId, increments: increments(youngIds), expiresAt: (hour) => hourExpiry(hour, options) });
      return {
        result: { ...context, history, status: 'cold', reason: cold, recorded: { applied: outcome.applied.length, duplicate: outcome.duplicate.length } },
        findings: [],
      };
    } catch (err) {
      return failed({ ...context, history }, err);
    }
  }

  const evaluations = evaluate(counts, snapshot.anomalies, band, snapshot.buckets, span, options);
  hooks.onVerdicts?.(evaluations.list);
  const planned = plan(evaluations.list, snapshot.anomalies, {
    scope, deliveryId, window: span, maxOpenMinutes: options.maxOpenMinutes, maxStarts: options.maxStartsPerDelivery,
    excludeMinutes: options.excludeFromBaselineMinutes,
  });
  const stateExpiry = Math.floor((last * 60) + (options.windowDays + options.ttlMarginDays) * 86_400);
  // Settled one by one: a transition the store committed is alerted even when the counter
  // write (or another transition) failed, or its Start would be lost for good (the next
  // delivery finds the anomaly open and continues it silently).
  const [outcome, applied] = await Promise.all([
    settle(store.record(scope, { deliveryId, increments: increments(planned.excluded), expiresAt: (hour) => hourExpiry(hour, options) })),
    Promise.all(planned.transitions.map((t) => settle(store.transition(scope, withAttributions(t, evaluations), stateExpiry)))),
  ]);

  const findings: Finding[] = [];
  const tally = { start: 0, continue: 0, end: 0, lost: 0, dropped: planned.droppedStarts, failed: 0 };
  let storeError: { error: unknown } | undefined = outcome.ok ? undefined : { error: outcome.error };
  planned.transitions.forEach((t, i) => {
    const settled = applied[i] as Settled<boolean>;
    if (!settled.ok) {
      // not committed: the state is unchanged, so the next delivery plans this transition again
      tally.failed++;
      storeError ??= { error: settled.error };
      return;
    }
    if (!settled.value) {
      tally.lost++;
      return;
    }
    tally[t.transition.kind]++;
    if (t.transition.kind === 'continue') return;
    const event = t.transition.kind === 'start' ? startEvent(t, evaluations, scope, span, band, options) : endEvent(t, scope, options);
    findings.push(insightFinding(event, ref, t.transition.kind === 'start' ? options.severity : options.endSeverity));
  });
  const levels = { anomalous: 0, elevated: 0, normal: 0, unscored: 0 };
  for (const e of evaluations.list) levels[e.verdict.level]++;
  if (storeError !== undefined || !outcome.ok) {
    const run = failed({ ...context, history, verdicts: levels, transitions: tally }, storeError?.error);
    return { result: { ...run.result, findings: findings.length }, findings };
  }
  return {
    result: {
      ...context, history, status: 'scored',
      reason: `scored ${evaluations.list.length} (API, type) pairs against ${history.days} days of baseline`,
      verdicts: levels, transitions: tally,
      recorded: { applied: outcome.value.applied.length, duplicate: outcome.value.duplicate.length },
      findings: findings.length,
    },
    findings,
  };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

interface Evaluations {
  readonly list: Evaluation[];
  readonly windows: Map<string, ApiWindowCounts>;
  readonly baselines: Map<string, ApiBaseline>;
}

function evaluate(
  counts: DeliveryCounts,
  states: readonly AnomalyState[],
  band: Band,
  buckets: readonly HourBucket[],
  span: WindowSpan,
  options: AnomalyOptions,
): Evaluations {
  const apis = new Map<string, ApiRef>();
  for (const [id, api] of counts.apis) apis.set(id, api);
  // An open anomaly on an API absent from this file is judged on zero calls: it ends.
  for (const s of states) if (!apis.has(apiId(s))) apis.set(apiId(s), s);
  const list: Evaluation[] = [];
  const baselines = new Map<string, ApiBaseline>();
  for (const [id, api] of apis) {
    const baseline = apiBaseline(band, buckets, id);
    baselines.set(id, baseline);
    const w = counts.apis.get(id);
    const window: WindowCounts = { calls: w?.calls ?? 0, writes: w?.writes ?? 0, errors: w?.errors ?? 0, minutes: span.minutes };
    for (const type of options.types) {
      const verdict = type === 'ApiErrorRateInsight' ? scoreErrorRate(window, baseline, options) : scoreCallRate(window, baseline, options);
      list.push({ api: { eventSource: api.eventSource, eventName: api.eventName }, id, verdict });
    }
  }
  return { list, windows: new Map(counts.apis), baselines };
}

function coldReason(history: { days: number; minutes: number }, options: AnomalyOptions, band: Band): string | undefined {
  if (history.days >= options.minHistoryDays && history.minutes >= options.minBaselineMinutes) return undefined;
  const hour = String(((band.hour % 24) + 24) % 24).padStart(2, '0');
  return (
    `baseline is cold: ${history.days} of the ${options.minHistoryDays} days and ${history.minutes} of the ` +
    `${options.minBaselineMinutes} minutes of history needed for ${hour}:00 UTC ±${options.seasonalSpreadHours} h over ` +
    `${options.windowDays} days; counting only, no anomaly findings`
  );
}

/** One increment per UTC hour the window touches; error codes go to the API's busiest hour. */
function hourIncrements(counts: DeliveryCounts, excluded: ReadonlySet<string>): HourIncrement[] {
  const hours = new Map<number, number[]>();
  for (const minute of counts.coveredMinutes) {
    const list = hours.get(hourOf(minute)) ?? [];
    list.push(((minute % 60) + 60) % 60);
    hours.set(hourOf(minute), list);
  }
  const out: HourIncrement[] = [];
  for (const [hour, minutesOfHour] of hours) {
    const apis = [];
    for (const api of counts.apis.values()) {
      let calls = 0;
      let writes = 0;
      let errors = 0;
      for (const [minute, c] of api.byMinute) {
        if (hourOf(minute) !== hour) continue;
        calls += c.calls;
        writes += c.writes;
        errors += c.errors;
      }
      if (calls === 0) continue;
      const isExcluded = excluded.has(api.id);
      const codes = !isExcluded && busiestHour(api) === hour ? api.errorCode.top(2).map((t) => [t.value, t.count] as const) : [];
      apis.push({ id: api.id, calls, writes, errors, excluded: isExcluded, minutes: minutesOfHour.length, errorCodes: codes });
    }
    out.push({ hour, minutesOfHour, apis });
  }
  return out;
}

function busiestHour(api: ApiWindowCounts): number {
  const perHour = new Map<number, number>();
  for (const [minute, c] of api.byMinute) perHour.set(hourOf(minute), (perHour.get(hourOf(minute)) ?? 0) + c.calls);
  return [...perHour].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
}

/** Attributions are stored with a Start so the End can repeat them. */
function withAttributions(t: PlannedTransition, evaluations: Evaluations): PlannedTransition['transition'] {
  if (t.transition.kind !== 'start' || t.transition.state.attributions !== undefined) return t.transition;
  const window = evaluations.windows.get(t.evaluation.id);
  const baseline = evaluations.baselines.get(t.evaluation.id);
  const attributions = attributionsOf(window, baseline, t.transition.state.insightMinutes, 2);
  return { kind: 'start', state: { ...t.transition.state, attributions } };
}

function attributionsOf(window: ApiWindowCounts | undefined, baseline: ApiBaseline | undefined, minutes: number, top: number): Attribution[] {
  const per = (count: number): number => count / Math.max(1, minutes);
  const insight = (k: 'userIdentityArn' | 'userAgent' | 'errorCode') =>
    (window?.[k].top(top) ?? []).map((v) => ({ value: v.value, average: per(v.count) }));
  const baselineCodes = [...(baseline?.errorCodes ?? [])]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([value, n]) => ({ value, average: n / Math.max(1, baseline?.minutes ?? 1) }));
  return [
    // trailwatch keeps no per-caller or per-agent baseline (it would multiply item size, and so write cost).
    { attribute: 'userIdentityArn', insight: insight('userIdentityArn'), baseline: [] },
    { attribute: 'userAgent', insight: insight('userAgent'), baseline: [] },
    { attribute: 'errorCode', insight: insight('errorCode'), baseline: baselineCodes },
  ];
}

function startEvent(t: PlannedTransition, evaluations: Evaluations, scope: Scope, span: WindowSpan, band: Band, options: AnomalyOptions): InsightEvent {
  const v = t.evaluation.verdict;
  const state = t.next;
  const window = evaluations.windows.get(t.evaluation.id);
  const api = t.evaluation.api;
  const attributions = state.attributions ?? attributionsOf(window, evaluations.baselines.get(t.evaluation.id), span.minutes, options.attributionsTop);
  return {
    source: 'anomaly',
    insightType: v.type,
    state: 'Start',
    sharedEventID: state.sharedEventID,
    ...api,
    ...scope,
    eventTime: isoMinute(state.startMinute),
    statistics: {
      baseline: { average: v.baselineAverage },
      insight: { average: v.insightAverage },
      insightDuration: span.minutes,
      baselineDuration: v.baselineMinutes,
    },
    attributions,
    count: v.observed,
    description: describeStart(api, v, window, span, band, options),
    detector: detectorOf(v, span, band, options),
  };
}

function endEvent(t: PlannedTransition, scope: Scope, options: AnomalyOptions): InsightEvent {
  const state = t.next;
  const duration = Math.max(1, state.lastMinute - state.startMinute + 1);
  const insightAverage = state.insightMinutes > 0 ? state.insightTotal / state.insightMinutes : 0;
  const what = state.type === 'ApiErrorRateInsight' ? 'error rate' : 'call rate';
  const why = t.endReason === 'duration-limit'
    ? `it was still unusual after ${options.maxOpenMinutes} min, the longest an anomaly stays open (a new Start follows if it persists)`
    : `the latest window is within the baseline (p = ${t.evaluation.verdict.pValue.toExponential(2)})`;
  return {
    source: 'anomaly',
    insightType: state.type,
    state: 'End',
    sharedEventID: state.sharedEventID,
    eventSource: state.eventSource,
    eventName: state.eventName,
    ...scope,
    eventTime: isoMinute(t.endMinute ?? state.lastMinute + 1),
    statistics: {
      baseline: { average: state.baselineAverage },
      insight: { average: insightAverage },
      insightDuration: duration,
      baselineDuration: state.baselineMinutes,
    },
    attributions: state.attributions ?? [],
    count: state.insightTotal,
    description: `The ${what} of ${apiLabel(state)} that started at ${isoMinute(state.startMinute)} ended: ${why}.`,
    detector: { endReason: t.endReason ?? 'normal', pValue: t.evaluation.verdict.pValue, startedAt: isoMinute(state.startMinute) },
  };
}

function describeStart(api: ApiRef, v: Verdict, window: ApiWindowCounts | undefined, span: WindowSpan, band: Band, options: AnomalyOptions): string {
  const hour = String(((band.hour % 24) + 24) % 24).padStart(2, '0');
  const baseline = `its baseline (${hour}:00 UTC ±${options.seasonalSpreadHours} h over the previous ${options.windowDays} days, ${v.baselineMinutes} min)`;
  if (v.type === 'ApiErrorRateInsight') {
    const pct = (x: number | undefined): string => `${formatNumber(100 * (x ?? 0))}%`;
    return (
      `${apiLabel(api)}: ${v.observed} of ${window?.calls ?? 0} calls failed (${pct(v.windowProportion)}) in ${span.minutes} min, ` +
      `against ${pct(v.baselineProportion)} in ${baseline}; one-sided p = ${v.pValue.toExponential(2)}.`
    );
  }
  const unit = options.callRateMeasure === 'writes' ? 'write calls' : 'calls';
  return (
    `${apiLabel(api)}: ${v.observed} ${unit} in ${span.minutes} min (${formatNumber(v.insightAverage)}/min), ` +
    `${formatNumber(v.effect)}× the ${formatNumber(v.baselineAverage)}/min of ${baseline}; one-sided p = ${v.pValue.toExponential(2)}.`
  );
}

function detectorOf(v: Verdict, span: WindowSpan, band: Band, options: AnomalyOptions): Record<string, unknown> {
  return {
    method: v.method,
    pValue: v.pValue,
    alpha: options.alpha,
    observed: v.observed,
    expected: v.expected,
    [v.type === 'ApiErrorRateInsight' ? 'oddsRatio' : 'rateRatio']: v.effect,
    dispersion: v.dispersion,
    ...(v.baselineProportion === undefined
      ? {}
      : { baselineProportion: v.baselineProportion, windowProportion: v.windowProportion, pProportion: v.pProportion, pCount: v.pCount }),
    ...(v.type === 'ApiCallRateInsight' ? { measure: options.callRateMeasure } : {}),
    window: { start: isoMinute(span.firstMinute), end: isoMinute(span.lastMinute + 1), minutes: span.minutes },
    baselineHours: { hourUtc: ((band.hour % 24) + 24) % 24, spread: options.seasonalSpreadHours, days: options.windowDays },
  };
}

function failed(context: Omit<AnomalyRunResult, 'status' | 'reason' | 'durationMs'>, err: unknown): Run {
  const error =
    err instanceof BaselineStoreError ? { reason: err.reason, message: err.message }
    : { reason: 'BaselineStoreFailed', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  return { result: { ...context, status: 'failed', reason: `baseline store failed, no anomaly findings for this delivery: ${error.message}`, error }, findings: [] };
}

function hourExpiry(hour: number, options: AnomalyOptions): number {
  return (hour + 1) * 3600 + (options.windowDays + options.ttlMarginDays) * 86_400;
}

function isoMinute(minute: number): string {
  return new Date(minute * 60_000).toISOString().replace('.000Z', 'Z');
}

/** A delivery's identity: the object (versioned or not). Short, since it is stored in each hour item. */
export function deliveryIdOf(ref: Pick<ObjectRef, 'bucket' | 'key' | 'versionId'>): string {
  return createHash('sha256').update(`${ref.bucket}\n${ref.key}\n${ref.versionId ?? ''}`).digest('base64url').slice(0, 12);
}
