import { LazyDfa } from './matcher';
import { buildProgram } from './nfa';
import { parseRegex, type Dialect, type Node, type RegexFlags } from './parser';

/**
 * trailwatch's one regex engine, for CloudWatch filter patterns (`%regex%`) and Sigma's `re`
 * modifier: parse in the rule language's dialect (parser.ts), build a Thompson NFA (nfa.ts),
 * match with a lazily built DFA (matcher.ts). Time is linear in the text for a given regex,
 * so no input can backtrack catastrophically; the text is never handed to `RegExp`.
 * Chosen over re2js by measurement: see "Regular expressions" in ../README.md.
 */
export { MAX_CACHED_STATES } from './matcher';
export { MAX_STATES } from './nfa';
export { MAX_REPEAT, type Dialect, type RegexFlags } from './parser';
export { RegexSyntaxError, type RegexErrorKind } from './errors';

export interface Regex {
  /** True if the regex matches somewhere in `text` (a search, not a whole-text match). Never throws. */
  test(text: string): boolean;
}

/** Compiles `source` in `dialect`; throws RegexSyntaxError. */
export function compileRegex(source: string, dialect: Dialect, flags: RegexFlags = {}): Regex {
  const tree = parseRegex(source, dialect, flags);
  const dfa = new LazyDfa(buildProgram(tree), anchoredAtStart(tree));
  const literal = requiredLiteral(tree);
  if (literal === '') return dfa;
  return { test: (text) => text.includes(literal) && dfa.test(text) };
}

/** True when every match must start at the start of the text (`^…` without `m`). */
function anchoredAtStart(node: Node): boolean {
  switch (node.k) {
    case 'assert':
      return node.a === 'start';
    case 'cat':
      return node.items.length > 0 && anchoredAtStart(node.items[0]!);
    case 'alt':
      return node.alts.every(anchoredAtStart);
    case 'rep':
      return node.min > 0 && anchoredAtStart(node.item);
    default:
      return false;
  }
}

/**
 * The longest run of plain characters every match must contain (`:assumed-role/aws:` in
 * `.+:assumed-role/aws:.+`): a text without it cannot match, and `includes` answers that far
 * faster than the automaton. Only mandatory, case-sensitive single characters in sequence
 * count; anything else (alternation, repetition, a class, an assertion) ends a run.
 */
function requiredLiteral(tree: Node): string {
  const items: Node[] = [];
  const flatten = (node: Node) => {
    if (node.k === 'cat') node.items.forEach(flatten);
    else items.push(node);
  };
  flatten(tree);
  let best = '';
  let run = '';
  for (const item of items) {
    const r = item.k === 'set' && !item.fold ? item.set.ranges : undefined;
    if (r?.length === 2 && r[0] === r[1]) {
      run += String.fromCodePoint(r[0]!);
      if (run.length > best.length) best = run;
    } else {
      run = '';
    }
  }
  return best;
}
