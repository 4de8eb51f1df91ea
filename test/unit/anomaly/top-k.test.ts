import fc from 'fast-check';
import { TopK } from '../../../lib/anomaly/top-k';
import { ReferenceTopK } from './reference-counter';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20251124 });

describe('TopK (Space-Saving)', () => {
  it('is exact while the distinct values fit its capacity', () => {
    // Prepare
    const top = new TopK(4);
    // Act
    for (const v of ['a', 'b', 'a', 'c', 'a', 'b']) top.add(v);
    // Assess
    expect(top.top(2)).toEqual([
      { value: 'a', count: 3, error: 0 },
      { value: 'b', count: 2, error: 0 },
    ]);
    expect(top.observed).toBe(6);
  });

  it('keeps a heavy hitter among many distinct values, with memory bounded by its capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 400 }), (noise) => {
        // Prepare: 'HEAVY' is more than a third of the stream, so Space-Saving must keep it
        const top = new TopK(4);
        const stream = [...noise];
        for (let i = 0; i < noise.length + 1; i++) stream.splice(i * 2, 0, 'HEAVY');
        // Act
        for (const v of stream) top.add(v);
        const heavy = top.top(4).find((t) => t.value === 'HEAVY');
        // Assess: kept, never under-counted, over-counted by at most the reported error
        expect(heavy).toBeDefined();
        expect(heavy?.count).toBeGreaterThanOrEqual(noise.length + 1);
        expect((heavy?.count ?? 0) - (heavy?.error ?? 0)).toBeLessThanOrEqual(noise.length + 1);
        expect(top.top(100).length).toBeLessThanOrEqual(4);
      }),
    );
  });

  it('evicts the value that entered first among equal smallest counts, and moves the newcomer to the end', () => {
    // Prepare
    const top = new TopK(3);
    // Act: a, b, c all at 1; d replaces a (the oldest); e then replaces b
    for (const v of ['a', 'b', 'c', 'd', 'e']) top.add(v);
    // Assess (equal counts list by value)
    expect(top.top(3)).toEqual([
      { value: 'd', count: 2, error: 1 },
      { value: 'e', count: 2, error: 1 },
      { value: 'c', count: 1, error: 0 },
    ]);
    expect(top.observed).toBe(5);
  });

  it('keeps the same values, counts and errors as the Map-based implementation it replaced', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), fc.integer({ min: 1, max: 3 })), { maxLength: 200, size: 'max' }),
        (capacity, stream) => {
          // Prepare
          const top = new TopK(capacity);
          const reference = new ReferenceTopK(capacity);
          // Act
          for (const [value, by] of stream) {
            top.add(value, by);
            reference.add(value, by);
          }
          // Assess
          expect(top.top(capacity)).toEqual(reference.top(capacity));
          expect(top.observed).toBe(reference.observed);
        },
      ),
    );
  });

  it('refuses a capacity below one', () => {
    // Act & Assess
    expect(() => new TopK(0)).toThrow(RangeError);
  });
});
