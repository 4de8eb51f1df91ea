import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { CloudTrailRecord, TrailRecord } from '../../../lib/cloudtrail/types';
import { requiredEventNames, withFilterPatternHints } from '../../../lib/rules/event-names';
import { compileFilterPattern, parseFilterPattern } from '../../../lib/rules/filter-pattern';
import type { CompiledRule } from '../../../lib/rules/rule';
import { testCaseRecords, type TestCase } from '../../../lib/rules/schema';

export const BUILTIN_DIR = path.resolve(__dirname, '..', '..', '..', 'rules');

/**
 * A realistic record from a built-in rule's own tests (full CloudTrail records written out
 * in rules/*.yaml), deep-copied so a test may change it.
 */
export function builtinRecord(ruleId: string, kind: 'match' | 'noMatch', index = 0): CloudTrailRecord {
  const doc = parse(readFileSync(path.join(BUILTIN_DIR, `${ruleId}.yaml`), 'utf8')) as { tests: Record<string, TestCase[]> };
  const testCase = doc.tests[kind]?.[index];
  if (testCase === undefined) throw new RangeError(`${ruleId} has no ${kind}[${index}]`);
  return structuredClone(testCaseRecords(testCase)[0]) as CloudTrailRecord;
}

export function trailRecords(records: readonly CloudTrailRecord[]): TrailRecord[] {
  return records.map((record, index) => {
    const text = JSON.stringify(record);
    return { text, record, bytes: Buffer.byteLength(text), index };
  });
}

/** A valid rule file as an object; tests break one field at a time. */
export function ruleDoc(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    title: 'Root user signed in to the console',
    severity: 'HIGH',
    description: 'What happened and why it matters.',
    runbook: 'First steps.',
    references: ['CIS AWS Foundations 1.4.0 4.3'],
    match: '{ ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "Root") }',
    tests: { match: [builtinRecord('root-console-login', 'match')], noMatch: [builtinRecord('root-console-login', 'noMatch', 1)] },
    ...overrides,
  };
}

/** A temporary directory, removed by `cleanup`. */
export function tempDir(): { dir: string; write: (name: string, content: string | Buffer | object) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-rules-'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : stringify(content));
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A filter-pattern rule as bench/synthetic-rules.ts builds one, with the index hints the loader
 * adds. `names`: a wider (still sound) eventName hint than the pattern proves, as a caller may give.
 */
export function patternRule(expression: string, id = 'p', names?: readonly string[]): CompiledRule {
  const eventNames = names === undefined ? requiredEventNames(parseFilterPattern(expression)) : new Set(names);
  const rule: CompiledRule = {
    id,
    title: 'Generated pattern',
    severity: 'LOW',
    source: 'rule',
    description: '',
    references: [],
    file: `generated/${id}.yaml`,
    expression,
    test: compileFilterPattern(expression).test,
    ...(eventNames === undefined ? {} : { eventNames }),
  };
  return withFilterPatternHints({ rule }).rule;
}
