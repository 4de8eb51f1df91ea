/**
 * A tiny seeded PRNG (mulberry32) and the draws the corpus needs. Deterministic across
 * Node versions and platforms: only 32-bit integer arithmetic, no Math.random.
 * Period 2^32 is plenty for a benchmark corpus; this is not for anything secret.
 */
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` characters drawn from `alphabet`. */
  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  hex(n: number): string {
    return this.chars(HEX, n);
  }

  /** Upper-case letters and digits: AWS unique ids, S3 request ids. */
  upperAlnum(n: number): string {
    return this.chars(UPPER_ALNUM, n);
  }

  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }

  base64(n: number): string {
    return this.chars(BASE64, n);
  }

  /** An RFC 4122 version-4 UUID: CloudTrail eventIDs, most requestIDs. */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + Math.floor(this.next() * 4)] as string;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

export function createRng(seed: number): Rng {
  return new Rng(seed);
}

/** FNV-1a: a stable 32-bit seed from a name, so a principal keeps its ids across files. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Characters that depend only on `name`: the same principal gets the same id everywhere. */
export function stableChars(name: string, alphabet: 'upperAlnum' | 'hex' | 'alnum', n: number): string {
  const rng = new Rng(hashSeed(name));
  return alphabet === 'upperAlnum' ? rng.upperAlnum(n) : alphabet === 'hex' ? rng.hex(n) : rng.alnum(n);
}

/**
 * Weighted choice with a precomputed cumulative table (binary search), so drawing one of
 * ~50 APIs per record stays cheap when generating hundreds of thousands of records.
 */
export class WeightedTable<T> {
  private readonly items: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.items = [];
    this.cumulative = [];
    let sum = 0;
    for (const [item, weight] of entries) {
      if (!(weight > 0)) continue;
      sum += weight;
      this.items.push(item);
      this.cumulative.push(sum);
    }
    if (this.items.length === 0) throw new RangeError('a weighted table needs a positive weight');
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }

  get size(): number {
    return this.items.length;
  }
}

/** A UUID that depends only on `name`: KMS key ids, detector ids and the like. */
export function stableUuid(name: string): string {
  return new Rng(hashSeed(name)).uuid();
}
