import fc from 'fast-check';
import { compileGlob, parseSigmaString, plainText, sigmaText, wrapWithStars, type Piece } from '../../../../lib/rules/sigma/strings';
import { cpuTime } from '../../../cpu-time';

fc.configureGlobal({ seed: 20260312 });

describe('Sigma string values: escaping (rules specification, "Escaping")', () => {
  it.each([
    // [value as written in YAML, what it means: L = literal text, * and ? wildcards]
    ['C:\\Windows\\cmd.exe', [{ lit: 'C:\\Windows\\cmd.exe' }]], // a plain backslash needs no escape
    ['C:\\\\Windows', [{ lit: 'C:\\Windows' }]], // "\\" is one backslash
    ['a\\*b', [{ lit: 'a*b' }]], // "\*" is a literal star
    ['a\\?b', [{ lit: 'a?b' }]],
    ['a\\\\*', [{ lit: 'a\\' }, 'star']], // "\\*": a backslash, then a wildcard
    ['a\\\\\\*', [{ lit: 'a\\*' }]], // "\\\*": a backslash and a literal star
    ['a\\\\\\', [{ lit: 'a\\\\' }]], // three backslashes: two
    ['a\\\\\\\\', [{ lit: 'a\\\\' }]], // four backslashes: two
    ['a\\', [{ lit: 'a\\' }]], // a trailing backslash is itself
    ['*Trail*', ['star', { lit: 'Trail' }, 'star']],
    ['prog?.exe', [{ lit: 'prog' }, 'one', { lit: '.exe' }]],
    ['a**b', [{ lit: 'a' }, 'star', { lit: 'b' }]], // ** means *
    ['', []],
  ] as const)('%j reads as %j', (raw, expected) => {
    // Act
    const pieces = parseSigmaString(raw);

    // Assess
    expect(pieces).toEqual(expected);
  });

  it('writes pieces back so that they read the same', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '*', '?', '\\', 'B', 'é'), maxLength: 12 }), (raw) => {
        const pieces = parseSigmaString(raw);
        expect(parseSigmaString(sigmaText(pieces))).toEqual(pieces);
      }),
    );
  });

  it('contains / startswith / endswith add stars only where there is none', () => {
    // Prepare
    const value = parseSigmaString('*Trail');

    // Act
    const contains = wrapWithStars(value, true, true);
    const starts = wrapWithStars(parseSigmaString('Stop'), false, true);

    // Assess
    expect(contains).toEqual(['star', { lit: 'Trail' }, 'star']);
    expect(starts).toEqual([{ lit: 'Stop' }, 'star']);
    expect(plainText(parseSigmaString('a\\*'))).toBe('a*');
  });
});

describe('Sigma string matching', () => {
  it.each([
    ['StopLogging', 'stoplogging', false, true], // plain values are case-insensitive
    ['StopLogging', 'stoplogging', true, false], // cased
    ['StopLogging', 'StopLoggingX', false, false], // whole value, not a substring
    ['*Trail*', 'UPDATETRAILS', false, true],
    ['Update*', 'UpdateTrail', false, true],
    ['*Trail', 'TrailX', false, false],
    ['prog?.exe', 'progA.exe', false, true],
    ['prog?.exe', 'prog.exe', false, false],
    ['prog?.exe', 'prog😀.exe', false, true], // ? is one code point
    ['a\\*b', 'a*b', false, true],
    ['a\\*b', 'axb', false, false],
    ['a*b*c', 'aXbYc', false, true],
    ['a*b*c', 'aXcYb', false, false],
    ['', '', false, true],
    ['', 'x', false, false],
    ['*', '', false, true],
    ['Ä*', 'äpfel', false, true],
  ] as const)('%j against %j (cased %s) is %s', (raw, text, cased, expected) => {
    // Prepare
    const test = compileGlob(parseSigmaString(raw), cased);

    // Act
    const result = test(text);

    // Assess
    expect(result).toBe(expected);
  });

  /** The reference meaning: the value as an anchored JavaScript regex, code point by code point. */
  function reference(pieces: readonly Piece[], text: string, cased: boolean): boolean {
    const body = pieces
      .map((p) => (p === 'star' ? '.*' : p === 'one' ? '.' : (cased ? p.lit : p.lit.toLowerCase()).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${body}$`, 'su').test(cased ? text : text.toLowerCase());
  }

  it('agrees with the anchored-regex reading for any value and text', () => {
    const unit = fc.constantFrom('a', 'b', 'A', '*', '?', '\\', '😀', 'é', 'É', '.');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '😀', 'é', 'É', '*', '?', '.', '\\'), maxLength: 10 }), fc.boolean(), (raw, text, cased) => {
        const pieces = parseSigmaString(raw);
        expect(compileGlob(pieces, cased)(text)).toBe(reference(pieces, text, cased));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes time proportional to text × value at worst (no exponential backtracking)', () => {
    // Prepare
    const test = compileGlob(parseSigmaString('*a*a*a*a*a*a*a*a*b'), false);
    const text = 'a'.repeat(20_000);

    // Act
    const { result, ms } = cpuTime(() => test(text));

    // Assess: CPU time, not wall time (a loaded machine must not fail this)
    expect(result).toBe(false);
    expect(ms).toBeLessThan(2000);
  });
});
