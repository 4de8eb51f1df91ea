import fc from 'fast-check';
import { stringify } from 'yaml';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { planRules, ruleAnalyser } from '../../../lib/rules/engine';
import { buildRulePack, loadRulePack } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { compileSigmaRule, isSigmaRefusal } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, patternRule, ruleDoc, trailRecords } from './helpers';

fc.configureGlobal({ seed: 20261206 });

/**
 * `CompiledRule.testNamed`: for the records the eventName index hands a rule, the rule runs
 * without the eventName conjunct the lookup already proved. These tests check that the
 * conjunct is dropped only when implied (same findings as the full test, index on or off),
 * and that it is dropped where it is (the plan's candidate runs a predicate that no longer
 * reads eventName: it says yes to a record with another name).
 */
const OBJECT = { bucket: 'trail-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/06/n.json.gz' };

function evaluate(rules: readonly CompiledRule[], records: readonly object[], indexed = true): Finding[] {
  const analyser = ruleAnalyser({ plan: planRules(rules, { indexed }) }, OBJECT);
  analyser.observe(trailRecords(records as CloudTrailRecord[]));
  return analyser.finish() as Finding[];
}


/** The same pattern through a rule file, as the loader compiles it. */
function ruleFile(match: string, extra: Record<string, unknown> = {}): CompiledRule {
  const doc = { ...ruleDoc('root-signin'), match, ...extra };
  return buildRulePack([{ file: 'rules/root-signin.yaml', text: stringify(doc) }]).rules[0]!;
}

function sigma(detection: Record<string, unknown>, service = 'cloudtrail'): CompiledRule {
  const result = compileSigmaRule({ title: 'Named', id: '7c1d3a52-8f0e-4d6b-9a41-2b5e6c7d8e90', logsource: { product: 'aws', service }, detection }, 'generated/named.yml');
  if (isSigmaRefusal(result)) throw new Error(result.reason);
  return result;
}

/** What the index's eventName table hands the rule for `name`: the candidate's predicate. */
function candidateTest(rule: CompiledRule, name: string): ((record: unknown) => boolean) | undefined {
  const found = planRules([rule]).candidates(name);
  return found.length === 1 ? found[0]!.test : undefined;
}

describe('the eventName conjunct the index proved', () => {
  it('is left out of a conjunction filed by its names (filter patterns, rule files, Sigma)', () => {
    // Prepare: each rule, a name it is filed by, and a record that passes all but the eventName test
    const cases: [CompiledRule, string, object][] = [
      [patternRule('{ ($.eventName = "A") && ($.x = 1) }'), 'A', { eventName: 'Other', x: 1 }],
      [patternRule('{ (($.eventName = "A") || ($.eventName = "B")) && ($.x = 1) }'), 'B', { eventName: 'Other', x: 1 }],
      [patternRule('{ $.eventName = "A" }'), 'A', { eventName: 'Other' }],
      [ruleFile('{ ($.eventName = "A") && ($.x = 1) }'), 'A', { eventName: 'Other', x: 1 }],
      [sigma({ selection: { eventName: 'A', x: 1 }, condition: 'selection' }), 'a', { eventName: 'Other', x: 1 }],
      [sigma({ selection: { 'eventName|cased': 'A', x: 1 }, condition: 'selection' }), 'A', { eventName: 'Other', x: 1 }],
      [sigma({ selection: { eventName: ['A', 'B'], x: 1 }, filter: { y: 2 }, condition: 'selection and not filter' }), 'b', { eventName: 'Other', x: 1 }],
    ];
    for (const [rule, name, record] of cases) {
      // Act
      const test = candidateTest(rule, name);

      // Assess: the full test says no (wrong name), the index's predicate no longer asks
      expect(rule.test(record)).toBe(false);
      expect(test?.(record)).toBe(true);
    }
  });

  it('is kept when the conjunction does not prove it (an OR at the top, a conjunct under an OR or NOT, a where clause)', () => {
    // Prepare: rules, a name a table files them by, a record with that name, what the full test answers
    const cases: [CompiledRule, string, object, boolean][] = [
      [patternRule('{ (($.eventName = "A") && ($.x = 1)) || ($.eventName = "B") }'), 'A', { eventName: 'A', x: 2 }, false],
      [patternRule('{ ($.eventName = "A") && ($.x = 1) }', 'p', ['A', 'B']), 'B', { eventName: 'B', x: 1 }, false],
      [patternRule('{ (($.eventName = "A") || ($.eventName = "B")) && (($.eventName = "A") || ($.x = 1)) }'), 'B', { eventName: 'B', x: 2 }, false],
      [ruleFile('{ ($.eventName = "A") && ($.x = 1) }', { where: 'policyIsPublic(requestParameters.policy)' }), 'A', { eventName: 'A', x: 1 }, false],
      [sigma({ selection: { eventName: 'A', x: 1 }, selection_b: { eventName: 'B' }, condition: '1 of selection*' }), 'a', { eventName: 'A', x: 2 }, false],
      [sigma({ selection: { eventName: ['A', 'B'], x: 1 }, filter: { eventName: 'B' }, condition: 'selection and not filter' }), 'a', { eventName: 'A', x: 1 }, true],
      [sigma({ selection: { eventName: ['A', 'B'], x: 1 }, filter: { eventName: 'B' }, condition: 'selection and not filter' }), 'b', { eventName: 'B', x: 1 }, false],
    ];
    for (const [rule, name, record, expected] of cases) {
      // Act
      const test = candidateTest(rule, name);

      // Assess
      expect(rule.test(record)).toBe(expected);
      expect(test?.(record)).toBe(expected);
    }
  });

  it('is not skipped for a copy of the rule with another test (exceptions, counters)', () => {
    // Prepare
    const rule = patternRule('{ ($.eventName = "A") && ($.x = 1) }');
    const never: CompiledRule = { ...rule, test: () => false };

    // Act
    const test = candidateTest(never, 'A');

    // Assess
    expect(test).toBe(never.test);
  });

  it('changes no finding: random conjunctions and disjunctions of eventName and other tests, every name a table holds', () => {
    // Prepare
    const name = fc.constantFrom('A', 'B', 'a', 'C');
    const compare = fc.oneof(
      name.map((n) => `($.eventName = "${n}")`),
      fc.constantFrom('($.x = 1)', '($.x != 1)', '($.eventName = "A*")', '($.eventName != "B")', '($.y NOT EXISTS)'),
    );
    const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        compare,
        fc.array(tie('e'), { minLength: 2, maxLength: 4 }).map((xs) => `(${xs.join(' && ')})`),
        fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((xs) => `(${xs.join(' || ')})`),
      ),
    })).e.filter((e) => e.length < 1000); // CloudWatch's limit is 1,024 characters
    const sigmaRule = fc
      .tuple(
        fc.constantFrom('eventName', 'eventName|cased'),
        fc.oneof(name, fc.array(name, { minLength: 1, maxLength: 3 })),
        fc.constantFrom('eventName', 'eventName|cased', 'x'),
        fc.oneof(name, fc.constant(1)),
        fc.constantFrom('selection', 'selection and not filter', 'selection and filter', '1 of selection*', 'all of selection*', 'selection or filter'),
      )
      .map(([key, value, filterKey, filterValue, condition]) => sigma({ selection: { [key]: value, x: 1 }, selection_b: { [filterKey]: filterValue }, filter: { [filterKey]: filterValue }, condition }));
    const record = fc.record({ eventName: fc.oneof(name, fc.constantFrom<unknown>(7, ['A'], null)), x: fc.constantFrom(1, 2), y: fc.constantFrom(undefined, 3), eventID: fc.uuid() });

    fc.assert(
      fc.property(fc.array(expression, { minLength: 1, maxLength: 4 }), fc.array(sigmaRule, { maxLength: 3 }), fc.array(record, { maxLength: 20 }), (patterns, sigmaRules, records) => {
        const rules = [...patterns.map((e, i) => patternRule(`{ ${e} }`, `p${i}`)), ...sigmaRules.map((r, i) => ({ ...r, id: `s${i}` }))];

        // Act
        const indexed = evaluate(rules, records);
        const everything = evaluate(rules, records, false);

        // Assess
        expect(indexed).toEqual(everything);
      }),
      { numRuns: 500 },
    );
  });

  it('is left out for most of the built-in pack (the point of it)', async () => {
    // Prepare
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, params: { ALLOWED_REGIONS: ['us-east-1'] } });
    const byName = pack.rules.filter((r) => r.eventNames !== undefined);

    // Act
    const named = byName.filter((r) => r.testNamed !== undefined && r.testNamed.of === r.test);

    // Assess: every built-in rule filed by eventName but a handful with the name under an OR
    expect(byName.length).toBeGreaterThan(50);
    expect(named.length).toBeGreaterThan(byName.length * 0.8);
  });
});
