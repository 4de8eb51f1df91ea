import {
  countCodePoints,
  defang,
  escapeUnsafe,
  hasUnsafeCharacters,
  MAX_FIELD_CHARS,
  sanitize,
  sanitizeJsonValue,
  sanitizeProse,
  truncateGraphemes,
} from '../../../lib/notify/sanitize';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemesOf = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

describe('sanitize', () => {
  it.each([
    ['plain ASCII', 'aws-cli/2.15.0 Python/3.11.6'],
    ['emoji with ZWJ', 'deploy 👩‍💻 done 👨‍👩‍👧‍👦'],
    ['right-to-left letters', 'مدير النظام / מנהל'],
    ['JSON and markup fragments', '"}],"x":[{"<script>alert(1)</script>'],
  ])('leaves %s unchanged', (_name, text) => {
    // Act
    const result = sanitize(text);

    // Assess
    expect(result).toBe(text);
  });

  it.each([
    ['line feed', '\n', '\\u000A'],
    ['carriage return', '\r', '\\u000D'],
    ['tab', '\t', '\\u0009'],
    ['NUL', '\u0000', '\\u0000'],
    ['escape', '\u001b', '\\u001B'],
    ['DEL', '\u007f', '\\u007F'],
    ['next line (C1)', '\u0085', '\\u0085'],
    ['line separator', '\u2028', '\\u2028'],
    ['paragraph separator', '\u2029', '\\u2029'],
    ['right-to-left override', '\u202E', '\\u202E'],
    ['left-to-right embedding', '\u202A', '\\u202A'],
    ['first strong isolate', '\u2068', '\\u2068'],
    ['pop directional isolate', '\u2069', '\\u2069'],
    ['right-to-left mark', '\u200F', '\\u200F'],
    ['zero-width space', '\u200B', '\\u200B'],
    ['byte order mark', '\uFEFF', '\\uFEFF'],
    ['tag character', '\u{E0041}', '\\u{E0041}'],
    ['lone high surrogate', '\uD83D', '\\uD83D'],
    ['lone low surrogate', '\uDC00', '\\uDC00'],
  ])('escapes a %s visibly', (_name, char, escaped) => {
    // Act
    const result = sanitize(`a${char}b`);

    // Assess
    expect(result).toBe(`a${escaped}b`);
    expect(hasUnsafeCharacters(result)).toBe(false);
  });

  it('caps a 100 KB value and says how many characters were cut', () => {
    // Prepare
    const value = `Mozilla/5.0 ${'A'.repeat(100 * 1024)}`;

    // Act
    const result = sanitize(value);

    // Assess
    expect(result.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
    const match = /^(.*)…\(\+(\d+) chars\)$/s.exec(result);
    expect(match).not.toBeNull();
    expect(value.startsWith(match![1]!)).toBe(true);
    expect(match![1]!.length + Number(match![2])).toBe(countCodePoints(value));
  });

  it('never splits a grapheme when it cuts', () => {
    // Prepare
    const family = '👨‍👩‍👧‍👦';
    const value = `x${family.repeat(200)}`;

    // Act
    const result = sanitize(value, 100);

    // Assess
    const kept = result.slice(0, result.indexOf('…'));
    expect(graphemesOf(kept).every((g) => g === 'x' || g === family)).toBe(true);
    expect(result.length).toBeLessThanOrEqual(100);
  });

  it('counts escapes against the cap without cutting one in half', () => {
    // Prepare
    const value = '\u202E'.repeat(100);

    // Act
    const result = sanitize(value, 40);

    // Assess
    expect(result).toMatch(/^(\\u202E)+…\(\+\d+ chars\)$/);
    expect(result.length).toBeLessThanOrEqual(40);
  });

  it('cuts a single grapheme longer than the cap at a code point boundary', () => {
    // Prepare
    const zalgo = `Z${'\u0301'.repeat(5_000)}`;

    // Act
    const result = sanitize(zalgo, 50);

    // Assess
    expect(result.startsWith('Z\u0301')).toBe(true);
    expect(result.length).toBeLessThanOrEqual(50);
    expect(result).toMatch(/…\(\+\d+ chars\)$/);
  });

  it('turns non-strings into text', () => {
    // Act
    const results = [sanitize(undefined), sanitize(null), sanitize(42), sanitize({ a: '\n' })];

    // Assess
    expect(results).toEqual(['', '', '42', '{"a":"\\n"}']);
  });

  it('is idempotent', () => {
    // Prepare
    const once = sanitize(`a\u202Eb${'c'.repeat(2_000)}`);

    // Act
    const twice = sanitize(once);

    // Assess
    expect(twice).toBe(once);
  });
});

describe('sanitizeProse', () => {
  it('joins the lines of a multi-line description', () => {
    // Act
    const result = sanitizeProse('  The root user\nsigned in.\r\n\tCheck it.  ');

    // Assess
    expect(result).toBe('The root user signed in. Check it.');
  });
});

describe('truncateGraphemes', () => {
  it('keeps short text and cuts long text at a grapheme boundary with an ellipsis', () => {
    // Act
    const short = truncateGraphemes('abc', 5);
    const long = truncateGraphemes(`ab${'🇫🇷'.repeat(10)}`, 11);

    // Assess
    expect(short).toBe('abc');
    expect(long).toBe('ab🇫🇷🇫🇷…');
    expect(long.length).toBe(11);
  });
});

describe('defang', () => {
  it('makes scheme links and www. hosts inert', () => {
    // Act
    const result = defang('see https://evil.example/x and WWW.evil.example');

    // Assess
    expect(result).toBe('see https[://]evil.example/x and WWW[.]evil.example');
  });
});

describe('escapeUnsafe', () => {
  it('keeps ZWJ and ZWNJ, which emoji and some scripts need', () => {
    // Act
    const result = escapeUnsafe('👩\u200D💻 می\u200Cخواهم');

    // Assess
    expect(result).toBe('👩\u200D💻 می\u200Cخواهم');
  });
});

describe('sanitizeJsonValue', () => {
  it('keeps __proto__ as data, bounds depth, width and strings', () => {
    // Prepare
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":{"b":{"c":{"d":{"e":1}}}},"list":[1,2,3,4,5,6,7,8,9,10,11],"s":"x\\ny"}') as unknown;

    // Act
    const result = sanitizeJsonValue(value) as Record<string, unknown>;

    // Assess
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(result)).toBe(
      '{"__proto__":{"polluted":true},"a":{"b":{"c":{"d":"[nested too deep]"}}},"list":[1,2,3,4,5,6,7,8,9,10,"…(+1 items)"],"s":"x\\\\u000Ay"}',
    );
  });

  it('turns non-finite numbers and big integers into strings', () => {
    // Act
    const result = sanitizeJsonValue([Number.NaN, Infinity, 10n, undefined]);

    // Assess
    expect(result).toEqual(['NaN', 'Infinity', '10', null]);
  });
});

describe('the grapheme segmenter', () => {
  // Creating one loads ICU's break rules (issue 15: 8 % of a cold start): the module makes it
  // on the first value that must be cut, not when it loads.
  it('is made on the first cut, once, not at load or for a value that fits', () => {
    // Prepare: a fresh copy of the module, with the constructor counted
    const Original = Intl.Segmenter;
    const intl = Intl as { Segmenter: typeof Intl.Segmenter };
    let made = 0;
    intl.Segmenter = class extends Original {
      constructor(...args: ConstructorParameters<typeof Original>) {
        super(...args);
        made += 1;
      }
    };
    try {
      let fresh!: typeof import('../../../lib/notify/sanitize');
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        fresh = require('../../../lib/notify/sanitize');
      });
      const afterLoad = made;
      const short = fresh.sanitize('fits 👩‍💻');

      // Act
      const cut = fresh.sanitize('👩‍💻'.repeat(200), 50);
      const cutAgain = fresh.truncateGraphemes('👨‍👩‍👧‍👦'.repeat(20), 30);

      // Assess
      expect(afterLoad).toBe(0);
      expect(short).toBe('fits 👩‍💻');
      expect(made).toBe(1);
      expect(graphemesOf(cut.split('…')[0]!).every((g) => g === '👩‍💻')).toBe(true);
      expect(cutAgain).toBe(`${'👨‍👩‍👧‍👦'.repeat(2)}…`);
    } finally {
      intl.Segmenter = Original;
    }
  });
});
