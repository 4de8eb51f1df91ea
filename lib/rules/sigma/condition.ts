import { SigmaProblem } from './problem';
import { compileGlob, parseSigmaString } from './strings';

/**
 * Sigma conditions (rules specification v2.0.0, "Condition"): search identifiers joined by
 * `and`, `or`, `not` and parentheses, and the selectors `1 of x`, `all of x`, `1 of them`,
 * `all of them`, where `x` may hold `*` wildcards at any position. Precedence, least to
 * most binding: `or`, `and`, `not`, `x of`, parentheses. Keywords are lower case, as
 * pySigma's parser reads them; pySigma also accepts `any of` for `1 of`, and so do we.
 *
 * Anything past that is refused by name: the pipe (`| count() by x > 5`, the deprecated
 * aggregation syntax, now Sigma correlation rules), `near`, and quantities other than 1/all.
 */
export type ConditionNode =
  | { readonly k: 'and' | 'or'; readonly operands: readonly ConditionNode[] }
  | { readonly k: 'not'; readonly operand: ConditionNode }
  | { readonly k: 'id'; readonly name: string }
  | { readonly k: 'of'; readonly quantifier: 'one' | 'all'; readonly pattern: string };

const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

type Token = { readonly text: string; readonly at: number };

function tokenize(source: string): Token[] {
  if (source.length > MAX_LENGTH) throw new SigmaProblem('unsupported', `a condition longer than ${MAX_LENGTH} characters`);
  if (source.includes('|')) {
    throw new SigmaProblem('unsupported', `aggregation in the condition (${JSON.stringify(source)}): the pipe syntax (| count() …) is deprecated in Sigma and not supported; Sigma correlation rules are not supported either`);
  }
  const tokens: Token[] = [];
  const re = /\s*(?:([()])|([A-Za-z0-9_*.-]+)|(\S))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null && m[0] !== '') {
    if (m[3] !== undefined) throw new SigmaProblem('invalid', `condition ${JSON.stringify(source)}: unexpected ${JSON.stringify(m[3])} at ${m.index + m[0].length - 1}`);
    const text = m[1] ?? m[2]!;
    tokens.push({ text, at: m.index + m[0].length - text.length });
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', '1', 'any', 'all', '(', ')']);

/** Parses one condition string. Throws SigmaProblem naming the unsupported construct or the syntax error. */
export function parseCondition(source: string): ConditionNode {
  const tokens = tokenize(source);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos]?.text;
  const fail = (what: string): never => {
    const at = tokens[pos]?.at ?? source.length;
    throw new SigmaProblem('invalid', `condition ${JSON.stringify(source)}: ${what} at ${at}`);
  };

  const orExpr = (): ConditionNode => {
    const operands = [andExpr()];
    while (peek() === 'or') {
      pos++;
      operands.push(andExpr());
    }
    return operands.length === 1 ? operands[0]! : { k: 'or', operands };
  };
  const andExpr = (): ConditionNode => {
    const operands = [notExpr()];
    while (peek() === 'and') {
      pos++;
      operands.push(notExpr());
    }
    return operands.length === 1 ? operands[0]! : { k: 'and', operands };
  };
  const notExpr = (): ConditionNode => {
    if (peek() !== 'not') return primary();
    pos++;
    if (++depth > MAX_DEPTH) throw new SigmaProblem('unsupported', `a condition nested more than ${MAX_DEPTH} deep`);
    const operand = notExpr();
    depth--;
    return { k: 'not', operand };
  };
  const primary = (): ConditionNode => {
    const t = peek();
    if (t === undefined) return fail('unexpected end, expected a search identifier');
    if (t === '(') {
      pos++;
      if (++depth > MAX_DEPTH) throw new SigmaProblem('unsupported', `a condition nested more than ${MAX_DEPTH} deep`);
      const inner = orExpr();
      depth--;
      if (peek() !== ')') return fail("expected ')'");
      pos++;
      return inner;
    }
    if (t === 'near') throw new SigmaProblem('unsupported', `'near' in the condition (a deprecated aggregation) is not supported`);
    const next = tokens[pos + 1]?.text;
    if (next === 'of') {
      const quantifier = t === '1' || t === 'any' ? 'one' : t === 'all' ? 'all' : undefined;
      if (quantifier === undefined) {
        if (/^[0-9]+$/.test(t)) throw new SigmaProblem('unsupported', `'${t} of' in the condition (only '1 of' and 'all of' are Sigma)`);
        return fail(`'${t}' cannot quantify 'of'`);
      }
      pos += 2;
      const pattern = peek();
      if (pattern === undefined || (KEYWORDS.has(pattern) && pattern !== 'them')) return fail("expected 'them' or a search-identifier pattern after 'of'");
      pos++;
      return { k: 'of', quantifier, pattern };
    }
    if (KEYWORDS.has(t) || /^(?:AND|OR|NOT)$/i.test(t)) return fail(`unexpected '${t}' (keywords are lower case: and, or, not)`);
    if (t.includes('*')) return fail(`a wildcard identifier '${t}' needs '1 of' or 'all of'`);
    pos++;
    return { k: 'id', name: t };
  };

  const node = orExpr();
  if (pos < tokens.length) fail(`unexpected '${tokens[pos]!.text}'`);
  return node;
}

/**
 * The search identifiers a selector stands for. `them` is every identifier not starting with
 * `_` (specification); a pattern matches whole identifiers with `*` as any characters, and
 * also skips `_`-prefixed ones unless the pattern itself starts with `_` (pySigma skips them
 * for every selector; a pattern that asks for them explicitly would otherwise match nothing).
 */
export function selectIdentifiers(pattern: string, identifiers: readonly string[]): string[] {
  if (pattern === 'them') return identifiers.filter((id) => !id.startsWith('_'));
  // the tokenizer lets only letters, digits and `_ * . -` through: `*` is the one wildcard
  const matches = compileGlob(parseSigmaString(pattern), true);
  return identifiers.filter((id) => matches(id) && (!id.startsWith('_') || pattern.startsWith('_')));
}
