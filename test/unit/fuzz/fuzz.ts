import fc from 'fast-check';
import type { NamedProperty } from './properties';

/**
 * The bounded run in `npm test`: a fixed seed (deterministic inputs), at most `numRuns`
 * cases and at most ~2 s per property. bench/fuzz.bench.ts runs the same properties for
 * longer with random seeds.
 */
export const FUZZ_SEED = 20261124;
export const FUZZ_TIME_LIMIT_MS = 2000;

export async function assertProperty(p: NamedProperty, numRuns: number): Promise<void> {
  await fc.assert(p.property as fc.IAsyncProperty<unknown[]>, {
    seed: FUZZ_SEED,
    numRuns,
    interruptAfterTimeLimit: FUZZ_TIME_LIMIT_MS,
    markInterruptAsFailure: false,
  });
}
