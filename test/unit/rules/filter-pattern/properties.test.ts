import { beginRecord, endRecords } from '../../../../lib/rules/record-fields';
import fc from 'fast-check';
import {
  compileFilterPattern,
  FilterPatternError,
  MAX_REGEX_PER_PATTERN,
  MAX_WILDCARD_SELECTORS,
} from '../../../../lib/rules/filter-pattern';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20260301 });

/**
 * Properties over many generated patterns and records: compiling fails only with
 * FilterPatternError, evaluating never fails, and the operators keep their promises
 * (complements, glob meaning, AND/OR/precedence, equality folding).
 */
const RUNS = { numRuns: 500 };

// ---- generators -------------------------------------------------------------------------

/** Pieces of pattern syntax, so random strings reach deep into the parser. */
const TOKENS = [
  '{', '}', '(', ')', '$', '$.', '.', 'a', 'b', '__proto__', '[0]', '[*]', '.*', "['x.y']", '[', ']', "'",
  '=', '!=', '<', '>', '<=', '>=', '==', '!', '&&', '||', '&', '|', ' ', '\n', '"', '\\', '\\"', '%', '*',
  'IS', 'NULL', 'TRUE', 'FALSE', 'NOT', 'EXISTS', 'is', '1', '-1.5', '1e3', '+', 'x', ':', '/', '@', 'é',
  '^', '$', '?', '{2,3}', '\\d', '\\x41', '[^a]', 'ERROR',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
const nearlyValid = fc
  .tuple(fc.constantFrom('{ ', '{', ''), tokenSoup, fc.constantFrom(' }', '}', ''))
  .map(([a, b, c]) => a + b + c);

const FIELD_NAMES = ['a', 'b', 'c', '__proto__', 'constructor', 'x.y'];

/** A record: JSON text parsed, so "__proto__" and "constructor" become own data keys. */
const record = fc
  .array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 })
  .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown);

const selector = fc.oneof(
  fc.constantFrom('$.a', '$.b', '$.c', '$.__proto__', '$.constructor', "$.['x.y']", '$.a.b', '$.a[0]', '$.a[1].b', '$.a[0][0]'),
  fc.constantFrom('$.a[*]', '$.*', '$.a.*', '$.a[*].b'),
);
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', ' ', '.', '-', ':', '"', '\\', '1'), maxLength: 5 });
const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** A `*`-free text with optional leading/trailing stars, quoted. */
const globSource = fc
  .tuple(fc.boolean(), text, fc.boolean())
  .map(([lead, core, trail]) => quoted(`${lead ? '*' : ''}${core}${trail ? '*' : ''}`));
const numberSource = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('0', '-0.5', '1.5', '+7', '1e3', '10e-3', '1E2'),
);
const regexSource = fc.constantFrom('%a%', '%^a%', '%b$%', '%[ab]+%', '%\\d{1,2}%', '%a|b%', '%.%');

const condition = fc.oneof(
  fc.tuple(selector, fc.constantFrom('=', '!='), fc.oneof(globSource, numberSource, regexSource, fc.constantFrom('*', 'a', 'a*', 'kms.amazonaws.com'))),
  fc.tuple(selector, fc.constantFrom('<', '>', '<=', '>=', '=', '!='), numberSource),
  fc.tuple(selector, fc.constantFrom('IS NULL', 'IS TRUE', 'IS FALSE', 'NOT EXISTS'), fc.constant('')),
).map(([s, op, v]) => `${s} ${op} ${v}`.trim());

/** A valid expression: conditions combined with &&, || and parentheses, within CloudWatch's quotas. */
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.tuple(tie('expr'), fc.constantFrom(' && ', '||', ' || ', '&&'), tie('expr')).map(([l, op, r]) => `${l}${op}${r}`),
    tie('expr').map((e) => `(${e})`),
  ),
})).expr.filter((e) => {
  const regexes = (e.match(/%[^%]*%/g) ?? []).length;
  const wildcards = (e.match(/\$\.\S*\*/g) ?? []).length;
  return regexes <= MAX_REGEX_PER_PATTERN && wildcards <= MAX_WILDCARD_SELECTORS && e.length < 1000;
});
const pattern = expression.map((e) => `{ ${e} }`);

/** A valid pattern with one token inserted or one slice cut out: errors deep inside. */
const mutated = fc
  .tuple(pattern, fc.nat(), fc.nat({ max: 3 }), fc.option(fc.constantFrom(...TOKENS), { nil: '' }))
  .map(([p, at, cut, insert]) => {
    const i = at % (p.length + 1);
    return p.slice(0, i) + insert + p.slice(i + cut);
  });

// ---- properties -------------------------------------------------------------------------

describe('compiling', () => {
  const onlyFilterPatternErrors = (source: string) => {
    try {
      const compiled = compileFilterPattern(source);
      expect(typeof compiled.test).toBe('function');
    } catch (error) {
      expect(error).toBeInstanceOf(FilterPatternError);
      const { position } = error as FilterPatternError;
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThanOrEqual(source.length);
    }
  };

  it('throws nothing but FilterPatternError, at a position inside the pattern, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), onlyFilterPatternErrors), RUNS);
  });

  it('… and for strings made of pattern syntax', () => {
    fc.assert(fc.property(nearlyValid, onlyFilterPatternErrors), { numRuns: 2_000 });
  });

  it('… and for valid patterns with one small edit', () => {
    fc.assert(fc.property(mutated, onlyFilterPatternErrors), { numRuns: 2_000 });
  });

  it('accepts every pattern built from the documented syntax', () => {
    fc.assert(
      fc.property(pattern, (source) => {
        expect(() => compileFilterPattern(source)).not.toThrow();
      }),
      RUNS,
    );
  });
});

describe('evaluating', () => {
  it('never throws, on any JSON value', () => {
    fc.assert(
      fc.property(pattern, fc.array(fc.jsonValue(), { maxLength: 5 }), (source, values) => {
        const { test } = compileFilterPattern(source);
        for (const v of values) expect(typeof test(v)).toBe('boolean');
      }),
      RUNS,
    );
  });

  it('never throws, on records with "__proto__" and "constructor" keys or any JavaScript value', () => {
    fc.assert(
      fc.property(pattern, record, fc.anything(), (source, r, anything) => {
        const { test } = compileFilterPattern(source);
        expect(typeof test(r)).toBe('boolean');
        expect(typeof test(anything)).toBe('boolean');
      }),
      RUNS,
    );
  });

  it('is deterministic: the same record gives the same answer twice', () => {
    fc.assert(
      fc.property(pattern, record, (source, r) => {
        const { test } = compileFilterPattern(source);
        expect(test(r)).toBe(test(r));
      }),
      RUNS,
    );
  });
});

describe('operators', () => {
  it('"= v" and "!= v" are complementary on a present string field', () => {
    fc.assert(
      fc.property(fc.oneof(globSource, regexSource), text, (value, field) => {
        // Prepare
        const eq = compileFilterPattern(`{ $.f = ${value} }`);
        const ne = compileFilterPattern(`{ $.f != ${value} }`);

        // Act / Assess
        expect(eq.test({ f: field })).toBe(!ne.test({ f: field }));
      }),
      RUNS,
    );
  });

  it('numeric operators split the numbers into complementary halves', () => {
    fc.assert(
      fc.property(numberSource, fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1000, max: 1000 })), (n, v) => {
        const on = (p: string) => compileFilterPattern(`{ $.f ${p} ${n} }`).test({ f: v });
        expect(on('=')).toBe(!on('!='));
        expect(on('<')).toBe(!on('>='));
        expect(on('>')).toBe(!on('<='));
        expect(on('=')).toBe(v === Number(n));
      }),
      RUNS,
    );
  });

  it('a glob means exact, prefix, suffix or substring, as its stars say', () => {
    fc.assert(
      fc.property(fc.boolean(), text, fc.boolean(), text, (lead, core, trail, field) => {
        // Prepare: the reference meaning, written independently
        const expected =
          lead && trail ? field.includes(core) : lead ? field.endsWith(core) : trail ? field.startsWith(core) : field === core;
        const value = quoted(`${lead ? '*' : ''}${core}${trail ? '*' : ''}`);

        // Act / Assess
        expect(compileFilterPattern(`{ $.f = ${value} }`).test({ f: field })).toBe(expected);
      }),
      RUNS,
    );
  });

  it('IS NULL and NOT EXISTS are never both true', () => {
    fc.assert(
      fc.property(selector, record, (s, r) => {
        const isNull = compileFilterPattern(`{ ${s} IS NULL }`).test(r);
        const notExists = compileFilterPattern(`{ ${s} NOT EXISTS }`).test(r);
        expect(isNull && notExists).toBe(false);
      }),
      RUNS,
    );
  });

  it('NOT EXISTS on a top-level name means "not an own property"', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', '__proto__', 'constructor', 'toString'), record, (name, r) => {
        const own = Object.hasOwn(r as object, name);
        expect(compileFilterPattern(`{ $.${name} NOT EXISTS }`).test(r)).toBe(!own);
      }),
      RUNS,
    );
  });

  it('&&, || and parentheses combine like the boolean operators, && before ||', () => {
    fc.assert(
      fc.property(condition, condition, condition, record, (a, b, c, r) => {
        fc.pre([a, b, c].join(' ').split('%').length <= 2 * MAX_REGEX_PER_PATTERN + 1);
        const t = (e: string) => compileFilterPattern(`{ ${e} }`).test(r);
        const [ta, tb, tc] = [t(a), t(b), t(c)];
        expect(t(`${a} && ${b}`)).toBe(ta && tb);
        expect(t(`${a} || ${b}`)).toBe(ta || tb);
        expect(t(`${a} || ${b} && ${c}`)).toBe(ta || (tb && tc));
        expect(t(`${a} && ${b} || ${c}`)).toBe((ta && tb) || tc);
        expect(t(`(${a} || ${b}) && ${c}`)).toBe((ta || tb) && tc);
      }),
      RUNS,
    );
  });

  it('a wildcard selector matches when some element matches', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(text, fc.integer(), fc.constant(null)), { maxLength: 5 }), text, (list, v) => {
        const expected = list.some((x) => typeof x === 'string' && x === v);
        expect(compileFilterPattern(`{ $.list[*] = ${quoted(v)} }`).test({ list })).toBe(expected);
      }),
      RUNS,
    );
  });

  it('folding equalities into a Set changes no answer', () => {
    const equality = fc.tuple(fc.constantFrom('$.a', '$.b', '$.a[0]'), fc.oneof(text.map(quoted), fc.constantFrom('1', 'x*', '*')));
    fc.assert(
      fc.property(fc.array(equality, { minLength: 1, maxLength: 8 }), record, (terms, r) => {
        const source = `{ ${terms.map(([s, v]) => `${s} = ${v}`).join(' || ')} }`;
        const folded = compileFilterPattern(source).test(r);
        const plain = compileFilterPattern(source, { mergeEqualities: false }).test(r);
        expect(folded).toBe(plain);
      }),
      RUNS,
    );
  });
});

describe('fast paths (comparisons on plain paths through the shared per-record slots)', () => {
  const scalar = fc.oneof(text, fc.integer({ min: -3, max: 3 }), fc.constantFrom<unknown>(null, true, 1.5, 'a', 'A', ''));
  /** Records whose plain paths lead somewhere: nested objects, arrays on the way, scalars. */
  const shaped = fc.oneof(
    record,
    fc.record({ a: fc.oneof(scalar, fc.record({ b: scalar }), fc.array(fc.record({ b: scalar }), { maxLength: 2 }), fc.array(scalar, { maxLength: 2 })), b: scalar, c: fc.record({ b: scalar }) }, { requiredKeys: [] }),
    fc.array(fc.record({ a: scalar }), { maxLength: 2 }),
  );

  it('give the same answer as the general walk, alone and with slots shared between patterns within a record', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), fc.array(shaped, { minLength: 1, maxLength: 4 }), (sources, records) => {
        // Prepare
        const fast = sources.map((s) => compileFilterPattern(s).test);
        const walk = sources.map((s) => compileFilterPattern(s, { fastPaths: false }).test);

        for (const r of records) {
          // Act: outside the engine, then as the engine evaluates a record (slots shared by every pattern)
          const expected = walk.map((t) => t(r));
          const alone = fast.map((t) => t(r));
          beginRecord(r);
          const shared = fast.map((t) => t(r));
          const again = fast.map((t) => t(r));
          endRecords();

          // Assess
          expect(alone).toEqual(expected);
          expect(shared).toEqual(expected);
          expect(again).toEqual(expected);
        }
      }),
      RUNS,
    );
  });
});
