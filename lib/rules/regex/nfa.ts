import type { CharSet } from './charset';
import { RegexSyntaxError } from './errors';
import type { Assertion, Node } from './parser';

/**
 * The Thompson NFA of a syntax tree, as flat typed arrays. Its size bounds the work of one
 * match step (text length × states), so it is capped: 4,096 states is twice what 1,024
 * characters of regex need without counted repetition; only huge `{n,m}` expansions hit it.
 */
export const MAX_STATES = 4096;

export const OP_SET = 0;
export const OP_ANY = 1;
export const OP_ANY_DOTALL = 2;
export const OP_SPLIT = 3;
export const OP_JUMP = 4;
export const OP_ASSERT = 5;
export const OP_MATCH = 6;

/** Assertion codes; the matcher computes which hold at a position (see `holds` in matcher.ts). */
export const ASSERTION_CODES: Readonly<Record<Assertion, number>> = {
  start: 0,
  end: 1,
  endOrFinalNewline: 2,
  lineStart: 3,
  lineEnd: 4,
  wordBoundary: 5,
  notWordBoundary: 6,
};

export interface Program {
  readonly start: number;
  readonly ops: Uint8Array;
  readonly out1: Int32Array;
  readonly out2: Int32Array;
  readonly sets: readonly (CharSet | undefined)[];
  readonly folds: Uint8Array;
  readonly assertions: Int8Array;
}

interface Fragment {
  readonly start: number;
  /** Unpatched exits: state * 2 + (0 for out1, 1 for out2). */
  readonly exits: number[];
}

export function buildProgram(tree: Node): Program {
  const b = new NfaBuilder();
  const whole = b.build(tree);
  b.patch(whole.exits, b.state(OP_MATCH));
  return {
    start: whole.start,
    ops: Uint8Array.from(b.ops),
    out1: Int32Array.from(b.out1),
    out2: Int32Array.from(b.out2),
    sets: b.sets,
    folds: Uint8Array.from(b.folds, (f) => (f ? 1 : 0)),
    assertions: Int8Array.from(b.assertions),
  };
}

class NfaBuilder {
  readonly ops: number[] = [];
  readonly out1: number[] = [];
  readonly out2: number[] = [];
  readonly sets: (CharSet | undefined)[] = [];
  readonly folds: boolean[] = [];
  readonly assertions: number[] = [];

  state(op: number, set?: CharSet, fold = false, assertion = -1): number {
    if (this.ops.length >= MAX_STATES) throw new RegexSyntaxError('tooLarge', 0, `more than ${MAX_STATES} automaton states`);
    this.ops.push(op);
    this.out1.push(-1);
    this.out2.push(-1);
    this.sets.push(set);
    this.folds.push(fold);
    this.assertions.push(assertion);
    return this.ops.length - 1;
  }

  patch(exits: readonly number[], target: number): void {
    for (const e of exits) {
      if ((e & 1) === 0) this.out1[e >> 1] = target;
      else this.out2[e >> 1] = target;
    }
  }

  private single(s: number): Fragment {
    return { start: s, exits: [s * 2] };
  }

  build(node: Node): Fragment {
    switch (node.k) {
      case 'set':
        return this.single(this.state(OP_SET, node.set, node.fold));
      case 'any':
        return this.single(this.state(node.dotAll ? OP_ANY_DOTALL : OP_ANY));
      case 'assert':
        return this.single(this.state(OP_ASSERT, undefined, false, ASSERTION_CODES[node.a]));
      case 'empty':
        return this.single(this.state(OP_JUMP));
      case 'cat': {
        let frag: Fragment | undefined;
        for (const item of node.items) frag = this.concat(frag, this.build(item));
        return frag ?? this.single(this.state(OP_JUMP));
      }
      case 'alt': {
        let frag = this.build(node.alts[0]!);
        for (const alt of node.alts.slice(1)) {
          const right = this.build(alt);
          const split = this.state(OP_SPLIT);
          this.out1[split] = frag.start;
          this.out2[split] = right.start;
          frag = { start: split, exits: [...frag.exits, ...right.exits] };
        }
        return frag;
      }
      case 'rep':
        return this.repeat(node.item, node.min, node.max);
    }
  }

  private concat(left: Fragment | undefined, right: Fragment): Fragment {
    if (left === undefined) return right;
    this.patch(left.exits, right.start);
    return { start: left.start, exits: right.exits };
  }

  /** Each copy is built afresh, so `(ab){2,4}` is ab ab (ab (ab)?)?: linear in size. */
  private repeat(item: Node, min: number, max: number): Fragment {
    let frag: Fragment | undefined;
    for (let k = 0; k < min; k++) frag = this.concat(frag, this.build(item));
    if (max === Infinity) {
      const body = this.build(item);
      const split = this.state(OP_SPLIT);
      this.out1[split] = body.start;
      this.patch(body.exits, split);
      frag = this.concat(frag, { start: split, exits: [split * 2 + 1] });
    } else {
      const optional: Fragment[] = [];
      for (let k = min; k < max; k++) {
        const body = this.build(item);
        const split = this.state(OP_SPLIT);
        this.out1[split] = body.start;
        optional.push({ start: split, exits: [...body.exits, split * 2 + 1] });
      }
      // nest them: x? at each level continues to the next optional copy only after x matched
      for (let k = optional.length - 1; k > 0; k--) {
        const outer = optional[k - 1]!;
        const inner = optional[k]!;
        this.patch(outer.exits.slice(0, -1), inner.start);
        optional[k - 1] = { start: outer.start, exits: [outer.exits[outer.exits.length - 1]!, ...inner.exits] };
      }
      if (optional[0] !== undefined) frag = this.concat(frag, optional[0]);
    }
    return frag ?? this.single(this.state(OP_JUMP));
  }
}
