import type { TrailRecord } from '../cloudtrail/types';
import { planRules, RuleEvaluation } from './engine';
import type { RulePack } from './load';
import type { RuleEntry } from './rule';
import { testCaseRecords, type TestCase } from './schema';

export interface RuleTestResult {
  readonly id: string;
  readonly file: string;
  /** `untested` for formats without tests (Sigma rules). */
  readonly status: 'pass' | 'fail' | 'untested';
  readonly match: { readonly passed: number; readonly total: number };
  readonly noMatch: { readonly passed: number; readonly total: number };
  /** One line per failed case: which case, which record, what happened. */
  readonly failures: readonly string[];
}

/**
 * Runs every rule's own tests through the engine the pipeline uses: each case is one
 * delivery evaluated by that rule alone. A `match` case passes when the rule gives at
 * least one finding, a `noMatch` case when it gives none. Disabled and inactive rules are
 * tested too (with their tests' parameter values): a rule file must be right before anyone
 * turns it on.
 */
export function runRuleTests(pack: Pick<RulePack, 'entries'>): RuleTestResult[] {
  return pack.entries.map(testEntry);
}

function testEntry(entry: RuleEntry): RuleTestResult {
  const tests = entry.tests;
  if (tests === undefined) {
    return { id: entry.id, file: entry.file, status: 'untested', match: { passed: 0, total: 0 }, noMatch: { passed: 0, total: 0 }, failures: [] };
  }
  const plan = planRules([tests.rule]);
  const failures: string[] = [];
  const run = (cases: readonly TestCase[], expectMatch: boolean, label: string): number => {
    let passed = 0;
    cases.forEach((testCase, i) => {
      const records = testCaseRecords(testCase);
      const evaluation = new RuleEvaluation(plan, { bucket: 'rule-tests', key: entry.file }, Number.MAX_SAFE_INTEGER);
      evaluation.observe(records.map(asTrailRecord));
      const findings = evaluation.finish();
      if (findings.length > 0 === expectMatch) {
        passed++;
        return;
      }
      const what = expectMatch ? 'no finding' : `${findings.length} finding(s)`;
      failures.push(`${label}[${i}] (${describeCase(records)}): ${what}`);
    });
    return passed;
  };
  const match = run(tests.match, true, 'match');
  const noMatch = run(tests.noMatch, false, 'noMatch');
  return {
    id: entry.id,
    file: entry.file,
    status: failures.length === 0 ? 'pass' : 'fail',
    match: { passed: match, total: tests.match.length },
    noMatch: { passed: noMatch, total: tests.noMatch.length },
    failures,
  };
}

function asTrailRecord(record: Record<string, unknown>, index: number): TrailRecord {
  const text = JSON.stringify(record);
  return { text, record, bytes: Buffer.byteLength(text), index };
}

function describeCase(records: readonly Record<string, unknown>[]): string {
  const first = records[0];
  const name = typeof first?.eventName === 'string' ? first.eventName : 'no eventName';
  const id = typeof first?.eventID === 'string' ? first.eventID : 'no eventID';
  return records.length === 1 ? `${name} ${id}` : `delivery of ${records.length} records, first ${name} ${id}`;
}

/** `PASS root-account-usage  2 match / 2 no-match`, plus an indented line per failure. */
export function formatRuleTestResult(result: RuleTestResult): string {
  if (result.status === 'untested') return `---- ${result.id}  no tests (${result.file})`;
  const counts = (c: { passed: number; total: number }) => (c.passed === c.total ? `${c.total}` : `${c.passed}/${c.total}`);
  const head = `${result.status === 'pass' ? 'PASS' : 'FAIL'} ${result.id}  ${counts(result.match)} match / ${counts(result.noMatch)} no-match`;
  return [head, ...result.failures.map((f) => `     ${f}`)].join('\n');
}
