import { compileFilterPattern, FilterPatternError } from '../filter-pattern';
import { compileSearchIdentifier, detectionPredicate } from '../sigma/detection';
import { SigmaProblem } from '../sigma/problem';
import { RuleLoadError } from '../errors';
import { ExceptionFileSchema, type ExceptionDefinition } from './schema';

/** One exception, compiled once at load. */
export interface CompiledException {
  readonly id: string;
  /** A rule id, or `*`: every rule. */
  readonly rule: string;
  readonly owner: string;
  readonly reason: string;
  /** As written: `2027-03-31`. */
  readonly expires: string;
  /** The first instant it no longer applies: 00:00 UTC the day after `expires` (the date itself is included). */
  readonly expiresAt: number;
  readonly file: string;
  readonly expression: string;
  /** True if the exception's pattern matches the record. Never throws. */
  readonly test: (record: unknown) => boolean;
  readonly tests: ExceptionDefinition['tests'];
}

const DAY_MS = 86_400_000;

/** Validates one parsed exception file and compiles its patterns. Throws RuleLoadError('InvalidException'). */
export function compileExceptionFile(doc: unknown, file: string): CompiledException[] {
  const parsed = ExceptionFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(file)';
    throw new RuleLoadError('InvalidException', file, `${where}: ${issue?.message ?? 'not an exception file'}`);
  }
  return parsed.data.exceptions.map((def, i) => {
    let test: (record: unknown) => boolean;
    try {
      // the rule languages' own compilers: an exception means exactly what the same pattern or selection means in a rule
      test = def.match !== undefined ? compileFilterPattern(def.match).test : detectionPredicate(compileSearchIdentifier('selection', def.selection));
    } catch (err) {
      if (err instanceof FilterPatternError) throw new RuleLoadError('InvalidException', file, `exceptions.${i}.match: ${err.reason}: ${err.message}`, { cause: err, position: err.position });
      if (err instanceof SigmaProblem) throw new RuleLoadError('InvalidException', file, `exceptions.${i}.selection: ${err.message}`, { cause: err });
      throw err;
    }
    return {
      id: def.id,
      rule: def.rule,
      owner: def.owner,
      reason: def.reason,
      expires: def.expires,
      expiresAt: Date.parse(`${def.expires}T00:00:00Z`) + DAY_MS,
      file,
      expression: def.match ?? JSON.stringify(def.selection),
      test,
      tests: def.tests,
    };
  });
}

/**
 * Cross-file checks once every rule and exception is loaded: an exception id is unique, and
 * `rule` names a loaded rule (a typo must not leave the alerts it meant to keep, nor except
 * nothing while looking like it works). Returns the first problem as a RuleLoadError.
 */
export function checkExceptions(exceptions: readonly CompiledException[], ruleIds: ReadonlySet<string>): RuleLoadError | undefined {
  const seen = new Map<string, string>();
  for (const e of exceptions) {
    const other = seen.get(e.id);
    if (other !== undefined) return new RuleLoadError('InvalidException', e.file, `exception id ${JSON.stringify(e.id)} is already used by ${other}`);
    seen.set(e.id, e.file);
    if (e.rule !== '*' && !ruleIds.has(e.rule)) return new RuleLoadError('InvalidException', e.file, `exception ${JSON.stringify(e.id)}: no rule has the id ${JSON.stringify(e.rule)}`);
  }
  return undefined;
}
