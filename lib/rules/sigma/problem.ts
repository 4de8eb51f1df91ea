import type { RefusedRule } from '../rule';

/**
 * Why a Sigma document did not become a CompiledRule:
 * - `unsupported`: valid Sigma that trailwatch cannot evaluate faithfully (an aggregation, a
 *   `base64offset` modifier, another log source, …) — reported at load time, not fatal;
 * - `invalid`: not a valid Sigma rule (no title, a condition naming an undefined search
 *   identifier, `i` without `re`, a malformed regex, …) — a broken file, like a broken
 *   trailwatch rule.
 */
export type SigmaProblemKind = 'unsupported' | 'invalid';

/** A Sigma document refused by the front end, with the feature or defect named in `reason`. */
export interface SigmaRefusedRule extends RefusedRule {
  readonly format: 'sigma';
  readonly problem: SigmaProblemKind;
}

/** Thrown inside the front end only; `compileSigmaRule` turns it into a SigmaRefusedRule. */
export class SigmaProblem extends Error {
  constructor(
    readonly kind: SigmaProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'SigmaProblem';
  }
}

export function refusal(file: string, kind: SigmaProblemKind, reason: string): SigmaRefusedRule {
  return Object.freeze({ file, format: 'sigma' as const, problem: kind, reason: `${kind === 'unsupported' ? 'unsupported' : 'invalid Sigma rule'}: ${reason}` });
}
