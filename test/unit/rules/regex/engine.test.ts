import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compileRegex, MAX_CACHED_STATES, RegexSyntaxError, type Dialect, type RegexFlags } from '../../../../lib/rules/regex';
import { LazyDfa } from '../../../../lib/rules/regex/matcher';
import { buildProgram } from '../../../../lib/rules/regex/nfa';
import { parseRegex } from '../../../../lib/rules/regex/parser';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20261205 });

/**
 * The one regex engine against re2js (a port of RE2, the linear-time engine CloudWatch Logs
 * itself is built on) on generated regexes and texts, in both dialects, restricted to where
 * their semantics agree by definition:
 * - pcre: texts never end in '\n' (PCRE's `$` also matches before a final newline, RE2's
 *   does not, and RE2's multi-line `^` matches after it), no '\v' (PCRE's `\s` has it,
 *   RE2's does not), and case folding only on letters both map alike;
 * - cloudwatch: `.` matches a newline (RE2 with DOTALL, as CloudWatch runs it), and `{,n}`
 *   is written `{0,n}` for RE2, which reads `{,n}` as literal text.
 */
function re2(source: string, flags: RegexFlags & { dotAll?: boolean }): RE2JS {
  let f = 0;
  if (flags.i === true) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.m === true) f |= RE2JS.MULTILINE;
  if (flags.s === true || flags.dotAll === true) f |= RE2JS.DOTALL;
  return RE2JS.compile(source, f);
}

const TEXT_UNITS = ['a', 'b', 'c', 'z', 'A', 'B', 'Z', '1', '_', '[', '`', ' ', '.', '-', ':', '\n', '\t', 'é', 'É', '😀'];
const text = fc.string({ unit: fc.constantFrom(...TEXT_UNITS), maxLength: 16 });

describe('pcre dialect (Sigma re) agrees with re2js', () => {
  const atom = fc.constantFrom('a', 'b', 'c', 'A', '.', '[ab]', '[^a]', '[a-c1]', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\.', '-', 'é', '\\x41', '[\\d_]', '\\n', '[Z-a]', '[^b-y]', 'z');
  const regex: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => a + b),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(?:${a}|${b})`),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}|${b}|)`),
      fc.tuple(tie('node'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '*?', '+?', '{2,}')).map(([a, q]) => `(?:${a})${q}`),
      fc.tuple(fc.constantFrom('^', '\\b', '\\B', '\\A', ''), tie('node'), fc.constantFrom('$', '\\b', '\\z', '')).map(([l, a, r]) => `${l}${a}${r}`),
      tie('node').map((a) => `(?i:${a})`),
    ),
  })).node;
  const flags = fc.record({ i: fc.boolean(), m: fc.boolean(), s: fc.boolean() });
  const pcreText = text.filter((t) => !t.endsWith('\n'));

  it('gives the same answer for every generated regex, flags and text', () => {
    fc.assert(
      fc.property(regex, flags, fc.array(pcreText, { minLength: 1, maxLength: 4 }), (source, f, texts) => {
        // Act: as a search, and as a whole-text match (far more texts tell engines apart)
        const whole = `\\A(?:${source})\\z`;
        const ours = [compileRegex(source, 'pcre', f), compileRegex(whole, 'pcre', f)];
        const theirs = [re2(source, f), re2(whole, f)];

        // Assess
        for (const t of texts) expect([t, ...ours.map((r) => r.test(t))]).toEqual([t, ...theirs.map((r) => r.test(t))]);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('cloudwatch dialect (filter-pattern %regex%) agrees with re2js', () => {
  const atom = fc.constantFrom('a', 'b', '1', 'A', '.', ' ', ':', '-', '_', '[ab]', '[^a]', '[a-b1]', '[\\d_]', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\.', '\\x41', '\\-');
  const quantifier = fc.constantFrom('', '', '?', '*', '+', '{2}', '{0,2}', '{1,}', '{,2}');
  const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
  const branch = fc
    .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([start, pieces, end]) => (start ? '^' : '') + pieces.join('') + (end ? '$' : ''));
  const regex = fc.array(branch, { minLength: 1, maxLength: 3 }).map((b) => b.join('|'));

  it('gives the same answer for every generated regex and text', () => {
    fc.assert(
      fc.property(regex, fc.array(text, { minLength: 1, maxLength: 4 }), (source, texts) => {
        // Act
        const ours = compileRegex(source, 'cloudwatch');
        const theirs = re2(source.replace(/\{,/g, '{0,'), { dotAll: true });

        // Assess
        for (const t of texts) expect([t, ours.test(t)]).toEqual([t, theirs.test(t)]);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('catastrophic-backtracking traps: the right answer, from the one linear pass', () => {
  const long = 'a'.repeat(30_000);
  it.each<[Dialect, string, string, boolean]>([
    // texts hold every required literal, so the automaton itself must answer
    ['pcre', '(a+)+$', `${long}b`, false],
    ['pcre', '(a+)+$', long, true],
    ['pcre', '^(a|aa)*c$', `${long}bc`, false],
    ['pcre', '^(a*)*b$', `${long}bb`, false],
    ['pcre', '(x+x+)+y', `${'x'.repeat(30_000)}z`, false],
    ['pcre', '^(a|a?)+$', `${long}!`, false],
    ['pcre', '^(\\w+\\s?)+$', `${'word '.repeat(6_000)}!`, false],
    ['pcre', '(.*a){12}', long, true],
    ['pcre', '(.*a){12}', 'a'.repeat(11) + 'b'.repeat(30_000), false],
    ['pcre', '(?i)^(a|A)*z$', `${long}Zz!`, false],
    ['cloudwatch', 'a*a*a*a*a*a*a*a*a*a*a*a*c', `${long}b`, false],
    ['cloudwatch', 'a*a*a*a*a*a*a*a*a*a*a*a*c', `${long}c`, true],
    ['cloudwatch', '^a+a+a+a+b$', `${long}ba`, false],
    ['cloudwatch', '\\w*\\w*\\w*\\s', long, false],
  ])('%s %s on long text #%#', (dialect, source, input, expected) => {
    // Act
    const result = compileRegex(source, dialect).test(input);

    // Assess: against the stated answer and RE2's
    expect(result).toBe(expected);
    expect(re2(source, { dotAll: dialect === 'cloudwatch' }).test(input)).toBe(expected);
  });
});

describe('the lazy DFA cache', () => {
  it(`stays right past ${MAX_CACHED_STATES} states (the n-th-from-last letter regex needs 2^n)`, () => {
    // Prepare: a DFA for "a at 12 from the end" has 8,192 states, so the cache is reset many times
    const source = '(a|b)*a(a|b){12}$';
    const ours = compileRegex(source, 'pcre');
    const theirs = re2(source, {});
    const texts = fc.sample(fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 50, maxLength: 400 }), { numRuns: 60, seed: 20261205 });

    // Act / Assess: twice, so cached and rebuilt transitions both answer
    for (const t of [...texts, ...texts]) expect([t, ours.test(t)]).toEqual([t, theirs.test(t)]);
  });

  it(`never holds more than ${MAX_CACHED_STATES} states, however many the texts visit`, () => {
    // Prepare
    const dfa = new LazyDfa(buildProgram(parseRegex('(a|b)*a(a|b){12}$', 'pcre')), false);
    const texts = fc.sample(fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 200, maxLength: 400 }), { numRuns: 40, seed: 11 });

    // Act
    const sizes = texts.map((t) => {
      dfa.test(t);
      return dfa.cachedStates;
    });

    // Assess: the texts visit thousands of states; the cache filled up and never went past the cap
    expect(Math.max(...sizes)).toBeGreaterThan(MAX_CACHED_STATES / 2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_CACHED_STATES);
  });

  it('gives the same answers in any order when a compiled regex is reused', () => {
    // Prepare
    const regex = compileRegex('^(ab|a)c$|\\bx', 'pcre');
    const inputs = ['abc', 'ac', 'abx', 'a x', 'abc', '', 'ac', 'ax', 'x'];

    // Act
    const forward = inputs.map((t) => regex.test(t));
    const backward = [...inputs].reverse().map((t) => regex.test(t));

    // Assess
    expect(forward).toEqual([true, true, false, true, true, false, true, false, true]);
    expect(backward).toEqual([...forward].reverse());
  });
});

describe('compile errors', () => {
  it.each<[Dialect, string]>([
    ['pcre', ''],
    ['cloudwatch', ''],
  ])('never throws anything but RegexSyntaxError on arbitrary %s source, and never throws at match time', (dialect) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (source, t) => {
        let compiled;
        try {
          compiled = compileRegex(source, dialect);
        } catch (err) {
          expect(err).toBeInstanceOf(RegexSyntaxError);
          return;
        }
        expect(typeof compiled.test(t)).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses an automaton over the state cap as tooLarge, in both dialects', () => {
    for (const dialect of ['pcre', 'cloudwatch'] as const) {
      let error: unknown;
      try {
        compileRegex('a{1000}'.repeat(5), dialect);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RegexSyntaxError);
      expect((error as RegexSyntaxError).kind).toBe('tooLarge');
    }
  });
});
