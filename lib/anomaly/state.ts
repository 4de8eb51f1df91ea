/**
 * The Start/End state machine, pure. Per (insight type, API) the store holds the open
 * anomaly, if any. A delivery's verdicts become transitions:
 *
 *   none + anomalous                → start    (finding: Start)
 *   open + anomalous/elevated       → continue (no finding: an open anomaly is not re-alerted)
 *   open + normal, or open too long → end      (finding: End, same sharedEventID; removed)
 *   open + unscored                 → nothing  (no evidence either way)
 *
 * A retried delivery that started an anomaly (same delivery id) plans the same Start again,
 * so a Start lost between the store write and the notification is sent again, with the same
 * sharedEventID and so the same dedupKey. An End is not repeated (its state is gone): at
 * worst a retry loses an End, never duplicates an alert.
 */
import { createHash } from 'node:crypto';
import { type ApiRef, type InsightType, type Scope, insightKey } from './api';
import type { Verdict } from './scoring';
import type { AnomalyState, AnomalyTransition } from './store';

export interface Evaluation {
  readonly api: ApiRef;
  readonly id: string;
  readonly verdict: Verdict;
}

export interface WindowSpan {
  readonly firstMinute: number;
  readonly lastMinute: number;
  readonly minutes: number;
}

export interface PlannedTransition {
  readonly transition: AnomalyTransition;
  readonly evaluation: Evaluation;
  /** The open anomaly before the transition (absent for a Start). */
  readonly previous?: AnomalyState;
  /** The open anomaly after a Start or continue; the one ended for an End. */
  readonly next: AnomalyState;
  /** End only: the first minute of the window found normal. */
  readonly endMinute?: number;
  readonly endReason?: 'normal' | 'duration-limit';
}

export interface Plan {
  readonly transitions: readonly PlannedTransition[];
  /** Starts left out because the delivery had more than `maxStarts` (the least significant go). */
  readonly droppedStarts: number;
  /** API ids whose counts this delivery keeps out of the baseline (an anomaly starting or younger than `excludeMinutes`). */
  readonly excluded: ReadonlySet<string>;
}

export interface PlanContext {
  readonly scope: Scope;
  readonly deliveryId: string;
  readonly window: WindowSpan;
  readonly maxOpenMinutes: number;
  /** At most this many Starts per delivery: bounds a pathological file's writes and alert size. */
  readonly maxStarts: number;
  /** Counts of an anomaly younger than this stay out of the baseline. */
  readonly excludeMinutes: number;
}

export function plan(evaluations: readonly Evaluation[], states: readonly AnomalyState[], ctx: PlanContext): Plan {
  const byKey = new Map<string, AnomalyState>();
  for (const s of states) byKey.set(insightKey(s.type, s), s);
  const planned: PlannedTransition[] = [];
  const excluded = new Set<string>();
  for (const evaluation of evaluations) {
    const { verdict, api } = evaluation;
    const state = byKey.get(insightKey(verdict.type, api));
    const next = step(evaluation, state, ctx);
    if (next === undefined) continue;
    planned.push(next);
    if (next.transition.kind !== 'end' && isYoung(next.next, ctx)) excluded.add(evaluation.id);
  }
  const isNewStart = (t: PlannedTransition): boolean => t.transition.kind === 'start' && t.previous === undefined;
  const starts = planned.filter(isNewStart).sort((a, b) => a.evaluation.verdict.pValue - b.evaluation.verdict.pValue);
  const kept = new Set(starts.slice(0, Math.max(0, ctx.maxStarts)));
  const transitions = planned.filter((t) => !isNewStart(t) || kept.has(t));
  return { transitions, excluded, droppedStarts: starts.length - kept.size };
}

function step(evaluation: Evaluation, state: AnomalyState | undefined, ctx: PlanContext): PlannedTransition | undefined {
  const { verdict, api } = evaluation;
  const { window } = ctx;
  if (state !== undefined) {
    if (state.startedBy === ctx.deliveryId) return { transition: { kind: 'start', state }, evaluation, previous: state, next: state };
    // A late file for minutes before the anomaly began says nothing about it now.
    if (window.lastMinute < state.startMinute) return undefined;
    if (verdict.level === 'unscored') return undefined;
    const tooLong = window.lastMinute - state.startMinute + 1 > ctx.maxOpenMinutes;
    if ((verdict.level === 'anomalous' || verdict.level === 'elevated') && !tooLong) {
      const next = {
        ...state,
        lastMinute: Math.max(state.lastMinute, window.lastMinute),
        insightTotal: state.insightTotal + verdict.observed,
        insightMinutes: state.insightMinutes + window.minutes,
      };
      return {
        transition: {
          kind: 'continue', type: verdict.type, api: pickApi(api), sharedEventID: state.sharedEventID,
          addTotal: verdict.observed, addMinutes: window.minutes, lastMinute: next.lastMinute,
        },
        evaluation, previous: state, next,
      };
    }
    return {
      transition: { kind: 'end', type: state.type, api: pickApi(state), sharedEventID: state.sharedEventID },
      evaluation,
      previous: state,
      next: state,
      endMinute: window.firstMinute,
      endReason: tooLong ? 'duration-limit' : 'normal',
    };
  }
  if (verdict.level !== 'anomalous') return undefined;
  const next: AnomalyState = {
    ...pickApi(api),
    type: verdict.type,
    sharedEventID: sharedEventId(ctx.scope, verdict.type, api, window.firstMinute),
    startMinute: window.firstMinute,
    lastMinute: window.lastMinute,
    baselineAverage: verdict.baselineAverage,
    baselineMinutes: verdict.baselineMinutes,
    insightTotal: verdict.observed,
    insightMinutes: window.minutes,
    startedBy: ctx.deliveryId,
  };
  return { transition: { kind: 'start', state: next }, evaluation, next };
}

/** Is the anomaly still in its first `excludeMinutes` at the end of this window? */
export function isYoung(state: Pick<AnomalyState, 'startMinute'>, ctx: Pick<PlanContext, 'window' | 'excludeMinutes'>): boolean {
  return ctx.window.lastMinute - state.startMinute < ctx.excludeMinutes;
}

function pickApi(api: ApiRef): ApiRef {
  return { eventSource: api.eventSource, eventName: api.eventName };
}

/**
 * Deterministic, UUID-shaped: the same anomaly seen again by a retried delivery gets the
 * same id, so its Start finding has the same dedupKey.
 */
export function sharedEventId(scope: Scope, type: InsightType, api: ApiRef, startMinute: number): string {
  const h = createHash('sha256')
    .update(`${scope.accountId}|${scope.region}|${type}|${api.eventSource}|${api.eventName}|${startMinute}`)
    .digest('hex');
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
