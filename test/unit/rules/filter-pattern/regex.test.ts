import fc from 'fast-check';
import { compileFilterPattern, FilterPatternError } from '../../../../lib/rules/filter-pattern';
import { compileRegex } from '../../../../lib/rules/filter-pattern/regex';
import { cpuTime } from '../../../cpu-time';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20260301 });

/**
 * The `%regex%` subset (CloudWatch Logs user guide, "Supported regular expressions (regex)
 * syntax"): every operator with the guide's own examples, the refusals, linear time, and a
 * differential check against JavaScript's RegExp on the part both understand alike.
 */
const regexMatches = (re: string, text: string): boolean =>
  compileFilterPattern(`{ $.m = %${re}% }`).test({ m: text });

describe('operators, with the guide\'s examples', () => {
  it.each([
    // "%AUTHORIZED%" returns both of these
    ['AUTHORIZED', '[ERROR 401] UNAUTHORIZED REQUEST', true],
    ['AUTHORIZED', '[SUCCESS 200] AUTHORIZED REQUEST', true],
    ['AUTHORIZED', '[SUCCESS 200] authorized request', false],
    // ^ and $
    ['^[hc]at', 'hat', true],
    ['^[hc]at', 'cat', true],
    ['^[hc]at', 'that', false],
    ['[hc]at$', 'chat', true],
    ['[hc]at$', 'hats', false],
    // ?
    ['colou?r', 'color', true],
    ['colou?r', 'colour', true],
    ['colou?r', 'colouur', false],
    // []
    ['[abc]', 'xbx', true],
    ['[abc]', 'xyz', false],
    ['[a-z]', 'Q1q', true],
    ['[a-z]', 'Q1', false],
    ['[abcx-z]', 'y', true],
    ['[abcx-z]', 'w', false],
    ['ab[^c]$', 'xaba', true],
    ['ab[^c]$', 'xabc', false],
    // {m,n}, either bound may be omitted
    ['^a{3,5}$', 'aa', false],
    ['^a{3,5}$', 'aaa', true],
    ['^a{3,5}$', 'aaaaa', true],
    ['^a{3,5}$', 'aaaaaa', false],
    ['a{3,5}', 'xaaax', true],
    ['^a{,2}$', '', true],
    ['^a{,2}$', 'aa', true],
    ['^a{,2}$', 'aaa', false],
    ['^a{2,}$', 'a', false],
    ['^a{2,}$', 'aaaaaa', true],
    ['^a{2}$', 'aa', true],
    ['^a{2}$', 'aaa', false],
    ['^a{2, 3}$', 'aaa', true],
    // |
    ['gra|ey', 'gray', true],
    ['gra|ey', 'grey', true],
    ['gra|ey', 'gruy', false],
    ['^starting|^initializing|^shutting down', 'starting the service', true],
    ['^starting|^initializing|^shutting down', 'initializing cache', true],
    ['^starting|^initializing|^shutting down', 'shutting down', true],
    ['^starting|^initializing|^shutting down', 'skipping initializing cache', false],
    ['abcc|ab[^c]$', 'abcc and more', true],
    ['abcc|ab[^c]$', 'aac and more', false],
    // \ escapes an operator
    ['\\[.\\]', '[a]', true],
    ['\\[.\\]', '[@]', true],
    ['\\[.\\]', '[]]', true],
    ['\\[.\\]', '[ ]', true],
    ['\\[.\\]', '[ab]', false],
    ['10\\.10\\.0\\.1', '10.10.0.1', true],
    ['10\\.10\\.0\\.1', '10010,051', false],
    // "%10.10.0.1% can match "10010,051""
    ['10.10.0.1', '10010,051', true],
    // * and +
    ['ab*c', 'ac', true],
    ['ab*c', 'abbbc', true],
    ['ab[0-9]*', 'ab129', true],
    ['ab+c', 'abbc', true],
    ['ab+c', 'ac', false],
    // .
    ['.at', '#at', true],
    ['.at', ' at', true],
    ['.at', 'at', false],
    ['^.$', '😀', true],
    ['^.$', '\n', true],
    // \d \D \s \S \w \W
    ['\\d', 'abc1', true],
    ['\\d', 'abc', false],
    ['^\\D+$', 'abc', true],
    ['^\\D+$', 'ab1', false],
    ['a\\sb', 'a\tb', true],
    ['a\\sb', 'a\nb', true],
    ['a\\sb', 'a b', true],
    ['a\\sb', 'a_b', false],
    ['^\\S+$', 'a_b', true],
    ['^\\S+$', 'a b', false],
    ['^\\w+$', 'Az_09', true],
    ['^\\w+$', 'a-b', false],
    ['\\W', 'a-b', true],
    ['\\W', 'ab', false],
    ['^\\W$', 'é', true],
    // \xhh for characters the subset leaves out
    ['\\x3A', 'a:b', true],
    ['\\x28', 'f(x)', true],
    ['\\x28', 'fx', false],
    // symbols the guide allows as they are
    [':_#=@/;,-', 'x:_#=@/;,-y', true],
  ])('%%%s%% on %j → %s', (re, text, expected) => {
    expect(regexMatches(re, text)).toBe(expected);
  });
});

describe('refusals', () => {
  it.each([
    ['(a|b)', '(a|b)'],
    ['a)', ')'],
    ['a!', '!'],
    ['a"b', '"b'],
    ['é', 'é'],
    ['a\\n', '\\n'],
    ['(?i)a', '(?i)a'],
    ['a\\1', '\\1'],
    ['*a', '*a'],
    ['a**', '*'],
    ['a+?', '?'],
    ['^*', '*'],
    ['a{', '{'],
    ['a{x}', '{x}'],
    ['a{,}', '{,}'],
    ['a{5,3}', '{5,3}'],
    ['a{1001}', '{1001}'],
    ['[]', '[]'],
    ['[z-a]', 'z-a]'],
    ['[abc', '[abc'],
    ['[a-\\d]', 'a-\\d]'],
    ['a\\', '\\'],
    ['\\x4', '\\x4'],
    ['a||b', '|b'],
    ['|a', '|a'],
    ['a|', ''],
    ['a]', ']'],
    ['a}', '}'],
  ])('%%%s%% (at %j)', (re, rest) => {
    // Prepare
    const source = `{ $.m = %${re}% }`;

    // Act
    let error: unknown;
    try {
      compileFilterPattern(source);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(FilterPatternError);
    expect((error as FilterPatternError).reason).toBe('InvalidRegex');
    expect(source.slice((error as FilterPatternError).position)).toBe(`${rest}% }`);
  });

  it('refuses a regex whose automaton would be too large', () => {
    expect(() => compileRegex('a{1000}'.repeat(5), 0, '')).toThrow(FilterPatternError);
    expect(() => compileRegex('a{1000}'.repeat(4), 0, '')).not.toThrow();
  });
});

describe('linear time', () => {
  it('answers a backtracking trap over 50,000 characters quickly', () => {
    // Prepare: a backtracking engine tries ~n^12 splits of the a's before failing
    const matcher = compileRegex('a*a*a*a*a*a*a*a*a*a*a*a*c', 0, '');
    const text = 'a'.repeat(50_000);

    // Act
    const { result, ms } = cpuTime(() => matcher.test(text));

    // Assess: CPU time, not wall time (a loaded machine must not fail this)
    expect(result).toBe(false);
    expect(ms).toBeLessThan(2_000);
    expect(matcher.test(`${text}c`)).toBe(true);
  });

  it('gives the same answer when a matcher is reused', () => {
    const matcher = compileRegex('^ab+c$', 0, '');
    const answers = ['abc', 'ac', 'abbc', 'abcx', 'abc'].map((t) => matcher.test(t));
    expect(answers).toEqual([true, false, true, false, true]);
  });
});

describe('agrees with JavaScript RegExp on the common subset', () => {
  // Atoms and quantifiers that mean the same in both (no \s: the sets differ)
  const atom = fc.constantFrom('a', 'b', '1', '.', '[ab]', '[^a]', '[a-b1]', '\\d', '\\w', '\\W', '\\.');
  const quantifier = fc.constantFrom('', '', '?', '*', '+', '{2}', '{0,2}', '{1,}');
  const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
  const branch = fc
    .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([start, pieces, end]) => (start ? '^' : '') + pieces.join('') + (end ? '$' : ''));
  const regex = fc.array(branch, { minLength: 1, maxLength: 3 }).map((b) => b.join('|'));
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', ' '), maxLength: 8 });

  it('for random regexes and texts', () => {
    fc.assert(
      fc.property(regex, text, (re, t) => {
        // Act
        const ours = compileRegex(re, 0, '').test(t);
        const theirs = new RegExp(re, 's').test(t);

        // Assess
        expect(ours).toBe(theirs);
      }),
      { numRuns: 2_000 },
    );
  });
});
