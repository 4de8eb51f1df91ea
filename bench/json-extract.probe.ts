/**
 * Feasibility probe for issue 15 (`npx tsx bench/json-extract.probe.ts [--size 10MB] [--reps 11]
 * [--only PREFIX] [--warm 5] [--charloop]`): can a JS pass that validates each record's JSON
 * as strictly as `JSON.parse` and extracts only the fields the Lambda's analysers read (the
 * built-in rules' indexed fields, anomaly counting, the forwarder's eventTime) beat
 * `JSON.parse` of each record by enough to bring the pipeline as the Lambda runs it to ≥ 1.2×
 * a bare `gunzip + JSON.parse` of the whole file? Answer, with figures: README.md,
 * Performance → "As the Lambda runs it" (no: about 1.2–1.5× in time, no fewer instructions).
 *
 * Prints, on the corpus generator's file, alternating runs, medians, as CPU time of this
 * process (the machine is shared: wall clock, also printed, mostly measures waiting):
 *  - the bare reference and the pipeline (no analysers; as the Lambda), and the bare
 *    reference's parts: gunzip, UTF-8 decode, JSON.parse of the whole text;
 *  - per-record (a) `JSON.parse(text)` vs (b) `extract(text)` (validate + extract);
 *  - how many records a lazy `record` would still parse in full: those whose eventName,
 *    userAgent, userIdentity.type or errorCode give a built-in rule a candidate.
 * `--only PREFIX` runs only the modes whose label starts with it (`--only '('`: (a) and (b));
 * `--charloop` finds closing quotes with a charCodeAt loop instead of `indexOf` (slower here).
 *
 * `extract` is a probe, not library code: it covers the grammar (objects, arrays, strings
 * with escapes, numbers, literals, spaces) and falls back (FALLBACK) on control characters,
 * escaped keys and depth > 64. It is checked against JSON.parse on the corpus (every
 * extracted value equal) before anything is timed; it was also run against JSON.parse on
 * 55,000 generated and mutated texts (fast-check, not kept), with no divergence.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import { readRecordGroups } from '../lib/cloudtrail/record-reader';
import { parseSize } from './corpus/generate';
import { corpusFile, runPipeline } from './pipeline.bench';
import { benchRulePack, lambdaAnalysers } from './lambda';
import { median } from './stats';

const ROOT = path.resolve(__dirname, 'out', 'corpus');

/** Top-level fields read per record by the forwarder, anomaly counting and the built-in rules' indexes; and userIdentity's. */
const TOP = ['eventType', 'managementEvent', 'eventCategory', 'eventSource', 'eventName', 'eventTime', 'readOnly', 'errorCode', 'userAgent', 'eventID', 'userIdentity'];
const IDENTITY = ['arn', 'invokedBy', 'type'];
const N_SLOTS = TOP.length + IDENTITY.length;
const USER_IDENTITY = TOP.indexOf('userIdentity');

import { MISSING } from '../lib/rules/record-fields';
export { MISSING };
/** An object or array value (userIdentity itself, or a field the consumer then reads from the full record). */
export const COMPLEX = Symbol('complex');
export const FALLBACK = 0;
export const OK = 1;
export const INVALID = -1;

/** Names by length, for matching a key in place without slicing it. */
function byLength(names: readonly string[], base: number): Array<Array<[string, number]>> {
  const t: Array<Array<[string, number]>> = [];
  names.forEach((name, k) => (t[name.length] ??= []).push([name, base + k]));
  return t;
}
const TOP_BY_LEN = byLength(TOP, 0);
const ID_BY_LEN = byLength(IDENTITY, TOP.length);

function slotOf(table: Array<Array<[string, number]>>, s: string, start: number, end: number): number {
  const list = table[end - start];
  if (list === undefined) return -1;
  for (let k = 0; k < list.length; k++) {
    const [name, slot] = list[k]!;
    if (s.startsWith(name, start)) return slot;
  }
  return -1;
}

const CHARLOOP = process.argv.includes('--charloop');
/** The next '"' from `i` by a charCodeAt loop (short strings: cheaper than an indexOf call). */
function closeQuote(s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) if (s.charCodeAt(i) === 0x22) return i;
  return -1;
}
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;
const MAX_DEPTH = 64;
const stack = new Uint8Array(MAX_DEPTH + 1); // 1 object, 2 array

/**
 * Validates `s` as one JSON object and writes the wanted values into `out`. Returns OK,
 * INVALID (JSON.parse would throw — to be confirmed by it), or FALLBACK (use JSON.parse).
 */
export function extract(s: string, out: unknown[]): number {
  if (CONTROL.test(s)) return FALLBACK;
  for (let k = 0; k < N_SLOTS; k++) out[k] = MISSING;
  const n = s.length;
  let nextBs = s.indexOf('\\');
  if (nextBs < 0) nextBs = n;
  let i = 0;
  let depth = 0;
  // slot of the key whose value comes next, -1 none; idDepth: depth of the userIdentity object being read, 0 none
  let slot = -1;
  let idDepth = 0;
  // expecting: 0 a value, 1 a key or '}' (just after '{'), 2 a key (after ','), 3 ',' or close, 4 ']' or a value (just after '[')
  let expect = 0;
  for (;;) {
    let c = s.charCodeAt(i);
    while (c === 0x20) c = s.charCodeAt(++i);
    if (i >= n) return depth === 0 && expect === 3 ? OK : INVALID;
    if (expect === 3) {
      if (c === 0x2c) {
        i++;
        expect = stack[depth] === 1 ? 2 : 0;
        continue;
      }
      if (c === (stack[depth] === 1 ? 0x7d : 0x5d)) {
        i++;
        if (depth === idDepth) idDepth = 0;
        depth--;
        if (depth === 0) {
          while (s.charCodeAt(i) === 0x20) i++;
          return i === n ? OK : INVALID;
        }
        continue;
      }
      return INVALID;
    }
    if (expect === 1 || expect === 2) {
      if (c === 0x7d && expect === 1) {
        i++;
        if (depth === idDepth) idDepth = 0;
        depth--;
        expect = 3;
        if (depth === 0) {
          while (s.charCodeAt(i) === 0x20) i++;
          return i === n ? OK : INVALID;
        }
        continue;
      }
      if (c !== 0x22) return INVALID;
      const q = CHARLOOP ? closeQuote(s, i + 1) : s.indexOf('"', i + 1);
      if (q < 0) return INVALID;
      if (nextBs < q) return FALLBACK; // an escaped key (or a quote inside one)
      slot = depth === 1 ? slotOf(TOP_BY_LEN, s, i + 1, q) : idDepth !== 0 && depth === idDepth ? slotOf(ID_BY_LEN, s, i + 1, q) : -1;
      i = q + 1;
      while (s.charCodeAt(i) === 0x20) i++;
      if (s.charCodeAt(i) !== 0x3a) return INVALID;
      i++;
      expect = 0;
      continue;
    }
    // a value (expect 0, or 4 just after '[')
    if (expect === 4 && c === 0x5d) {
      i++;
      depth--;
      expect = 3;
      continue;
    }
    const at = slot;
    slot = -1;
    // a later userIdentity replaces an earlier one whole
    if (at === USER_IDENTITY) for (let k = TOP.length; k < N_SLOTS; k++) out[k] = MISSING;
    if (c === 0x22) {
      let q = CHARLOOP ? closeQuote(s, i + 1) : s.indexOf('"', i + 1);
      if (q < 0) return INVALID;
      let escaped = false;
      if (nextBs < q) {
        // walk the string: escapes checked, the closing quote is the first unescaped one
        escaped = true;
        let j = i + 1;
        for (;;) {
          const d = s.charCodeAt(j);
          if (j >= n) return INVALID;
          if (d === 0x22) break;
          if (d === 0x5c) {
            const e = s.charCodeAt(j + 1);
            if (e === 0x75) {
              for (let h = j + 2; h < j + 6; h++) {
                const x = s.charCodeAt(h) | 0x20;
                if (!((x >= 0x30 && x <= 0x39) || (x >= 0x61 && x <= 0x66))) return INVALID;
              }
              j += 6;
            } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
              j += 2;
            } else return INVALID;
          } else j++;
        }
        q = j;
        nextBs = s.indexOf('\\', q);
        if (nextBs < 0) nextBs = n;
      }
      if (at >= 0) out[at] = escaped ? JSON.parse(s.slice(i, q + 1)) : s.slice(i + 1, q);
      i = q + 1;
      expect = 3;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth === MAX_DEPTH) return FALLBACK;
      stack[++depth] = c === 0x7b ? 1 : 2;
      i++;
      expect = c === 0x7b ? 1 : 4;
      if (at >= 0) {
        out[at] = COMPLEX;
        if (at === USER_IDENTITY && c === 0x7b) idDepth = depth;
      }
      continue;
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
      if (!s.startsWith(word, i)) return INVALID;
      i += word.length;
      if (at >= 0) out[at] = c === 0x74 ? true : c === 0x66 ? false : null;
      expect = 3;
      continue;
    }
    // a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const start = i;
    if (c === 0x2d) c = s.charCodeAt(++i);
    if (c === 0x30) c = s.charCodeAt(++i);
    else if (c >= 0x31 && c <= 0x39) {
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    } else return INVALID;
    if (c === 0x2e) {
      c = s.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) return INVALID;
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    }
    if (c === 0x65 || c === 0x45) {
      c = s.charCodeAt(++i);
      if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) return INVALID;
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    }
    if (at >= 0) out[at] = Number(s.slice(start, i));
    expect = 3;
  }
}

/** What JSON.parse gives for the same slots: the reference the probe checks `extract` against. */
function reference(record: Record<string, unknown>, out: unknown[]): void {
  const get = (o: unknown, key: string): unknown => {
    if (typeof o !== 'object' || o === null || Array.isArray(o) || !Object.hasOwn(o, key)) return MISSING;
    const v = (o as Record<string, unknown>)[key];
    return typeof v === 'object' && v !== null ? COMPLEX : v;
  };
  TOP.forEach((k, j) => (out[j] = get(record, k)));
  const identity = record.userIdentity;
  IDENTITY.forEach((k, j) => (out[TOP.length + j] = typeof identity === 'object' && identity !== null && !Array.isArray(identity) ? get(identity, k) : MISSING));
}

export async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const k = args.indexOf(name);
    return k >= 0 ? args[k + 1]! : dflt;
  };
  const size = parseSize(opt('--size', '10MB'));
  const reps = Number(opt('--reps', '7'));
  const only = opt('--only', '');
  const f = await corpusFile(size, 42, 'delivery');
  const file = path.join(ROOT, f.key);
  const gz = readFileSync(file);
  const texts: string[] = [];
  for await (const group of readRecordGroups(createReadStream(file).pipe(createGunzip()))) for (const r of group) texts.push(r.text);
  const chars = texts.reduce((a, t) => a + t.length, 0);

  // correctness first: every record, every slot, against JSON.parse
  const out: unknown[] = new Array(N_SLOTS);
  const ref: unknown[] = new Array(N_SLOTS);
  let fallbacks = 0;
  let escapedRecords = 0;
  for (const t of texts) {
    if (t.includes('\\')) escapedRecords++;
    const verdict = extract(t, out);
    if (verdict === FALLBACK) {
      fallbacks++;
      continue;
    }
    if (verdict !== OK) throw new Error(`extract rejected a record JSON.parse accepts: ${t.slice(0, 200)}`);
    reference(JSON.parse(t) as Record<string, unknown>, ref);
    for (let k = 0; k < N_SLOTS; k++) if (!Object.is(out[k], ref[k])) throw new Error(`slot ${k}: ${String(out[k])} vs ${String(ref[k])}`);
  }

  // how many records would a lazy record still parse in full (the built-in rules' candidates)
  const pack = await benchRulePack();
  const plan = pack.plan as unknown as { fields: Array<{ field: string; forValue(v: unknown): readonly unknown[] }> };
  let needFull = 0;
  for (const t of texts) {
    const r = JSON.parse(t) as Record<string, unknown>;
    const value = (p: string): unknown => {
      let o: unknown = r;
      for (const k of p.split('.')) {
        if (typeof o !== 'object' || o === null || !Object.hasOwn(o, k)) return MISSING;
        o = (o as Record<string, unknown>)[k];
      }
      return o;
    };
    if (plan.fields.some((fi) => fi.forValue(value(fi.field)).length > 0)) needFull++;
  }

  const text = gunzipSync(gz).toString('utf8');
  const buf = gunzipSync(gz);
  let sink = 0;
  const lambda = lambdaAnalysers(pack);
  const modes: Array<[string, () => void | Promise<void>]> = [
    ['bare: gunzip + JSON.parse (as the bench)', async () => {
      const chunks: Buffer[] = [];
      for await (const c of createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 }))) chunks.push(c as Buffer);
      sink += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: unknown[] }).Records.length;
    }],
    ['pipeline, no analysers', async () => void (sink += (await runPipeline(f.key)).report.records.read)],
    ['pipeline as the Lambda', async () => void (sink += (await runPipeline(f.key, lambda)).report.records.read)],
    ['  gunzip (sync)', () => void (sink += gunzipSync(gz).length)],
    ['  utf-8 decode (whole)', () => void (sink += buf.toString('utf8').length)],
    ['  JSON.parse whole text', () => void (sink += (JSON.parse(text) as { Records: unknown[] }).Records.length)],
    ['(a) JSON.parse per record', () => {
      for (let k = 0; k < texts.length; k++) sink += (JSON.parse(texts[k]!) as object) === null ? 0 : 1;
    }],
    ['(b) extract per record', () => {
      for (let k = 0; k < texts.length; k++) {
        if (extract(texts[k]!, out) !== OK) sink += (JSON.parse(texts[k]!) as object) === null ? 0 : 1;
        sink += out[4] === MISSING ? 0 : 1;
      }
    }],
    ['control-char regex over the whole text', () => void (sink += CONTROL.test(text) ? 1 : 0)],
  ];
  const picked = only ? modes.filter(([label]) => label.trim().startsWith(only)) : modes;
  const warm = Number(opt('--warm', '5'));
  for (let w = 0; w < warm; w++) for (const [, run] of picked) await run();
  // CPU time of this process (all threads), not wall-clock: the machine is shared, and a
  // process waiting for a CPU is not doing work; also wall-clock for reference
  const cpu: number[][] = picked.map(() => []);
  const wall: number[][] = picked.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (const [k, [, run]] of picked.entries()) {
      const c0 = process.cpuUsage();
      const t = process.hrtime.bigint();
      await run();
      wall[k]!.push(Number(process.hrtime.bigint() - t) / 1e6);
      const c = process.cpuUsage(c0);
      cpu[k]!.push((c.user + c.system) / 1e3);
    }
  }
  console.log(`${f.key.split('/').pop()}: ${texts.length} records, ${(chars / 1024 ** 2).toFixed(1)} M chars; ${escapedRecords} records with a backslash, ${fallbacks} fell back; built-in rules have candidates for ${needFull} (${((100 * needFull) / texts.length).toFixed(1)} %)`);
  console.log(`median of ${reps} alternating runs; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${''.padEnd(42)} ${'CPU ms'.padStart(8)}  ${'ns/rec'.padStart(6)}  ${'wall ms'.padStart(8)}`);
  for (const [k, [label]] of picked.entries()) {
    const ms = median(cpu[k]!) ?? 0;
    console.log(`  ${label.padEnd(40)} ${ms.toFixed(1).padStart(8)}  ${((ms * 1e6) / texts.length).toFixed(0).padStart(6)}  ${median(wall[k]!).toFixed(1).padStart(8)}`);
  }
  if (sink === 42) console.log('');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
