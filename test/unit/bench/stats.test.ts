import { median, quantile } from '../../../bench/stats';

describe('median', () => {
  it('takes the middle of an odd count and the upper middle of an even one, whatever the order', () => {
    // Prepare
    const odd = [30, 10, 20];
    const even = [4, 1, 3, 2];
    // Act
    const m = [median(odd), median(even)];
    // Assess
    expect(m).toEqual([20, 3]);
    expect(odd).toEqual([30, 10, 20]);
  });
});

describe('quantile', () => {
  it('reads sorted values at floor(q × n), the last for q = 1', () => {
    // Prepare
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // Act
    const qs = [0, 0.5, 0.9, 0.99, 1].map((q) => quantile(sorted, q));
    // Assess
    expect(qs).toEqual([1, 6, 10, 10, 10]);
  });
});
