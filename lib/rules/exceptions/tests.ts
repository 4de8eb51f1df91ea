import type { RuleEntry } from '../rule';
import type { RuleTestResult } from '../test-runner';
import type { CompiledException } from './compile';

/**
 * Each exception's own tests, reported like rule tests (`npm run rules:test`):
 * - `suppressed`: the exception's pattern matches the record and, for a per-rule exception,
 *   the rule does too (so the case proves the exception removes a real match);
 * - `notSuppressed`: the pattern does not match and, for a per-rule exception, the rule does
 *   (a close miss that must still alert).
 * Expiry is not applied: the test says what the exception covers, not whether it is in force
 * (an expired one is marked `(expired …)` on its line and alerts in the function).
 */
export function runExceptionTests(pack: { readonly exceptions?: { readonly exceptions: readonly CompiledException[] }; readonly entries: readonly RuleEntry[] }, now: number = Date.now()): RuleTestResult[] {
  const rules = new Map(pack.entries.map((e) => [e.id, e.rule ?? e.tests?.rule]));
  return (pack.exceptions?.exceptions ?? []).map((e) => {
    const rule = e.rule === '*' ? undefined : rules.get(e.rule);
    const failures: string[] = [];
    const run = (records: readonly Record<string, unknown>[], expectSuppressed: boolean, label: string): number => {
      let passed = 0;
      records.forEach((record, i) => {
        const ruleMatches = rule === undefined ? true : rule.test(record);
        const excepted = e.test(record);
        if (ruleMatches && excepted === expectSuppressed) {
          passed++;
          return;
        }
        const what = !ruleMatches ? `rule ${e.rule} does not match it` : excepted ? 'the exception matches it' : 'the exception does not match it';
        failures.push(`${label}[${i}] (${describe(record)}): ${what}`);
      });
      return passed;
    };
    const suppressed = run(e.tests.suppressed, true, 'suppressed');
    const notSuppressed = run(e.tests.notSuppressed, false, 'notSuppressed');
    const expired = now >= e.expiresAt ? ` (expired ${e.expires})` : '';
    return {
      id: `exception ${e.id} -> ${e.rule}${expired}`,
      file: e.file,
      status: failures.length === 0 ? 'pass' : 'fail',
      match: { passed: suppressed, total: e.tests.suppressed.length },
      noMatch: { passed: notSuppressed, total: e.tests.notSuppressed.length },
      failures,
    };
  });
}

function describe(record: Record<string, unknown>): string {
  const name = typeof record.eventName === 'string' ? record.eventName : 'no eventName';
  const id = typeof record.eventID === 'string' ? record.eventID : 'no eventID';
  return `${name} ${id}`;
}
