import path from 'node:path';
import { RuleLoadError } from './errors';
import { filterPatternHints, namedPatternTest, requiredEventNames } from './event-names';
import { FilterPatternError, type FilterExpression, parseFilterPattern } from './filter-pattern';
import { compileExpression } from './filter-pattern/compile';
import { compileWhere, NO_TRUST, type Trust, WhereSyntaxError } from './functions';
import { checkParamDeclarations, expandParams, type ParamValues } from './params';
import type { CompiledRule, RuleEntry } from './rule';
import { describeIssues, type RuleFile, RuleFileSchema, type RuleFileWithoutTestCases, RuleFileWithoutTestCasesSchema } from './schema';

export const RULE_FILE_FORMAT = 'trailwatch';

export interface RuleFileOptions {
  /** Configured parameter values, e.g. `{ ALLOWED_REGIONS: ['eu-west-1'] }`. */
  readonly params?: ParamValues;
  /** Ids switched off by configuration. */
  readonly disabled?: ReadonlySet<string>;
  /** Trusted accounts and organizations for `where:` functions (the record's own account is always trusted). */
  readonly trust?: Trust;
}

/**
 * A parsed trailwatch rule file → its catalogue entry: checked against the schema, the id
 * against the file name, parameters expanded, the pattern compiled once — for the
 * configured parameters and for the tests' parameters. Throws RuleLoadError naming `file`.
 */
export function compileRuleFile(doc: unknown, file: string, options: RuleFileOptions = {}): RuleEntry {
  const parsed = RuleFileSchema.safeParse(doc);
  if (!parsed.success) throw new RuleLoadError('InvalidRule', file, describeIssues(parsed.error.issues));
  const def = parsed.data;
  checkDefinition(def, file);

  // the tests' rule without the index's hints: the test runner evaluates it alone
  const forTests = compileDefinition(def, file, def.tests.params ?? {}, 'tests.params', def.tests.trust ?? NO_TRUST, { hints: false });
  if ('missing' in forTests) throw new RuleLoadError('InvalidRuleParam', file, `tests.params gives no values for ${forTests.missing}`);
  const tests = { rule: forTests.rule, match: def.tests.match, noMatch: def.tests.noMatch };
  return configuredEntry(def, { id: def.id, file, format: RULE_FILE_FORMAT, tests }, options);
}

/**
 * The same for a rule file whose test cases were dropped at build time (the built-in pack in
 * the function's bundle, build/builtin-rules.js): the entry has no `tests`, and the rule is
 * compiled once, for the configured parameters only. Throws RuleLoadError naming `file`.
 */
export function compileRuleFileWithoutTestCases(doc: unknown, file: string, options: RuleFileOptions = {}): RuleEntry {
  const parsed = RuleFileWithoutTestCasesSchema.safeParse(doc);
  if (!parsed.success) throw new RuleLoadError('InvalidRule', file, describeIssues(parsed.error.issues));
  const def = parsed.data;
  checkDefinition(def, file);
  return configuredEntry(def, { id: def.id, file, format: RULE_FILE_FORMAT }, options);
}

/**
 * The same for a document already checked against RuleFileWithoutTestCasesSchema when the
 * bundle was built (build/builtin-rules.js, `checked`): zod's parse of the ~100 built-in rules
 * was ~4 % of the instructions to handler ready at every cold start, for data the build
 * fixed. The id, parameters and pattern are still checked and compiled here.
 */
export function compileCheckedRuleFile(doc: unknown, file: string, options: RuleFileOptions = {}): RuleEntry {
  const def = doc as RuleFileWithoutTestCases;
  checkDefinition(def, file);
  return configuredEntry(def, { id: def.id, file, format: RULE_FILE_FORMAT }, options);
}

/** The id against the file name, the parameter declarations against `match` and the tests' values. */
function checkDefinition(def: RuleFile | RuleFileWithoutTestCases, file: string): void {
  const stem = path.basename(file).replace(/\.ya?ml$/i, '');
  if (def.id !== stem) throw new RuleLoadError('RuleIdMismatch', file, `id ${JSON.stringify(def.id)} differs from the file name ${JSON.stringify(stem)}`);
  const declarationProblem = checkParamDeclarations(def.match, def.params ?? {}, def.tests?.params);
  if (declarationProblem !== undefined) throw new RuleLoadError('InvalidRuleParam', file, declarationProblem);
}

/** The entry for the configured parameters, trust and disabled ids. */
function configuredEntry(def: Omit<RuleFile, 'tests'>, base: Pick<RuleEntry, 'id' | 'file' | 'format' | 'tests'>, options: RuleFileOptions): RuleEntry {
  // The tests' values stand in only for the tests: a deployment without configured values
  // must not alert on a list that nobody chose for it.
  const compiled = compileDefinition(def, base.file, options.params ?? {}, 'configured value', options.trust ?? NO_TRUST, { hints: true });
  if ('missing' in compiled) {
    return { ...base, status: 'inactive', statusReason: `parameter ${compiled.missing} has no value: configure it to turn this rule on` };
  }
  const configured = compiled.rule;
  if (options.disabled?.has(def.id)) return { ...base, rule: configured, status: 'disabled', statusReason: 'disabled by configuration' };
  if (def.enabled === false) return { ...base, rule: configured, status: 'disabled', statusReason: 'enabled: false in the rule file' };
  return { ...base, rule: configured, status: 'active' };
}

/**
 * A checked definition → the rule for `values` and `trust`, or the first parameter without a
 * value. The pattern is parsed once, for the predicate, the eventName index and (`hints`) the
 * field hints of the engine's index (lib/rules/event-names.ts).
 */
export function compileDefinition(
  def: Omit<RuleFile, 'tests'>,
  file: string,
  values: ParamValues,
  valuesFrom: string,
  trust: Trust,
  { hints }: { hints: boolean },
): { rule: CompiledRule } | { missing: string } {
  const expansion = expandParams(def.match, def.params ?? {}, values);
  if ('missing' in expansion) return expansion;
  if ('invalid' in expansion) throw new RuleLoadError('InvalidRuleParam', file, `${valuesFrom} ${expansion.invalid}`);
  const pattern = expansion.pattern;
  let expression: FilterExpression;
  let test: (record: unknown) => boolean;
  // the pattern for records the eventName index hands over (`CompiledRule.testNamed`)
  let testNamed: ((record: unknown) => boolean) | undefined;
  let eventNames: ReadonlySet<string> | undefined;
  try {
    expression = parseFilterPattern(pattern);
    test = compileExpression(expression, pattern);
    eventNames = requiredEventNames(expression);
    if (hints && eventNames !== undefined) testNamed = namedPatternTest(expression, eventNames, pattern);
  } catch (err) {
    if (!(err instanceof FilterPatternError)) throw err;
    const expanded = pattern === def.match ? '' : ' (after parameter expansion)';
    throw new RuleLoadError('InvalidPattern', file, `match${expanded}: ${err.reason}: ${err.message}`, { cause: err, position: err.position });
  }
  if (def.where !== undefined) {
    // `where` narrows `match` (a conjunction), so the eventName index proven from `match` stays valid
    let where: (record: unknown) => boolean;
    try {
      where = compileWhere(def.where, trust);
    } catch (err) {
      if (!(err instanceof WhereSyntaxError)) throw err;
      throw new RuleLoadError('InvalidWhere', file, `where: ${err.message}`, { cause: err });
    }
    const matches = test;
    test = (record) => matches(record) && where(record);
    const named = testNamed;
    if (named !== undefined) testNamed = (record) => named(record) && where(record);
  }
  const requiredValues = hints ? filterPatternHints(expression) : undefined;
  const rule: CompiledRule = Object.freeze({
    id: def.id,
    title: def.title,
    severity: def.severity,
    source: 'rule' as const,
    description: def.description.trim(),
    runbook: def.runbook.trim(),
    references: Object.freeze([...def.references]),
    file,
    expression: pattern,
    test,
    ...(eventNames === undefined ? {} : { eventNames }),
    ...(testNamed === undefined ? {} : { testNamed: Object.freeze({ of: test, test: testNamed }) }),
    ...(def.threshold === undefined ? {} : { threshold: Object.freeze({ ...def.threshold }) }),
    ...(def.dedupKey === undefined ? {} : { dedupKey: Object.freeze([...def.dedupKey]) }),
    ...(requiredValues === undefined ? {} : { requiredValues }),
  });
  return { rule };
}
