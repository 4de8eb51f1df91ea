import { RuleLoadError } from '../errors';
import type { RuleFormat } from '../load';
import { compileSigmaRule, compileSigmaText, isSigmaRefusal, SIGMA_FORMAT, type SigmaCompiledRule } from './compile';
import { isMapping } from './detection';
import type { SigmaRefusedRule } from './problem';

/**
 * Sigma as a rule format of the loader (`RulePackOptions.formats`). A Sigma rule trailwatch
 * cannot evaluate faithfully (another log source, an aggregation, an unsupported modifier)
 * is refused and reported at load time; a broken one (no title, a condition naming an
 * undefined search identifier, a malformed regex) fails loading with RuleLoadError, like a
 * broken trailwatch rule.
 */
export interface SigmaRuleFormat extends RuleFormat {
  /**
   * The same from the file's text, for a loader that can hand it over: keeps number-like
   * identifiers as written (`012345678901`) and reads `action: global` files (see yaml.ts).
   */
  compileText(text: string, file: string): { readonly rule: SigmaCompiledRule } | { readonly refused: string };
}

/** Sigma documents: `detection` or `logsource` (or a `correlation`) at the top, and no trailwatch `match`. */
export function looksLikeSigma(doc: unknown): boolean {
  return isMapping(doc) && !Object.hasOwn(doc, 'match') && (Object.hasOwn(doc, 'detection') || Object.hasOwn(doc, 'logsource') || Object.hasOwn(doc, 'correlation'));
}

function settle(result: SigmaCompiledRule | SigmaRefusedRule, file: string): { readonly rule: SigmaCompiledRule } | { readonly refused: string } {
  if (!isSigmaRefusal(result)) return { rule: result };
  if (result.problem === 'invalid') throw new RuleLoadError('InvalidRule', file, result.reason);
  return { refused: result.reason };
}

export const sigmaRuleFormat: SigmaRuleFormat = Object.freeze({
  name: SIGMA_FORMAT,
  recognises: looksLikeSigma,
  compile: (doc: unknown, file: string) => settle(compileSigmaRule(doc, file), file),
  compileText: (text: string, file: string) => settle(compileSigmaText(text, file), file),
});
