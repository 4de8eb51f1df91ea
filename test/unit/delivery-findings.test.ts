import fc from 'fast-check';
import { DeliveryFindings } from '../../lib/delivery-findings';
import { ruleKeyOf, SEVERITIES, severityRank, type Finding, type Severity } from '../../lib/findings';

const OBJECT = { bucket: 'b', key: 'k' };

function finding(ruleId: string, severity: Severity, n: number, source: Finding['source'] = 'rule', count = 1): Finding {
  return { ruleId, title: `title of ${ruleId}`, severity, source, object: OBJECT, count, dedupKey: `${ruleId}:${n}` };
}

function many(ruleId: string, severity: Severity, n: number, source: Finding['source'] = 'rule'): Finding[] {
  return Array.from({ length: n }, (_, i) => finding(ruleId, severity, i, source));
}

describe('DeliveryFindings', () => {
  it('lists at most perRule findings of a rule whatever the analyser, and counts them all', () => {
    // Prepare: an analyser without a cap of its own (anomaly) hands over 200,000 findings
    const collected = new DeliveryFindings({ perRule: 3, perDelivery: 100 });

    // Act
    collected.add(many('anomaly-api-call-rate', 'MEDIUM', 200_000, 'anomaly'));
    const { findings, matched } = collected.result();

    // Assess
    expect(findings.map((f) => f.dedupKey)).toEqual(['anomaly-api-call-rate:0', 'anomaly-api-call-rate:1', 'anomaly-api-call-rate:2']);
    expect(matched).toEqual({
      events: 200_000,
      findings: 200_000,
      listed: 3,
      notListed: { perRule: 199_997, perDelivery: 0 },
      rules: [{ ruleId: 'anomaly-api-call-rate', source: 'anomaly', severity: 'MEDIUM', title: 'title of anomaly-api-call-rate', events: 200_000, findings: 200_000, listed: 3 }],
    });
  });

  it('takes an analyser’s tallies as the true counts of the rules it capped itself', () => {
    // Prepare
    const collected = new DeliveryFindings({ perRule: 500, perDelivery: 2_000 });
    const tally = { ruleId: 'noisy', source: 'rule', severity: 'LOW', title: 'title of noisy', events: 12_000, findings: 10_000 } as const;

    // Act
    collected.add([finding('noisy', 'LOW', 0, 'rule', 3), finding('noisy', 'LOW', 1)], [tally]);
    const { matched } = collected.result();

    // Assess
    expect(matched).toMatchObject({ events: 12_000, findings: 10_000, listed: 2, notListed: { perRule: 9_998, perDelivery: 0 } });
    expect(matched.rules[0]).toMatchObject({ events: 12_000, findings: 10_000, listed: 2 });
  });

  it('keeps the most severe findings over the per-delivery cap, every rule’s first before any rule’s second; a rule left without any is still counted', () => {
    // Prepare
    const collected = new DeliveryFindings({ perRule: 50, perDelivery: 10 });

    // Act
    collected.add(many('low', 'LOW', 20));
    collected.add([...many('high-a', 'HIGH', 20), ...many('high-b', 'HIGH', 2), ...many('critical', 'CRITICAL', 3)]);
    const { findings, matched } = collected.result();

    // Assess: 3 critical, then high-a and high-b alternately until high-b runs out, in arrival order
    expect(findings.map((f) => f.dedupKey)).toEqual([
      'high-a:0', 'high-a:1', 'high-a:2', 'high-a:3', 'high-a:4', 'high-b:0', 'high-b:1', 'critical:0', 'critical:1', 'critical:2',
    ]);
    expect(matched.notListed).toEqual({ perRule: 0, perDelivery: 20 + 15 });
    expect(matched.rules.map((r) => [r.ruleId, r.findings, r.listed])).toEqual([['critical', 3, 3], ['high-a', 20, 5], ['high-b', 2, 2], ['low', 20, 0]]);
  });

  it('chooses the same findings however the analysers split them, and never a less severe one over a more severe one', () => {
    const severity = fc.constantFrom<Severity>(...SEVERITIES);
    const item = fc.record({ rule: fc.integer({ min: 0, max: 6 }), severity, count: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 300 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), (items, cuts, perRule, perDelivery) => {
        // Prepare
        const all = items.map((it, i) => finding(`r${it.rule}`, it.severity, i, 'rule', it.count));
        const whole = new DeliveryFindings({ perRule, perDelivery });
        const split = new DeliveryFindings({ perRule, perDelivery });
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), all.length];

        // Act
        whole.add(all);
        for (let i = 1; i < bounds.length; i++) split.add(all.slice(bounds[i - 1], Math.max(bounds[i - 1]!, bounds[i]!)));
        const a = whole.result();
        const b = split.result();

        // Assess
        expect(b.findings.map((f) => f.dedupKey)).toEqual(a.findings.map((f) => f.dedupKey));
        expect(b.matched).toEqual(a.matched);
        const m = a.matched;
        expect(m.findings).toBe(all.length);
        expect(m.events).toBe(items.reduce((sum, it) => sum + it.count, 0));
        expect(m.listed).toBe(a.findings.length);
        expect(m.listed + m.notListed.perRule + m.notListed.perDelivery).toBe(m.findings);
        expect(a.findings.length).toBeLessThanOrEqual(perDelivery);
        const listed = new Set(a.findings);
        const perRuleListed = new Map<string, number>();
        for (const f of a.findings) perRuleListed.set(ruleKeyOf(f), (perRuleListed.get(ruleKeyOf(f)) ?? 0) + 1);
        for (const n of perRuleListed.values()) expect(n).toBeLessThanOrEqual(perRule);
        // a finding left out while under its rule's cap was less or as severe as every listed one
        const leastListed = Math.min(...a.findings.map((f) => severityRank(f.severity)));
        const seen = new Map<string, number>();
        for (const f of all) {
          const nth = (seen.get(ruleKeyOf(f)) ?? 0) + 1;
          seen.set(ruleKeyOf(f), nth);
          if (!listed.has(f) && nth <= perRule) expect(severityRank(f.severity)).toBeLessThanOrEqual(leastListed);
        }
      }),
    );
  });
});
