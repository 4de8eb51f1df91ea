import type {
  ComparisonValue,
  FilterExpression,
  GlobValue,
  NumericOperator,
  Selector,
  SelectorStep,
} from './ast';
import { FilterPatternError, type FilterPatternErrorReason } from './errors';
import { compileRegex } from './regex';

/** PutMetricFilter / PutSubscriptionFilter: `filterPattern` is 0–1,024 characters. */
export const MAX_PATTERN_LENGTH = 1024;
/** "There is a limit of 2 regex for each filter pattern when creating a … JSON filter pattern". */
export const MAX_REGEX_PER_PATTERN = 2;
/** "up to three wildcard selectors in a filter pattern with compound expressions". */
export const MAX_WILDCARD_SELECTORS = 3;
/** "You can only use up to one wildcard selector in a property selector." */
const MAX_WILDCARDS_PER_SELECTOR = 1;

/** "Property selectors are alphanumeric strings that support hyphen and underscore". */
const NAME_CHAR = /[A-Za-z0-9_-]/;
const SIMPLE_NAME = /^[A-Za-z0-9_-]+$/;
/**
 * Characters of an unquoted value. AWS documents alphanumerics and `_`; its own examples
 * also leave `.` and `*` unquoted (`123.123.*`, CIS `kms.amazonaws.com`), numbers carry
 * `+`/`-`, and `:` `/` keep ARNs readable. Everything else (AWS names `@ $ \`) needs quotes.
 */
const UNQUOTED_CHAR = /[A-Za-z0-9_.\-:*+/]/;
/** "An integer … a decimal … or a number in scientific notation", each with an optional sign. */
const NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/**
 * Parses a CloudWatch Logs JSON filter pattern into a `FilterExpression`, or throws
 * `FilterPatternError` naming the first problem and its position. Everything the compiler
 * accepts is checked here, including regexes and CloudWatch's quotas.
 */
export function parseFilterPattern(source: string): FilterExpression {
  return new Parser(source).parse();
}

class Parser {
  private pos = 0;
  private regexCount = 0;
  private wildcardSelectors = 0;

  constructor(private readonly src: string) {}

  private fail(reason: FilterPatternErrorReason, at: number, description: string): never {
    throw new FilterPatternError(reason, at, this.src, description);
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.src[this.pos])) this.pos++;
  }

  private word(): string {
    const m = /^[A-Za-z]+/.exec(this.src.slice(this.pos, this.pos + 16));
    return m ? m[0] : '';
  }

  parse(): FilterExpression {
    const src = this.src;
    if (src.length > MAX_PATTERN_LENGTH) {
      this.fail('PatternTooLong', MAX_PATTERN_LENGTH, `filter pattern is ${src.length} characters; CloudWatch allows at most ${MAX_PATTERN_LENGTH}`);
    }
    this.skipWhitespace();
    const first = src[this.pos];
    if (first === undefined) {
      this.fail('EmptyPattern', this.pos, 'empty filter pattern (CloudWatch would match every event); write a JSON pattern { ... }');
    }
    if (first !== '{') this.unsupportedType(first);
    this.pos++;
    this.skipWhitespace();
    if (src[this.pos] === '}') this.fail('EmptyPattern', this.pos, 'empty JSON pattern {}: it needs at least one condition');
    const expression = this.or();
    this.skipWhitespace();
    this.expectClosing('}');
    this.pos++;
    this.skipWhitespace();
    if (this.pos < src.length) this.fail('TrailingInput', this.pos, "unexpected text after the closing '}'");
    return expression;
  }

  private unsupportedType(first: string): never {
    const at = this.pos;
    if (first === '[') this.fail('UnsupportedPatternType', at, 'space-delimited patterns [ ... ] are not supported; write a JSON pattern { ... }');
    if (first === '%') this.fail('UnsupportedPatternType', at, 'a bare %regex% term pattern is not supported; use it as a value: { $.field = %regex% }');
    return this.fail('UnsupportedPatternType', at, 'term and phrase patterns are not supported; write a JSON pattern { $.field = value }');
  }

  /** After an expression: the only things that may follow are `&&`, `||` and `closer`. */
  private expectClosing(closer: ')' | '}'): void {
    const c = this.src[this.pos];
    if (c === closer) return;
    const at = this.pos;
    if (c === undefined) this.fail('UnexpectedEnd', at, `missing '${closer}'`);
    if (c === '&' || c === '|') this.fail('UnexpectedCharacter', at, `single '${c}': the operators are '&&' and '||'`);
    const w = this.word().toUpperCase();
    if (w === 'AND' || w === 'OR') this.fail('UnsupportedKeyword', at, `'${this.word()}' is not an operator; use ${w === 'AND' ? "'&&'" : "'||'"}`);
    if (c === ')' && closer === '}') this.fail('UnexpectedCharacter', at, "unbalanced ')'");
    this.fail('UnexpectedCharacter', at, `expected '&&', '||' or '${closer}', found '${c}'`);
  }

  private or(): FilterExpression {
    const operands = [this.and()];
    for (;;) {
      this.skipWhitespace();
      if (!this.src.startsWith('||', this.pos)) break;
      this.pos += 2;
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private and(): FilterExpression {
    const operands = [this.primary()];
    for (;;) {
      this.skipWhitespace();
      if (!this.src.startsWith('&&', this.pos)) break;
      this.pos += 2;
      operands.push(this.primary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private primary(): FilterExpression {
    this.skipWhitespace();
    const c = this.src[this.pos];
    const at = this.pos;
    if (c === '(') {
      this.pos++;
      this.skipWhitespace();
      if (this.src[this.pos] === ')') this.fail('UnexpectedCharacter', this.pos, 'empty parentheses ()');
      const inner = this.or();
      this.skipWhitespace();
      this.expectClosing(')');
      this.pos++;
      return inner;
    }
    if (c === '$') return this.condition();
    if (c === undefined) this.fail('UnexpectedEnd', at, "expected a condition such as $.field = value");
    if (c === '}' || c === ')' || c === '&' || c === '|') this.fail('UnexpectedCharacter', at, `expected a condition before '${c}'`);
    if (c === '!') this.fail('InvalidOperator', at, "negation '!' is not supported; use '!=' or NOT EXISTS");
    return this.fail('UnexpectedCharacter', at, "a condition starts with a property selector '$.'");
  }

  private condition(): FilterExpression {
    const selector = this.selector();
    const after = this.src[this.pos];
    if (after !== undefined && !isWhitespace(after) && !'=!<>'.includes(after)) {
      if (')}&|'.includes(after)) this.fail('InvalidOperator', this.pos, 'expected an operator after the property selector');
      this.fail('InvalidSelector', this.pos, `unexpected '${after}' in property selector (names are letters, digits, '-' and '_'; use $.['name'] for others)`);
    }
    this.skipWhitespace();
    const c = this.src[this.pos];
    if (c === undefined) this.fail('UnexpectedEnd', this.pos, 'expected an operator after the property selector');
    if ('=!<>'.includes(c)) {
      const operatorAt = this.pos;
      const operator = this.operator();
      this.skipWhitespace();
      const value = this.value(operator);
      if (value.kind !== 'number' && operator !== '=' && operator !== '!=') {
        this.fail('InvalidValue', operatorAt, `operator '${operator}' compares numbers; the value must be a number`);
      }
      return { kind: 'compare', selector, operator, value };
    }
    return this.keyword(selector);
  }

  private keyword(selector: Selector): FilterExpression {
    const at = this.pos;
    const first = this.word();
    const upper = first.toUpperCase();
    if (first === '') {
      this.fail('InvalidOperator', at, 'expected an operator (=, !=, <, >, <=, >=) or IS / NOT EXISTS');
    }
    if (upper === 'EXISTS') {
      this.fail('UnsupportedKeyword', at, "EXISTS is not supported by CloudWatch; use $.field = \"*\" for a string or number value");
    }
    if (upper !== first && (upper === 'IS' || upper === 'NOT')) {
      this.fail('UnsupportedKeyword', at, `keywords are upper case: write '${upper}'`);
    }
    if (first !== 'IS' && first !== 'NOT') {
      this.fail('InvalidOperator', at, `'${first}' is not an operator (=, !=, <, >, <=, >=, IS, NOT EXISTS)`);
    }
    this.pos += first.length;
    if (!isWhitespace(this.src[this.pos])) this.fail('UnexpectedCharacter', this.pos, `expected a space after ${first}`);
    this.skipWhitespace();
    const secondAt = this.pos;
    const second = this.word();
    if (second.toUpperCase() !== second) this.fail('UnsupportedKeyword', secondAt, `keywords are upper case: write '${second.toUpperCase()}'`);
    this.pos += second.length;
    if (first === 'IS') {
      if (second === 'NULL') return { kind: 'is', selector, expected: null };
      if (second === 'TRUE') return { kind: 'is', selector, expected: true };
      if (second === 'FALSE') return { kind: 'is', selector, expected: false };
      if (second === 'NOT') this.fail('UnsupportedKeyword', at, 'IS NOT is not supported by CloudWatch');
      return this.fail('UnsupportedKeyword', secondAt, 'expected NULL, TRUE or FALSE after IS');
    }
    if (second === 'EXISTS') return { kind: 'notExists', selector };
    return this.fail('UnsupportedKeyword', secondAt, 'expected EXISTS after NOT');
  }

  private operator(): NumericOperator {
    const at = this.pos;
    const two = this.src.slice(at, at + 2);
    if (two === '==') this.fail('InvalidOperator', at, "'==' is not an operator; use '='");
    if (two === '<>') this.fail('InvalidOperator', at, "'<>' is not an operator; use '!='");
    if (two === '=<' || two === '=>') this.fail('InvalidOperator', at, `'${two}' is not an operator; use '${two[1]}='`);
    if (two === '!=' || two === '<=' || two === '>=') {
      this.pos += 2;
      return two;
    }
    const one = this.src[at];
    if (one === '=' || one === '<' || one === '>') {
      this.pos++;
      return one;
    }
    return this.fail('InvalidOperator', at, "'!' alone is not an operator; use '!='");
  }

  // ---- property selectors -------------------------------------------------------------

  private selector(): Selector {
    const start = this.pos;
    const src = this.src;
    if (src[this.pos + 1] !== '.') {
      this.fail('InvalidSelector', start, "a property selector starts with '$.' (e.g. $.eventName)");
    }
    this.pos += 2;
    const steps: SelectorStep[] = [];
    let wildcards = 0;
    const wildcard = (at: number): SelectorStep => {
      wildcards++;
      if (wildcards > MAX_WILDCARDS_PER_SELECTOR) {
        this.fail('QuotaExceeded', at, 'CloudWatch allows one wildcard selector per property selector');
      }
      return { kind: 'any' };
    };

    // first step, right after "$."
    const c = src[this.pos];
    if (c === '*') {
      steps.push(wildcard(this.pos));
      this.pos++;
    } else if (c === '[') {
      if (src[this.pos + 1] !== "'") this.fail('InvalidSelector', this.pos, "an array index must follow a property name; after '$.' only ['name'] is allowed");
      steps.push(this.bracketKey());
    } else {
      steps.push(this.name());
    }

    for (;;) {
      const d = src[this.pos];
      if (d === '.') {
        this.pos++;
        const e = src[this.pos];
        if (e === '*') {
          steps.push(wildcard(this.pos));
          this.pos++;
        } else if (e === '[' && src[this.pos + 1] === "'") {
          steps.push(this.bracketKey());
        } else {
          steps.push(this.name());
        }
      } else if (d === '[') {
        const e = src[this.pos + 1];
        if (e === "'") {
          steps.push(this.bracketKey());
        } else if (e === '*' && src[this.pos + 2] === ']') {
          steps.push(wildcard(this.pos + 1));
          this.pos += 3;
        } else {
          steps.push(this.index());
        }
      } else {
        break;
      }
    }
    if (wildcards > 0) {
      this.wildcardSelectors++;
      if (this.wildcardSelectors > MAX_WILDCARD_SELECTORS) {
        this.fail('QuotaExceeded', start, `CloudWatch allows at most ${MAX_WILDCARD_SELECTORS} wildcard selectors in one filter pattern`);
      }
    }
    return { steps, path: canonicalPath(steps), position: start };
  }

  private name(): SelectorStep {
    const start = this.pos;
    while (this.pos < this.src.length && NAME_CHAR.test(this.src[this.pos]!)) this.pos++;
    if (this.pos === start) {
      const c = this.src[this.pos];
      this.fail('InvalidSelector', start, c === undefined || isWhitespace(c)
        ? 'expected a property name'
        : `'${c}' cannot start a property name (use $.['name'] for names with other characters)`);
    }
    return { kind: 'key', key: this.src.slice(start, this.pos) };
  }

  /** `['name']`, for names with periods or other characters ($.['cluster.name']). */
  private bracketKey(): SelectorStep {
    const open = this.pos;
    const close = this.src.indexOf("'", open + 2);
    if (close < 0) this.fail('InvalidSelector', open, "unterminated ['name']");
    if (this.src[close + 1] !== ']') this.fail('InvalidSelector', close + 1, "expected ']' after the quoted name");
    this.pos = close + 2;
    return { kind: 'key', key: this.src.slice(open + 2, close) };
  }

  private index(): SelectorStep {
    const open = this.pos;
    const m = /^\[(\d+)\]/.exec(this.src.slice(open, open + 24));
    if (!m) this.fail('InvalidSelector', open, "expected an array index [n], [*] or ['name']");
    const index = Number(m[1]);
    if (!Number.isSafeInteger(index)) this.fail('InvalidSelector', open, 'array index is too large');
    this.pos += m[0].length;
    return { kind: 'index', index };
  }

  // ---- values -------------------------------------------------------------------------

  private value(operator: NumericOperator): ComparisonValue {
    const at = this.pos;
    const c = this.src[at];
    if (c === undefined) this.fail('UnexpectedEnd', at, `expected a value after '${operator}'`);
    if (c === '"') return this.quoted();
    if (c === '%') return this.regex();
    let end = at;
    while (end < this.src.length && UNQUOTED_CHAR.test(this.src[end]!)) end++;
    const next = this.src[end];
    if (end === at) {
      if (c === ')' || c === '}' || c === '&' || c === '|') this.fail('InvalidValue', at, `expected a value after '${operator}'`);
      this.fail('InvalidValue', at, `'${c}' cannot start an unquoted value; enclose the value in double quotes`);
    }
    if (next !== undefined && !isWhitespace(next) && !')}&|'.includes(next)) {
      this.fail('InvalidValue', end, `'${next}' is not allowed in an unquoted value; enclose the value in double quotes`);
    }
    this.pos = end;
    const text = this.src.slice(at, end);
    if (NUMBER.test(text)) {
      const value = Number(text);
      if (!Number.isFinite(value)) this.fail('InvalidValue', at, `number ${text} is out of range`);
      return { kind: 'number', value, text };
    }
    return this.glob(text, (k) => at + k, false);
  }

  /** A double-quoted value; `\"` and `\\` are its only escapes (as AWS CDK writes them). */
  private quoted(): GlobValue {
    const open = this.pos;
    let text = '';
    const positions: number[] = [];
    let i = open + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined) this.fail('UnterminatedString', open, 'unterminated quoted value');
      if (c === '"') break;
      if (c === '\\') {
        const e = this.src[i + 1];
        if (e !== '"' && e !== '\\') {
          this.fail('InvalidEscape', i, `unsupported escape '\\${e ?? ''}' in a quoted value (only \\" and \\\\ are)`);
        }
        positions.push(i);
        text += e;
        i += 2;
        continue;
      }
      positions.push(i);
      text += c;
      i++;
    }
    this.pos = i + 1;
    return this.glob(text, (k) => positions[k] ?? open, true);
  }

  /**
   * `*` matches any text "at, before, or after a search term" — at the start or end only:
   * the guide states "Ev*ent will only match the actual string Ev*ent", and AWS CDK's
   * `stringValue` allows `*` "at the start or at the end". Rather than silently compare an
   * inner `*` literally (surely not what was meant), we refuse it.
   */
  private glob(text: string, positionOf: (k: number) => number, quoted: boolean): GlobValue {
    let a = 0;
    let b = text.length;
    while (a < b && text[a] === '*') a++;
    while (b > a && text[b - 1] === '*') b--;
    const inner = text.indexOf('*', a);
    if (inner >= 0 && inner < b) {
      this.fail('UnsupportedWildcard', positionOf(inner), "'*' matches only at the start or end of a value (AWS: \"Ev*ent\" matches only the literal text); use a %regex% instead");
    }
    return { kind: 'glob', text: text.slice(a, b), leadingStar: a > 0, trailingStar: b < text.length, quoted };
  }

  private regex(): ComparisonValue {
    const open = this.pos;
    const close = this.src.indexOf('%', open + 1);
    if (close < 0) this.fail('InvalidRegex', open, "unterminated %regex% (missing the closing '%')");
    this.regexCount++;
    if (this.regexCount > MAX_REGEX_PER_PATTERN) {
      this.fail('QuotaExceeded', open, `CloudWatch allows at most ${MAX_REGEX_PER_PATTERN} regexes in one filter pattern`);
    }
    const source = this.src.slice(open + 1, close);
    compileRegex(source, open + 1, this.src); // validates; the compiler builds its own matcher
    this.pos = close + 1;
    const next = this.src[this.pos];
    if (next !== undefined && !isWhitespace(next) && !')}&|'.includes(next)) {
      this.fail('InvalidValue', this.pos, `unexpected '${next}' after %regex%`);
    }
    return { kind: 'regex', source, position: open };
  }
}

/** `resources[0].ARN`, `arrayKey[*]`, `['cluster.name']`: `.*` and `[*]` are one selector (RFC 9535). */
function canonicalPath(steps: readonly SelectorStep[]): string {
  let path = '';
  for (const step of steps) {
    if (step.kind === 'index') path += `[${step.index}]`;
    else if (step.kind === 'any') path += path === '' ? '*' : '[*]';
    else if (SIMPLE_NAME.test(step.key)) path += path === '' ? step.key : `.${step.key}`;
    else path += `['${step.key}']`;
  }
  return path;
}
