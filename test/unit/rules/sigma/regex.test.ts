import fc from 'fast-check';
import { compileSigmaRegex } from '../../../../lib/rules/sigma';
import { SigmaProblem } from '../../../../lib/rules/sigma/problem';
import { cpuTime } from '../../../cpu-time';

fc.configureGlobal({ seed: 20260311 });

function problemOf(source: string): SigmaProblem {
  try {
    compileSigmaRegex(source);
  } catch (err) {
    if (err instanceof SigmaProblem) return err;
    throw err;
  }
  throw new Error(`${source} compiled`);
}

describe('Sigma re: the PCRE subset of the modifiers appendix', () => {
  it.each([
    // [regex, text, matches] — each agrees with PCRE and with JavaScript's RegExp
    ['.+:assumed-role/aws:.+', 'arn:aws:sts::111122223333:assumed-role/aws:ec2-instance/i-1', true],
    ['.+:assumed-role/aws:.+', 'arn:aws:iam::111122223333:user/alice', false],
    ['Trail', 'UpdateTrail', true], // a search, not a whole-value match
    ['^Update', 'UpdateTrail', true],
    ['^Trail', 'UpdateTrail', false],
    ['(Stop|Start)Logging$', 'StopLogging', true],
    ['(Stop|Start)Logging$', 'StopLoggingNow', false],
    ['(?:ab){2,3}c', 'xababcx', true],
    ['(?:ab){2,3}c', 'xabcx', false],
    ['a{3}', 'aa', false],
    ['a{3,}', 'aaaa', true],
    ['[a-c]+[^a-c]', 'abcd', true],
    ['[^a-c]', 'abc', false],
    ['\\d{12}', 'account 111122223333', true],
    ['\\w+@\\w+\\.com', 'me@example.com', true],
    ['\\s', 'nospace', false],
    ['a\\.b', 'axb', false],
    ['a\\.b', 'a.b', true],
    ['\\bfoo\\b', 'a foo b', true],
    ['\\bfoo\\b', 'afoob', false],
    ['\\Bfoo', 'afoo', true],
    ['x*', '', true],
    ['a|', 'zzz', true],
    ['(a|b)*?c', 'ababc', true], // lazy: same texts as greedy
    ['(?<name>ab)+', 'abab', true],
    ['\\x41\\x{42}', 'AB', true],
    ['[\\]a]', ']', true],
    ['[a-]', '-', true],
    ['a{', 'a{', true], // '{' that starts no quantifier is a literal, as in PCRE
  ] as const)('%s on %j is %s', (source, text, expected) => {
    // Prepare
    const regex = compileSigmaRegex(source);

    // Act
    const result = regex.test(text);

    // Assess
    expect(result).toBe(expected);
    expect(new RegExp(source.replace('(?<name>', '(?:').replace('\\x{42}', '\\x42')).test(text)).toBe(expected);
  });

  it('is case-sensitive by default and case-insensitive with i, (?i) or (?i:…)', () => {
    // Prepare
    const plain = compileSigmaRegex('stoplogging');
    const flagged = compileSigmaRegex('stoplogging', { i: true });
    const inline = compileSigmaRegex('(?i)stoplogging');
    const scoped = compileSigmaRegex('(?i:stop)Logging');
    const classed = compileSigmaRegex('^[a-z]+$', { i: true });

    // Act / Assess
    expect(plain.test('StopLogging')).toBe(false);
    expect(flagged.test('StopLogging')).toBe(true);
    expect(inline.test('STOPLOGGING')).toBe(true);
    expect(scoped.test('STOPLogging')).toBe(true);
    expect(scoped.test('STOPLOGGING')).toBe(false);
    expect(classed.test('ECOLE')).toBe(true);
    expect(classed.test('ÉCOLE')).toBe(false); // [a-z] folds to [A-Za-z], not to É
    expect(compileSigmaRegex('[^a-z]', { i: true }).test('A')).toBe(false);
    expect(compileSigmaRegex('é', { i: true }).test('É')).toBe(true);
  });

  it('keeps PCRE line semantics: $ before a final newline, m and s sub-modifiers', () => {
    // PCRE: without m, $ matches at the end or before a newline that ends the text
    expect(compileSigmaRegex('a$').test('a\n')).toBe(true);
    expect(compileSigmaRegex('a\\z').test('a\n')).toBe(false);
    expect(compileSigmaRegex('a$').test('a\nb')).toBe(false);
    // m: ^ and $ at inner line breaks; ^ not after a newline that ends the text
    expect(compileSigmaRegex('^b', { m: true }).test('a\nb')).toBe(true);
    expect(compileSigmaRegex('^b').test('a\nb')).toBe(false);
    expect(compileSigmaRegex('a$', { m: true }).test('a\nb')).toBe(true);
    expect(compileSigmaRegex('\\n^$', { m: true }).test('a\n')).toBe(false);
    // s: . matches a newline
    expect(compileSigmaRegex('a.b').test('a\nb')).toBe(false);
    expect(compileSigmaRegex('a.b', { s: true }).test('a\nb')).toBe(true);
    expect(compileSigmaRegex('(?s)a.b').test('a\nb')).toBe(true);
  });

  it('reads the text by code points: . is one emoji', () => {
    expect(compileSigmaRegex('^a.b$').test('a😀b')).toBe(true);
    expect(compileSigmaRegex('^a..b$').test('a😀b')).toBe(false);
  });

  it.each([
    ['(a)\\1', 'backreference'],
    ['\\k<x>', 'backreference'],
    ['(?=a)', 'lookahead'],
    ['(?!a)', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['(?<!a)b', 'lookbehind'],
    ['(?>a+)', 'atomic group'],
    ['a++', 'possessive quantifier'],
    ['\\p{L}', 'Unicode properties'],
    ['[[:alpha:]]', 'POSIX classes'],
    ['a{,3}', "'{,m}'"],
    ['(?:a{1000}){1000}', 'automaton states'],
    ['a{1001}', 'repetition bound'],
    ['\\v', '\\v'],
    ['\\0', 'octal'],
    ['(?x)a b', "'x'"],
    ['(?|a)', 'group syntax'],
    ['\\Qa\\E', 'quoting'],
  ])('refuses %s, naming %s', (source, feature) => {
    // Act
    const problem = problemOf(source);

    // Assess
    expect(problem.kind).toBe('unsupported');
    expect(problem.message).toContain(feature);
  });

  it.each([['(a'], ['a)'], ['*a'], ['a**'], ['[a'], ['a{3,2}'], ['a\\'], ['[z-a]'], ['^*'], ['\\x{zz}']])('rejects the malformed %s', (source) => {
    // Act
    const problem = problemOf(source);

    // Assess
    expect(problem.kind).toBe('invalid');
  });

  it('runs in linear time on patterns that make backtracking engines explode', () => {
    // Prepare: classic catastrophic cases for backtracking engines
    const text = 'a'.repeat(50_000);
    const regexes = ['(a|aa)*c', '(a+)+b', '(a*)*b', '(x+x+)+y', '^(a|a?)+$b'].map((s) => compileSigmaRegex(s));

    // Act
    const { result: results, ms } = cpuTime(() => regexes.map((r) => r.test(text)));

    // Assess: CPU time, not wall time (a loaded machine must not fail this)
    expect(results).toEqual([false, false, false, false, false]);
    expect(ms).toBeLessThan(2000);
  });

  it('is reusable: the same compiled regex gives the same answers in any order', () => {
    // Prepare
    const regex = compileSigmaRegex('^(ab|a)c$');

    // Act
    const answers = ['abc', 'ac', 'abx', 'abc', '', 'ac'].map((t) => regex.test(t));

    // Assess
    expect(answers).toEqual([true, true, false, true, false, true]);
  });
});

describe('Sigma re agrees with JavaScript RegExp on the shared subset', () => {
  /** Regexes from a small grammar where PCRE and JavaScript agree (no newlines in texts). */
  const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s', 'c', '\\.', '[a-c]', '1');
  const regex: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => a + b),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(?:${a}|${b})`),
      fc.tuple(tie('node'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '*?', '{2,}')).map(([a, q]) => `(?:${a})${q}`),
      fc.tuple(fc.constantFrom('^', '\\b', ''), tie('node'), fc.constantFrom('$', '\\b', '')).map(([l, a, r]) => `${l}${a}${r}`),
    ),
  })).node;
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', '.', 'A', '-'), maxLength: 12 });

  it('gives the same answer for every regex and text', () => {
    fc.assert(
      fc.property(regex, text, fc.boolean(), (source, t, ignoreCase) => {
        const ours = compileSigmaRegex(source, { i: ignoreCase }).test(t);
        const theirs = new RegExp(source, ignoreCase ? 'i' : '').test(t);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on arbitrary source and text, only SigmaProblem at compile time', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (source, t) => {
        let compiled;
        try {
          compiled = compileSigmaRegex(source);
        } catch (err) {
          expect(err).toBeInstanceOf(SigmaProblem);
          return;
        }
        expect(typeof compiled.test(t)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
