import { TrailwatchError } from '../../errors';

/**
 * Why a filter pattern was refused. Stable and metric-friendly, like every
 * `TrailwatchError.reason`: callers and tests branch on it, never on message text.
 */
export type FilterPatternErrorReason =
  /** Nothing but whitespace. CloudWatch would match every event; a rule never means that. */
  | 'EmptyPattern'
  /** Over 1,024 characters: the `filterPattern` length limit of PutMetricFilter / PutSubscriptionFilter. */
  | 'PatternTooLong'
  /** Not a JSON pattern `{ ... }`: term, phrase, space-delimited `[...]` or bare `%regex%` patterns. */
  | 'UnsupportedPatternType'
  /** A character that cannot start or continue anything at that place. */
  | 'UnexpectedCharacter'
  /** The pattern stops where more is required (a value, a `)`, the closing `}`). */
  | 'UnexpectedEnd'
  /** Text after the closing `}`. */
  | 'TrailingInput'
  /** A property selector that is not `$.name`, `[n]`, `[*]`, `.*` or `['key']`. */
  | 'InvalidSelector'
  /** A missing operator, or one CloudWatch does not have (`==`, `<>`, a lone `!`). */
  | 'InvalidOperator'
  /** A value that is missing, needs double quotes, or is not a number after `<`, `>`, `<=`, `>=`. */
  | 'InvalidValue'
  | 'UnterminatedString'
  /** A backslash escape other than `\"` and `\\` in a quoted value. */
  | 'InvalidEscape'
  /** `*` inside a value: AWS matches it only at the start or end ("Ev*ent" is the literal text). */
  | 'UnsupportedWildcard'
  /** A `%regex%` outside the regex subset AWS documents. */
  | 'InvalidRegex'
  /** `IS NOT`, `EXISTS`, `AND`/`OR`, lower-case keywords: not in CloudWatch's syntax. */
  | 'UnsupportedKeyword'
  /** More regexes or wildcard selectors than CloudWatch allows in one pattern. */
  | 'QuotaExceeded';

/** A filter pattern that trailwatch refuses at compile time, with where and why. */
export class FilterPatternError extends TrailwatchError {
  readonly reason: FilterPatternErrorReason;
  /** Zero-based index into `source` where the problem is. */
  readonly position: number;
  readonly source: string;

  constructor(reason: FilterPatternErrorReason, position: number, source: string, description: string) {
    super(`${description} (at position ${position}: ${excerpt(source, position)})`);
    this.reason = reason;
    this.position = position;
    this.source = source;
  }
}

/** A short window of the pattern with a marker, so a log line alone shows the spot. */
function excerpt(source: string, position: number): string {
  const start = Math.max(0, position - 20);
  const end = Math.min(source.length, position + 20);
  const before = (start > 0 ? '…' : '') + source.slice(start, position);
  const after = source.slice(position, end) + (end < source.length ? '…' : '');
  return JSON.stringify(`${before}⟨here⟩${after}`);
}
