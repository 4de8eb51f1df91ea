import { compileRegex as compileEngineRegex, RegexSyntaxError, type Regex } from '../regex';
import { FilterPatternError } from './errors';

/**
 * A `%regex%` value: the engine's `cloudwatch` dialect (exactly the subset the CloudWatch
 * Logs user guide documents, see ../regex/parser.ts), searched case-sensitively in time
 * linear in the text. We never hand the regex to `RegExp`: without groups `a*a*a*a*b` still
 * backtracks polynomially there.
 */
export type RegexMatcher = Regex;

/**
 * Compiles `re` (the text between `%` signs). `offset` is where `re` starts inside
 * `pattern`, so errors point at the right character of the whole filter pattern.
 */
export function compileRegex(re: string, offset: number, pattern: string): RegexMatcher {
  try {
    return compileEngineRegex(re, 'cloudwatch');
  } catch (err) {
    if (!(err instanceof RegexSyntaxError)) throw err;
    const description = err.kind === 'tooLarge' ? `regex is too large (${err.description})` : err.description;
    throw new FilterPatternError('InvalidRegex', offset + err.at, pattern, description);
  }
}
