import { foldPair, isWordCode } from './charset';
import { OP_ANY, OP_ANY_DOTALL, OP_ASSERT, OP_MATCH, OP_SET, OP_SPLIT, type Program } from './nfa';

/**
 * Most DFA states cached per regex. Past it the cache is emptied and rebuilt from the
 * current position (RE2's policy): a step then costs one NFA simulation step, so matching
 * stays linear in the text, and memory stays bounded whatever the regex and text.
 */
export const MAX_CACHED_STATES = 256;
/**
 * And at most this many table slots (transitions plus NFA state numbers) over the cached
 * states: ~1 MB per regex whatever its byte classes and assertions multiply the tables to.
 */
const MAX_CACHED_SLOTS = 1 << 17;

/**
 * One state of the lazy DFA: the NFA states that consume the next code point (closed over
 * empty moves, sorted), and its transitions as they are discovered. `next` is indexed by
 * ASCII byte class × context (which assertions hold at the next position).
 */
class DfaState {
  readonly next: (DfaState | undefined)[];
  constructor(
    readonly list: Int32Array,
    readonly epoch: number,
    size: number,
  ) {
    this.next = new Array<DfaState | undefined>(size);
  }
}

/** Every matching state is the same to a search: it has found a match. */
const MATCHED = new DfaState(new Int32Array(0), -1, 0);

/**
 * A Thompson NFA simulated one code point at a time (Pike VM without captures), with each
 * (state set, byte class, context) → state set step memoised: a lazy DFA. The text is read
 * by code points; non-ASCII code points step the NFA without caching the transition (rare in
 * CloudTrail fields, and it keeps the tables small). Buffers are allocated once per regex:
 * matching is synchronous and calls no user code, so it cannot re-enter itself.
 */
export class LazyDfa {
  private readonly anyFold: boolean;
  /** ASCII code → byte class: codes in one class are accepted by exactly the same NFA states. */
  private readonly byteClass: Uint8Array;
  private readonly stride: number;
  /** Transitions per DFA state: byte classes × contexts. */
  private readonly size: number;
  /** Assertion code → its bit in a context, or -1 when the regex has no such assertion. */
  private readonly bit = new Int8Array(7).fill(-1);
  private readonly kinds: number[] = [];
  private readonly buffer: Int32Array;
  private readonly stack: Int32Array;
  private readonly marks: Uint32Array;
  private generation = 0;
  private cache = new Map<string, DfaState>();
  private slots = 0;
  private initial: (DfaState | undefined)[] = [];
  private epoch = 0;

  constructor(
    private readonly p: Program,
    /** True when every match starts at position 0: an empty state set is then a failure. */
    private readonly anchored: boolean,
  ) {
    const n = p.ops.length;
    this.buffer = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.marks = new Uint32Array(n);
    this.anyFold = p.folds.includes(1);
    for (let s = 0; s < n; s++) {
      const code = p.assertions[s]!;
      if (code >= 0 && this.bit[code] === -1) {
        this.bit[code] = this.kinds.length;
        this.kinds.push(code);
      }
    }
    const [byteClass, classes] = this.byteClasses();
    this.byteClass = byteClass;
    this.stride = 1 << this.kinds.length;
    this.size = classes * this.stride;
  }

  /**
   * Partitions ASCII into classes no consuming state tells apart: every edge of an accepted
   * range starts a new class (RE2's byte classes). Cost is the ranges' count, not 128 × states.
   */
  private byteClasses(): [Uint8Array, number] {
    const edge = new Uint8Array(129);
    const { ops, sets, folds } = this.p;
    for (let s = 0; s < ops.length; s++) {
      const op = ops[s];
      if (op === OP_ANY) {
        edge[10] = edge[11] = 1;
      } else if (op === OP_SET) {
        // folded: an ASCII code also hits a range through its other case, 32 away; letters'
        // own edges are marked once below (more classes than needed is only a larger table)
        const shifts = folds[s] === 0 ? [0] : [0, 32, -32];
        const r = sets[s]!.ranges;
        for (let k = 0; k < r.length && r[k]! < 160; k += 2) {
          for (const d of shifts) {
            edge[Math.max(0, Math.min(r[k]! + d, 128))] = 1;
            edge[Math.max(0, Math.min(r[k + 1]! + 1 + d, 128))] = 1;
          }
        }
        if (folds[s] === 1) edge[65] = edge[91] = edge[97] = edge[123] = 1;
      }
    }
    const cls = new Uint8Array(128);
    let id = 0;
    for (let c = 1; c < 128; c++) cls[c] = id += edge[c]!;
    return [cls, id + 1];
  }

  private accepts(s: number, code: number, lower: number, upper: number): boolean {
    const op = this.p.ops[s];
    if (op === OP_ANY_DOTALL) return true;
    if (op === OP_ANY) return code !== 10;
    const set = this.p.sets[s]!;
    return set.has(code) || (this.p.folds[s] === 1 && (set.has(lower) || set.has(upper)));
  }

  /** Which of the regex's assertions hold between `prev` and `cur` at `pos` (-1: no character). */
  private context(pos: number, end: number, prev: number, cur: number): number {
    let ctx = 0;
    const kinds = this.kinds;
    for (let j = 0; j < kinds.length; j++) {
      let holds: boolean;
      switch (kinds[j]) {
        case 0:
          holds = pos === 0;
          break;
        case 1:
          holds = pos === end;
          break;
        case 2:
          holds = pos === end || (cur === 10 && pos + 1 === end);
          break;
        case 3:
          holds = pos === 0 || (prev === 10 && pos !== end);
          break;
        case 4:
          holds = pos === end || cur === 10;
          break;
        case 5:
          holds = isWordCode(prev) !== isWordCode(cur);
          break;
        default:
          holds = isWordCode(prev) === isWordCode(cur);
      }
      if (holds) ctx |= 1 << j;
    }
    return ctx;
  }

  private nextGeneration(): void {
    if (this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  /** Adds `state` and what it reaches by empty moves under `ctx` to the buffer; -1 on reaching a match. */
  private add(length: number, state: number, ctx: number): number {
    const { ops, out1, out2, assertions } = this.p;
    const { marks, stack, buffer, generation } = this;
    let top = 0;
    if (marks[state] !== generation) {
      marks[state] = generation;
      stack[top++] = state;
    }
    while (top > 0) {
      const s = stack[--top]!;
      const op = ops[s];
      if (op === OP_SET || op === OP_ANY || op === OP_ANY_DOTALL) {
        buffer[length++] = s;
        continue;
      }
      if (op === OP_MATCH) return -1;
      if (op === OP_ASSERT && ((ctx >> this.bit[assertions[s]!]!) & 1) === 0) continue;
      const a = out1[s]!;
      if (marks[a] !== generation) {
        marks[a] = generation;
        stack[top++] = a;
      }
      if (op === OP_SPLIT) {
        const b = out2[s]!;
        if (marks[b] !== generation) {
          marks[b] = generation;
          stack[top++] = b;
        }
      }
    }
    return length;
  }

  /** The state after `from` (undefined: the start of the text) reads `code` into context `ctx`. */
  private step(from: DfaState | undefined, code: number, ctx: number): DfaState {
    this.nextGeneration();
    let length = 0;
    if (from !== undefined) {
      let lower = code;
      let upper = code;
      if (this.anyFold) [lower, upper] = foldPair(code);
      const out1 = this.p.out1;
      for (const s of from.list) {
        if (!this.accepts(s, code, lower, upper)) continue;
        length = this.add(length, out1[s]!, ctx);
        if (length < 0) return MATCHED;
      }
    }
    // a search: a match may also start here
    length = this.add(length, this.p.start, ctx);
    if (length < 0) return MATCHED;
    const list = this.buffer.slice(0, length).sort();
    const key = list.join(',');
    let state = this.cache.get(key);
    if (state === undefined) {
      const slots = this.size + list.length;
      if (this.cache.size >= MAX_CACHED_STATES || this.slots + slots > MAX_CACHED_SLOTS) this.reset();
      state = new DfaState(list, this.epoch, this.size);
      this.cache.set(key, state);
      this.slots += slots;
    }
    return state;
  }

  /** DFA states cached now (at most MAX_CACHED_STATES). */
  get cachedStates(): number {
    return this.cache.size;
  }

  private reset(): void {
    this.cache = new Map();
    this.slots = 0;
    this.initial = [];
    this.epoch++;
  }

  /** True if the regex matches somewhere in `text`. Never throws. */
  test(text: string): boolean {
    const end = text.length;
    let cur = end > 0 ? text.codePointAt(0)! : -1;
    const ctx0 = this.context(0, end, -1, cur);
    let state = this.initial[ctx0];
    if (state === undefined) {
      state = this.step(undefined, 0, ctx0);
      if (state === MATCHED || state.epoch === this.epoch) this.initial[ctx0] = state;
    }
    const { byteClass, stride } = this;
    const simple = this.kinds.length === 0;
    let pos = 0;
    while (state !== MATCHED && pos < end) {
      if (this.anchored && state.list.length === 0) return false;
      const code = cur;
      const after = pos + (code > 0xffff ? 2 : 1);
      cur = after < end ? text.codePointAt(after)! : -1;
      const ctx = simple ? 0 : this.context(after, end, code, cur);
      let next: DfaState | undefined;
      if (code < 128) {
        const index = byteClass[code]! * stride + ctx;
        next = state.next[index];
        if (next === undefined) {
          next = this.step(state, code, ctx);
          // a state from before a reset keeps no links, so the old cache can be collected
          if (state.epoch === this.epoch) state.next[index] = next;
        }
      } else {
        next = this.step(state, code, ctx);
      }
      state = next;
      pos = after;
    }
    return state === MATCHED;
  }
}
