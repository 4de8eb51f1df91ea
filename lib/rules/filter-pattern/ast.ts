/**
 * The parsed form of a CloudWatch Logs JSON filter pattern. Plain data: the parser builds
 * it, the compiler turns it into closures, other front ends (e.g. Sigma) may build it too.
 */

/** One step of a property selector (RFC 9535 terms: name, index, wildcard). */
export type SelectorStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  /** `[*]` or `.*`: every element of an array or every member value of an object. */
  | { readonly kind: 'any' };

export interface Selector {
  readonly steps: readonly SelectorStep[];
  /** Canonical path without the leading `$.`, e.g. `resources[0].ARN`, `arrayKey[*]`. */
  readonly path: string;
  readonly position: number;
}

/** A string value with `*` allowed only at its start and/or end. */
export interface GlobValue {
  readonly kind: 'glob';
  /** The text between the optional leading and trailing `*`. */
  readonly text: string;
  readonly leadingStar: boolean;
  readonly trailingStar: boolean;
  readonly quoted: boolean;
}

export interface NumberValue {
  readonly kind: 'number';
  readonly value: number;
  /** As written in the pattern, e.g. `+1000`, `10e-3`. */
  readonly text: string;
}

export interface RegexValue {
  readonly kind: 'regex';
  /** Between the `%` signs. */
  readonly source: string;
  /** Position of the opening `%`. */
  readonly position: number;
}

export type ComparisonValue = GlobValue | NumberValue | RegexValue;

export type EqualityOperator = '=' | '!=';
export type NumericOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly FilterExpression[] }
  | {
      readonly kind: 'compare';
      readonly selector: Selector;
      readonly operator: NumericOperator;
      readonly value: ComparisonValue;
    }
  | { readonly kind: 'is'; readonly selector: Selector; readonly expected: null | true | false }
  | { readonly kind: 'notExists'; readonly selector: Selector };
