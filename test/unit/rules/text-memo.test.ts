import fc from 'fast-check';
import { TextMemo } from '../../../lib/rules/text-memo';

fc.configureGlobal({ seed: 20261206 });

/** What the memo must answer: a Map that starts again when `capacity` texts are in it. */
class ReferenceMemo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(text: string): V | undefined {
    return this.map.get(text);
  }
  set(text: string, value: V): void {
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(text, value);
  }
}

/** Texts of few lengths and few characters: many share a length, some a prefix, some are long. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'İ', '\u{1F600}'), maxLength: 6 }),
  fc.tuple(fc.constantFrom('aws-cli/2.15.', 'arn:aws:iam::1:'), fc.nat(40)).map(([p, n]) => `${p}${n}`),
  fc.nat(3).map((n) => 'x'.repeat(30 + n)),
);
/** Operations on a small pool of texts, so texts come back after buckets fill and the memo starts again. */
const run = fc.uniqueArray(text, { minLength: 2, maxLength: 30, size: 'medium' }).chain((pool) =>
  fc.array(
    fc.tuple(fc.constantFrom('get' as const, 'set' as const), fc.nat(pool.length - 1)).map(([kind, i]) => [kind, pool[i]!] as const),
    { minLength: 50, maxLength: 300 },
  ),
);

describe('TextMemo', () => {
  it('answers as a Map that starts again at its capacity, whatever the bucket limits', () => {
    fc.assert(
      fc.property(run, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 35 }), (ops, capacity, bucketSize, maxBucketedLength) => {
        // Prepare
        const memo = new TextMemo<number>({ capacity, bucketSize, maxBucketedLength });
        const reference = new ReferenceMemo<number>(capacity);

        // Act, Assess
        ops.forEach(([kind, t], i) => {
          const expected = reference.get(t);
          expect(memo.get(t)).toBe(expected);
          // the engine sets only a text it has just not found
          if (kind === 'set' && expected === undefined) {
            memo.set(t, i);
            reference.set(t, i);
          }
        });
      }),
    );
  });

  it('finds texts freshly built with the same characters (strings compared by content)', () => {
    // Prepare
    const memo = new TextMemo<string>({ capacity: 100 });
    const agents = Array.from({ length: 40 }, (_, i) => `aws-sdk-js/3.${String(i).padStart(3, '0')}.0 os/linux`);
    agents.forEach((a, i) => memo.set(a, `v${i}`));

    // Act: the same texts as new strings, as JSON.parse gives them per record
    const found = agents.map((a) => memo.get(JSON.parse(JSON.stringify(a)) as string));

    // Assess: 40 texts of one length, past a bucket's 16
    expect(found).toEqual(agents.map((_, i) => `v${i}`));
    expect(memo.get('aws-sdk-js/3.999.0 os/linux')).toBeUndefined();
    expect(memo.size).toBe(40);
  });

  it('remembers texts longer than a bucketed text', () => {
    // Prepare
    const memo = new TextMemo<number>({ capacity: 10 });
    const long = 'u'.repeat(5000);
    memo.set(long, 1);

    // Act, Assess
    expect(memo.get('u'.repeat(5000))).toBe(1);
    expect(memo.get(`${'u'.repeat(4999)}v`)).toBeUndefined();
  });
});
