import fc from 'fast-check';
import { countText } from '../../../lib/notify/count-text';

describe('countText', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [12345, '12,345'],
    [1234567, '1,234,567'],
    [-1234, '-1,234'],
  ])('writes %d as %s', (n, text) => {
    expect(countText(n)).toBe(text);
  });

  it('writes every number as toLocaleString("en-US") does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.maxSafeNat(), fc.double(), fc.constant(-0)), (n) => {
        expect(countText(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });
});
