import { stringify } from 'yaml';
import { buildRulePack } from '../../../lib/rules/load';
import { formatRuleTestResult, runRuleTests } from '../../../lib/rules/test-runner';
import { BUILTIN_DIR, builtinRecord, ruleDoc } from './helpers';
import { loadRulePack } from '../../../lib/rules/load';

function packOf(...docs: Record<string, unknown>[]) {
  return buildRulePack(docs.map((d) => ({ file: `rules/${String(d.id)}.yaml`, text: stringify(d) })));
}

describe('runRuleTests', () => {
  it('passes a rule whose cases behave, and prints one line for it', () => {
    // Prepare
    const pack = packOf(ruleDoc('root-signin'));

    // Act
    const [result] = runRuleTests(pack);

    // Assess
    expect(result).toEqual({ id: 'root-signin', file: 'rules/root-signin.yaml', status: 'pass', match: { passed: 1, total: 1 }, noMatch: { passed: 1, total: 1 }, failures: [] });
    expect(formatRuleTestResult(result!)).toBe('PASS root-signin  1 match / 1 no-match');
  });

  it('fails a rule whose cases are swapped, naming each case and record', () => {
    // Prepare
    const hit = builtinRecord('root-console-login', 'match');
    const miss = builtinRecord('root-console-login', 'noMatch', 1);
    const pack = packOf(ruleDoc('root-signin', { tests: { match: [hit, miss], noMatch: [hit] } }));

    // Act
    const [result] = runRuleTests(pack);

    // Assess
    expect(result?.status).toBe('fail');
    expect(result?.failures).toEqual([`match[1] (ConsoleLogin ${miss.eventID}): no finding`, `noMatch[0] (ConsoleLogin ${hit.eventID}): 1 finding(s)`]);
    expect(formatRuleTestResult(result!)).toBe(
      ['FAIL root-signin  1/2 match / 0/1 no-match', `     match[1] (ConsoleLogin ${miss.eventID}): no finding`, `     noMatch[0] (ConsoleLogin ${hit.eventID}): 1 finding(s)`].join('\n'),
    );
  });

  it('evaluates a delivery case as one delivery, so threshold rules can be tested', () => {
    // Prepare
    const failure = builtinRecord('console-authentication-failures', 'match');
    const threshold = { count: 2, groupBy: 'sourceIPAddress' };
    const pack = packOf(
      ruleDoc('failures', {
        match: '{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }',
        threshold,
        tests: { match: [{ delivery: [failure, { ...failure, eventID: 'second' }] }], noMatch: [failure] },
      }),
    );

    // Act
    const [result] = runRuleTests(pack);

    // Assess
    expect(result?.status).toBe('pass');
  });

  it('catches every built-in rule if its pattern matched everything: the built-in tests can fail', async () => {
    // Prepare: each built-in rule with its pattern replaced by one that matches any record
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR });
    const anything = { entries: pack.entries.map((e) => ({ ...e, tests: { ...e.tests!, rule: { ...e.tests!.rule, test: () => true, eventNames: undefined } } })) };

    // Act
    const results = runRuleTests(anything);

    // Assess
    expect(results.filter((r) => r.status !== 'fail').map((r) => r.id)).toEqual([]);
  });

  it('catches every built-in rule if its pattern matched nothing', async () => {
    // Prepare
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR });
    const nothing = { entries: pack.entries.map((e) => ({ ...e, tests: { ...e.tests!, rule: { ...e.tests!.rule, test: () => false } } })) };

    // Act
    const results = runRuleTests(nothing);

    // Assess
    expect(results.filter((r) => r.status !== 'fail').map((r) => r.id)).toEqual([]);
  });
});
