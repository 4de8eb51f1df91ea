import { apiId, type InsightType } from '../../../lib/anomaly/api';
import type { Verdict, VerdictLevel } from '../../../lib/anomaly/scoring';
import { type Evaluation, type PlanContext, plan, sharedEventId } from '../../../lib/anomaly/state';
import type { AnomalyState } from '../../../lib/anomaly/store';
import { DESCRIBE, SCOPE, T0 } from './support';

function evaluation(level: VerdictLevel, type: InsightType = 'ApiErrorRateInsight', observed = 40): Evaluation {
  const verdict: Verdict = {
    type, level, pValue: level === 'anomalous' ? 1e-9 : 0.5, baselineAverage: 0.2, insightAverage: observed / 5, baselineMinutes: 1260,
    observed, expected: 1, effect: 20, method: 'beta-binomial', dispersion: 0.002,
  };
  return { api: { eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName }, id: apiId(DESCRIBE), verdict };
}

const ctx = (firstMinute: number, deliveryId = `d${firstMinute}`): PlanContext => ({
  scope: SCOPE, deliveryId, window: { firstMinute, lastMinute: firstMinute + 4, minutes: 5 }, maxOpenMinutes: 360, maxStarts: 20, excludeMinutes: 60,
});

function open(startMinute: number, startedBy = 'first'): AnomalyState {
  return {
    type: 'ApiErrorRateInsight', eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName,
    sharedEventID: sharedEventId(SCOPE, 'ApiErrorRateInsight', DESCRIBE, startMinute), startMinute, lastMinute: startMinute + 4,
    baselineAverage: 0.2, baselineMinutes: 1260, insightTotal: 40, insightMinutes: 5, startedBy,
  };
}

describe('plan (Start/End state machine)', () => {
  it('starts an anomaly on an anomalous verdict, with an id that depends only on what started it', () => {
    // Act
    const first = plan([evaluation('anomalous')], [], ctx(T0));
    const again = plan([evaluation('anomalous')], [], ctx(T0, 'another-delivery'));
    // Assess
    expect(first.transitions).toHaveLength(1);
    const t = first.transitions[0]?.transition;
    expect(t?.kind).toBe('start');
    expect(t?.kind === 'start' && t.state.sharedEventID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t?.kind === 'start' && t.state.sharedEventID).toBe(sharedEventId(SCOPE, 'ApiErrorRateInsight', DESCRIBE, T0));
    expect(again.transitions[0]?.transition).toMatchObject({ kind: 'start' });
    expect(first.excluded.has(apiId(DESCRIBE))).toBe(true);
  });

  it('does not start anything on elevated, normal or unscored verdicts', () => {
    // Act
    const result = plan([evaluation('elevated'), evaluation('normal'), evaluation('unscored')], [], ctx(T0));
    // Assess
    expect(result.transitions).toEqual([]);
    expect(result.excluded.size).toBe(0);
  });

  it('continues an open anomaly instead of alerting again, accumulating its counts', () => {
    // Prepare
    const state = open(T0);
    // Act
    const anomalous = plan([evaluation('anomalous', 'ApiErrorRateInsight', 30)], [state], ctx(T0 + 5));
    const elevated = plan([evaluation('elevated', 'ApiErrorRateInsight', 10)], [state], ctx(T0 + 5));
    // Assess
    expect(anomalous.transitions[0]?.transition).toEqual({
      kind: 'continue', type: 'ApiErrorRateInsight', api: { eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName },
      sharedEventID: state.sharedEventID, addTotal: 30, addMinutes: 5, lastMinute: T0 + 9,
    });
    expect(anomalous.transitions[0]?.next.insightTotal).toBe(70);
    expect(elevated.transitions[0]?.transition.kind).toBe('continue');
    expect(elevated.excluded.has(apiId(DESCRIBE))).toBe(true);
  });

  it('ends an open anomaly when the rate is back to normal, with the same sharedEventID', () => {
    // Prepare
    const state = open(T0);
    // Act
    const result = plan([evaluation('normal')], [state], ctx(T0 + 10));
    // Assess
    expect(result.transitions[0]?.transition).toEqual({
      kind: 'end', type: 'ApiErrorRateInsight', api: { eventSource: DESCRIBE.eventSource, eventName: DESCRIBE.eventName }, sharedEventID: state.sharedEventID,
    });
    expect(result.transitions[0]?.endReason).toBe('normal');
    expect(result.transitions[0]?.endMinute).toBe(T0 + 10);
    expect(result.excluded.size).toBe(0);
  });

  it('keeps an anomaly out of the baseline for its first hour only, so a lasting change is learnt', () => {
    // Prepare
    const state = open(T0);
    // Act
    const early = plan([evaluation('anomalous')], [state], ctx(T0 + 50));
    const later = plan([evaluation('anomalous')], [state], ctx(T0 + 60));
    // Assess
    expect(early.transitions[0]?.transition.kind).toBe('continue');
    expect(early.excluded.has(apiId(DESCRIBE))).toBe(true);
    expect(later.transitions[0]?.transition.kind).toBe('continue');
    expect(later.excluded.has(apiId(DESCRIBE))).toBe(false);
  });

  it('ends an anomaly open longer than maxOpenMinutes even if still anomalous', () => {
    // Prepare
    const state = open(T0);
    // Act
    const result = plan([evaluation('anomalous')], [state], { ...ctx(T0 + 400), maxOpenMinutes: 360 });
    // Assess
    expect(result.transitions[0]?.transition.kind).toBe('end');
    expect(result.transitions[0]?.endReason).toBe('duration-limit');
  });

  it('leaves an open anomaly alone on an unscored verdict or a late file for earlier minutes', () => {
    // Prepare
    const state = open(T0);
    // Act
    const unscored = plan([evaluation('unscored')], [state], ctx(T0 + 5));
    const late = plan([evaluation('normal')], [state], ctx(T0 - 30));
    // Assess
    expect(unscored.transitions).toEqual([]);
    expect(unscored.excluded.size).toBe(0);
    expect(late.transitions).toEqual([]);
  });

  it('plans the same Start again when the delivery that started the anomaly is retried', () => {
    // Prepare
    const state = open(T0, 'retried-delivery');
    // Act
    const result = plan([evaluation('anomalous')], [state], ctx(T0, 'retried-delivery'));
    // Assess
    expect(result.transitions[0]?.transition).toEqual({ kind: 'start', state });
  });

  it('caps the Starts of one delivery, keeping the most significant', () => {
    // Prepare
    const evaluations = [3, 1, 2].map((rank) => {
      const e = evaluation('anomalous');
      return { ...e, api: { ...e.api, eventName: `Op${rank}` }, id: `ec2/Op${rank}`, verdict: { ...e.verdict, pValue: 10 ** -(10 - rank) } };
    });
    // Act
    const result = plan(evaluations, [], { ...ctx(T0), maxStarts: 2 });
    // Assess
    expect(result.transitions.map((t) => t.evaluation.api.eventName)).toEqual(['Op1', 'Op2']);
    expect(result.droppedStarts).toBe(1);
  });

  it('keeps the two insight types of one API apart', () => {
    // Prepare
    const state = open(T0);
    // Act
    const result = plan([evaluation('normal', 'ApiErrorRateInsight'), evaluation('anomalous', 'ApiCallRateInsight')], [state], ctx(T0 + 5));
    // Assess
    expect(result.transitions.map((t) => t.transition.kind)).toEqual(['end', 'start']);
  });
});
