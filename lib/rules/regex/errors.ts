/**
 * Why a regex was refused, for the front end to word in its own language:
 * - `invalid`: malformed in the dialect (an unterminated class, nothing to repeat, …);
 * - `unsupported`: well-formed, but a feature the engine refuses by design because it needs
 *   backtracking or its meaning differs between engines (a backreference, lookaround, …);
 * - `tooLarge`: the automaton would exceed MAX_STATES (a large counted repetition).
 */
export type RegexErrorKind = 'invalid' | 'unsupported' | 'tooLarge';

/** A regex refused at compile time; `at` indexes the regex's code points. */
export class RegexSyntaxError extends Error {
  constructor(
    readonly kind: RegexErrorKind,
    readonly at: number,
    readonly description: string,
  ) {
    super(description);
    this.name = 'RegexSyntaxError';
  }
}
