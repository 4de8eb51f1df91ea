import { compileRegex, RegexSyntaxError, type Regex, type RegexFlags } from '../regex';
import { SigmaProblem } from './problem';

/**
 * The `re` modifier: the engine's `pcre` dialect (the PCRE subset of the Sigma modifiers
 * appendix, see ../regex/parser.ts), matched in time linear in the text. Refusals become
 * SigmaProblems naming the feature: `unsupported` for valid PCRE we do not evaluate,
 * `invalid` for a malformed regex.
 */
export interface SigmaRegex extends Regex {
  readonly source: string;
}

export type { RegexFlags };
export { MAX_REPEAT, MAX_STATES } from '../regex';

/** Compiles a Sigma `re` value. Throws SigmaProblem (invalid or unsupported) naming the feature. */
export function compileSigmaRegex(source: string, flags: RegexFlags = {}): SigmaRegex {
  try {
    const regex = compileRegex(source, 'pcre', flags);
    return { source, test: (text) => regex.test(text) };
  } catch (err) {
    if (!(err instanceof RegexSyntaxError)) throw err;
    const where = `regex ${JSON.stringify(source)}`;
    if (err.kind === 'tooLarge') throw new SigmaProblem('unsupported', `${where}: ${err.description} (large counted repetition) is not supported`);
    if (err.kind === 'unsupported') throw new SigmaProblem('unsupported', `${where}: ${err.description} (at ${err.at}) is not supported`);
    throw new SigmaProblem('invalid', `${where}: ${err.description} (at ${err.at})`);
  }
}
