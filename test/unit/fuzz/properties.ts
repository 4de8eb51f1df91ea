/**
 * The fuzz properties, shared by the bounded runs in `npm test` (test/unit/fuzz/*.test.ts,
 * each property ≤ ~2 s) and the long runs of bench/fuzz.bench.ts (`--seconds N`). Each one
 * states what must hold for every input: no crash, no hang, no unbounded memory, and a typed
 * error (lib/errors.ts, FilterPatternError, a Sigma refusal) for every rejected input.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, gunzipChunks } from '../../../lib/cloudtrail/gunzip';
import { readRecordGroups } from '../../../lib/cloudtrail/record-reader';
import type { ObjectRef } from '../../../lib/cloudtrail/types';
import { LogFileError, UnrecognisedTriggerError } from '../../../lib/errors';
import type { LogSink } from '../../../lib/forward/sink';
import { buildNotification } from '../../../lib/notify';
import { processObject } from '../../../lib/pipeline';
import type { DeliveryReport } from '../../../lib/report';
import { buildRulePack, ruleAnalyser, RuleLoadError, type RulePack } from '../../../lib/rules';
import { compileFilterPattern, FilterPatternError } from '../../../lib/rules/filter-pattern';
import { compileSigmaRegex, compileSigmaText, isSigmaRefusal, sigmaRuleFormat } from '../../../lib/rules/sigma';
import { SigmaProblem } from '../../../lib/rules/sigma/problem';
import { isSqsEvent, readTrigger } from '../../../lib/trigger';
import { cpuTime } from '../../cpu-time';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A property with a name, for the bench's report. */
export interface NamedProperty {
  readonly name: string;
  readonly property: fc.IAsyncPropertyWithHooks<unknown[]> | fc.IPropertyWithHooks<unknown[]>;
}

// ---- shared inputs --------------------------------------------------------------------

/** Keys that reach Object.prototype when code assigns or merges by key. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'polluted'];

/** Strings that break naive code: escapes, control and bidi characters, lone surrogates, long runs. */
const hostileString = fc.oneof(
  fc.constantFrom('', '%', '%E0%A4%A', '+', '%2B', '\u0000', '\u202e', '\ud800', '<script>', '${jndi:x}', '\\', '"', '\r\n', 'a'.repeat(5000), '🚀'.repeat(100)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** JSON text with hostile keys at any depth: parsed, they become own data properties, as in a log record. */
export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(hostileString, fc.string({ maxLength: 8 })).map((s) => JSON.stringify(s)),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)).map((v) => JSON.stringify(v)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 6 })), tie('value')), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Real-looking CloudTrail record fields, with any of them replaced by hostile JSON. */
export const hostileRecord: fc.Arbitrary<string> = fc
  .record({
    eventName: fc.oneof(fc.constantFrom('"ConsoleLogin"', '"StopLogging"', '"PutBucketPolicy"', '"CreateAccessKey"', '"DescribeInstances"'), hostileJson),
    eventSource: fc.oneof(fc.constantFrom('"signin.amazonaws.com"', '"cloudtrail.amazonaws.com"', '"s3.amazonaws.com"', '"iam.amazonaws.com"'), hostileJson),
    userIdentity: fc.oneof(fc.constantFrom('{"type":"Root","arn":"arn:aws:iam::111122223333:root"}', '{"type":"IAMUser","userName":"alice"}'), hostileJson),
    eventTime: fc.oneof(fc.constant('"2026-11-24T09:01:02Z"'), hostileJson),
    requestParameters: hostileJson,
    responseElements: hostileJson,
    additionalEventData: hostileJson,
    errorCode: fc.oneof(fc.constantFrom('"AccessDenied"', '"Client.UnauthorizedOperation"', 'null'), hostileJson),
    eventID: fc.oneof(fc.uuid().map((u) => JSON.stringify(u)), hostileJson),
    extra: fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), hostileJson), { maxLength: 3 }),
  })
  .map(({ extra, ...fields }) => {
    const entries = [...Object.entries(fields).map(([k, v]) => `"${k}":${v}`), '"eventType":"AwsApiCall"', ...extra.map(([k, v]) => `${JSON.stringify(k)}:${v}`)];
    return `{${entries.join(',')}}`;
  });

/** A snapshot of the built-in prototypes: any key added or changed by input data is pollution. */
export function prototypeSnapshot(): string {
  const describe = (o: object) =>
    Object.getOwnPropertyNames(o)
      .sort()
      .map((k) => `${k}:${typeof Object.getOwnPropertyDescriptor(o, k)?.value}`)
      .join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe).join('|');
}

/** The built-in rule pack plus the SigmaHQ fixtures: every kind of compiled predicate. */
export function fullRulePack(): RulePack {
  const documents = [
    ...readdirSync(path.join(ROOT, 'rules')).filter((f) => f.endsWith('.yaml')).map((f) => ({ file: `rules/${f}`, text: readFileSync(path.join(ROOT, 'rules', f), 'utf8') })),
    ...readdirSync(path.join(ROOT, 'test/fixtures/sigma/sigmahq')).map((f) => ({ file: `sigma/${f}`, text: readFileSync(path.join(ROOT, 'test/fixtures/sigma/sigmahq', f), 'utf8') })),
  ];
  return buildRulePack(documents, { formats: [sigmaRuleFormat], params: { ALLOWED_REGIONS: ['eu-west-1'] } });
}

const REF: ObjectRef = { bucket: 'fuzz-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0905Z_Fuzz.json.gz' };

/** Accepts everything, keeps the messages: the pipeline's forwarding without a network. */
export function memorySink(): LogSink & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    async put(_target, batch) {
      for (const e of batch.events) messages.push(e.message);
      return { accepted: batch.events.length, rejected: { tooOld: 0, tooNew: 0, expired: 0 } };
    },
  };
}

/** One delivery of `body` (gzip bytes) through processObject with every rule, then both notification formats. */
export async function deliver(body: Uint8Array, pack: RulePack, chunk = 65_536, maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<{ report: DeliveryReport; sink: ReturnType<typeof memorySink> }> {
  const sink = memorySink();
  const report = await processObject(REF, {
    source: { open: async () => ({ body: chunks(body, chunk) }) },
    sink,
    logGroup: '/trailwatch/fuzz',
    gunzip: { maxDecompressedBytes },
    analysersFor: (ref) => [ruleAnalyser(pack, ref)],
    now: () => Date.UTC(2026, 10, 24, 9, 20),
  });
  for (const format of ['json', 'text'] as const) {
    const n = buildNotification(report, { logGroup: '/trailwatch/fuzz', format, always: true, now: () => new Date(Date.UTC(2026, 10, 24, 9, 20)) });
    if (n) JSON.stringify(n);
  }
  return { report, sink };
}

export async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Byte-level mutations of a file: flips, cuts, repeats, insertions, appended members. */
export const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 32 }) }),
);
export type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutate(bytes: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : ('at' in m ? m.at : 0) % out.length;
    if (m.kind === 'flip' && out.length > 0) out[at] = (out[at] as number) ^ m.xor;
    else if (m.kind === 'cut') out = out.subarray(0, at);
    else if (m.kind === 'repeat') out = Buffer.concat([out.subarray(0, at + m.length), out.subarray(at)]);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    else if (m.kind === 'append') out = Buffer.concat([out, gzipSync(Buffer.from(m.bytes))]);
  }
  return out;
}

// ---- properties -----------------------------------------------------------------------

function loadTriggerFixtures(): unknown[] {
  const dir = path.join(ROOT, 'test/fixtures/triggers');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown);
}

/** readTrigger as the handler uses it: an SQS batch is read body by body. Throws only typed errors. */
function readAnyTrigger(payload: unknown): ObjectRef[] {
  if (isSqsEvent(payload)) {
    return payload.Records.flatMap((r) => {
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        throw new UnrecognisedTriggerError('not JSON'); // what ingestSqsBatch throws
      }
      return readTrigger(body).objects;
    });
  }
  return readTrigger(payload).objects;
}

function expectTriggerOutcome(payload: unknown): void {
  let refs: ObjectRef[];
  try {
    refs = readAnyTrigger(payload);
  } catch (err) {
    if (err instanceof UnrecognisedTriggerError) return;
    throw err;
  }
  for (const ref of refs) {
    if (typeof ref.bucket !== 'string' || ref.bucket === '' || typeof ref.key !== 'string' || ref.key === '') {
      throw new Error(`an object ref without bucket or key: ${JSON.stringify(ref)}`);
    }
  }
}

/** Replace, delete or re-type one value somewhere in a JSON document (string-encoded JSON included). */
function mutateJson(value: unknown, path: readonly number[], replacement: unknown, action: 'replace' | 'delete' | 'stringify' | 'wrap'): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') {
    if (action === 'stringify') return JSON.stringify(value);
    if (action === 'wrap') return { Type: 'Notification', Message: JSON.stringify(value) };
    return replacement;
  }
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [head, ...rest] = path;
  const index = (head as number) % entries.length;
  const [k, v] = entries[index] as [string, unknown];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (action === 'delete' && rest.length === 0) copy.splice(index, 1);
    else copy[index] = mutateJson(typeof v === 'string' && v.startsWith('{') ? safeParse(v) : v, rest, replacement, action);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, val] of entries) Object.defineProperty(copy, key, { value: val, enumerable: true, writable: true, configurable: true });
  if (action === 'delete' && rest.length === 0) delete copy[k];
  else {
    const inner = typeof v === 'string' && v.startsWith('{') ? safeParse(v) : v;
    const mutated = mutateJson(inner, rest, replacement, action);
    Object.defineProperty(copy, k, { value: typeof v === 'string' && v.startsWith('{') && typeof mutated === 'object' ? JSON.stringify(mutated) : mutated, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function triggerProperties(): NamedProperty[] {
  const fixtures = loadTriggerFixtures();
  return [
    {
      name: 'trigger: arbitrary JSON (hostile keys, any shape) → object refs or UnrecognisedTriggerError',
      property: fc.property(fc.oneof(hostileJson.map((t) => JSON.parse(t) as unknown), fc.jsonValue(), fc.anything()), (payload) => expectTriggerOutcome(payload)),
    },
    {
      name: 'trigger: mutated real trigger events (all delivery shapes) → object refs or UnrecognisedTriggerError',
      property: fc.property(
        fc.constantFrom(...fixtures),
        fc.array(
          fc.tuple(
            fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
            fc.oneof(hostileJson.map((t) => JSON.parse(t) as unknown), hostileString, fc.jsonValue()),
            fc.constantFrom('replace' as const, 'delete' as const, 'stringify' as const, 'wrap' as const),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (fixture, mutations) => {
          let payload = fixture;
          for (const [p, replacement, action] of mutations) payload = mutateJson(payload, p, replacement, action);
          expectTriggerOutcome(payload);
        },
      ),
    },
  ];
}

const TYPED_LOG_FILE_ERROR = (err: unknown) => err instanceof LogFileError;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A small but real-looking log file. */
function sampleFile(): Buffer {
  const records = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      eventVersion: '1.11',
      userIdentity: { type: i % 7 === 0 ? 'Root' : 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
      eventTime: `2026-11-24T09:0${i % 10}:00Z`,
      eventSource: 'iam.amazonaws.com',
      eventName: ['CreateAccessKey', 'PutBucketPolicy', 'ConsoleLogin', 'StopLogging'][i % 4],
      requestParameters: { policy: '{"Statement":[{"Effect":"Allow","Principal":"*"}]}', note: 'ü✓ "quoted" \\ back' },
      eventID: `e-${i}`,
      eventType: 'AwsApiCall',
    }),
  );
  return gzipSync(`{"Records":[${records.join(',')}]}`);
}

export function recordReaderProperties(): NamedProperty[] {
  const file = sampleFile();
  const text = Buffer.from(`{"Records":[${Array.from({ length: 6 }, (_, i) => `{"eventName":"E${i}","s":"ü✓\\"]}"}`).join(',')}]}`);
  return [
    {
      name: 'record reader: mutated gzip log files (flips, cuts, repeats, insertions, extra members), any chunking → records or a typed LogFileError',
      property: fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4096 }), async (mutations, chunk) => {
        try {
          for await (const group of readRecordGroups(gunzipChunks(chunks(mutate(file, mutations), chunk), { maxDecompressedBytes: 1 << 20 }))) {
            for (const r of group) if (r.bytes !== Buffer.byteLength(r.text)) throw new Error(`byte count ${r.bytes} ≠ ${Buffer.byteLength(r.text)}`);
          }
        } catch (err) {
          if (!TYPED_LOG_FILE_ERROR(err)) throw err;
        }
      }),
    },
    {
      name: 'record reader: invalid UTF-8 anywhere in the JSON → well-formed record texts with exact byte counts, or a typed error',
      property: fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xff])), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 17 }),
        async (insertions, chunk) => {
          let bytes = Buffer.from(text);
          for (const [at, seq] of insertions) {
            const i = at % (bytes.length + 1);
            bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(seq), bytes.subarray(i)]);
          }
          try {
            for await (const group of readRecordGroups(chunks(bytes, chunk))) {
              for (const r of group) {
                if (LONE_SURROGATE.test(r.text)) throw new Error('a record text with a lone surrogate');
                if (r.bytes !== Buffer.byteLength(r.text)) throw new Error('byte count differs from the text');
              }
            }
          } catch (err) {
            if (!TYPED_LOG_FILE_ERROR(err)) throw err;
          }
        },
      ),
    },
  ];
}

/** Nesting generators: objects, arrays, or both, `depth` levels deep. */
export function nested(depth: number, kind: 'object' | 'array' | 'mixed'): string {
  if (kind === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  const half = Math.floor(depth / 2);
  return '{"a":['.repeat(half) + '"x"' + ']}'.repeat(half);
}

export function pipelineProperties(pack: RulePack): NamedProperty[] {
  return [
    {
      name: 'pipeline: hostile records (__proto__/constructor keys, odd types, control characters) → processed, rules and both notification formats never throw, no prototype pollution',
      property: fc.asyncProperty(fc.array(hostileRecord, { minLength: 1, maxLength: 8 }), async (records) => {
        const before = prototypeSnapshot();
        const { report, sink } = await deliver(gzipSync(`{"Records":[${records.join(',')}]}`), pack);
        if (report.status !== 'processed') throw new Error(`not processed: ${report.reason}`);
        if (sink.messages.length + report.records.rejected.tooLarge !== records.length) throw new Error('a record went missing');
        if (prototypeSnapshot() !== before || ({} as Record<string, unknown>).polluted !== undefined) throw new Error('prototype pollution');
      }),
    },
    {
      name: 'pipeline: deeply nested JSON (up to 100,000 levels) in any field → no stack overflow; processed, or rejected as too large for CloudWatch Logs',
      property: fc.asyncProperty(
        fc.integer({ min: 1_000, max: 100_000 }),
        fc.constantFrom('object' as const, 'array' as const, 'mixed' as const),
        fc.constantFrom('requestParameters', 'userIdentity', 'eventName', 'errorCode', 'sourceIPAddress', 'additionalEventData'),
        async (depth, kind, field) => {
          const deep = `{"eventTime":"2026-11-24T09:00:00Z","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","eventType":"AwsApiCall","userIdentity":{"type":"Root"},"${field}":${nested(depth, kind)},"eventID":"deep"}`;
          const { report, sink } = await deliver(gzipSync(`{"Records":[${deep},{"eventName":"after","eventTime":"2026-11-24T09:00:01Z"}]}`), pack);
          if (report.status !== 'processed') throw new Error(`not processed: ${report.reason}`);
          if (report.records.read !== 2 || sink.messages.length + report.records.rejected.tooLarge !== 2) throw new Error('records went missing');
        },
      ),
    },
  ];
}

/** Backtracking traps: exponential or polynomial for a backtracking engine on the texts below. */
export const CATASTROPHIC_REGEXES = [
  // within the CloudWatch Logs regex subset (no groups) as well as Sigma's
  'a*a*a*a*a*a*a*a*a*a*a*a*c',
  '.*.*.*.*.*.*.*.*x',
  'a+a+a+a+a+a+b',
  '\\w*\\w*\\w*\\w*!',
  '[a-z]*[a-z]*[a-z]*[a-z]*\\d',
  // groups: Sigma only
  '(a+)+$', '(a|a)*b', '(a|aa)+$', '(a*)*b', '^(a+)+b', '(.*a){12}', '(\\w+\\s?)+$', '^(([a-z])+.)+[A-Z]([a-z])+$', '(x+x+)+y', '([a-zA-Z]+)*$'];

/** A YAML alias bomb: 9 levels of 9 aliases would expand to 9^9 strings. */
export const BILLION_LAUGHS = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(i === 0 ? '"lol"' : `*l${i}`).join(',')}]`).join('\n');

export function compilerProperties(): NamedProperty[] {
  const sigmaDir = path.join(ROOT, 'test/fixtures/sigma/sigmahq');
  const sigmaTexts = readdirSync(sigmaDir).map((f) => readFileSync(path.join(sigmaDir, f), 'utf8'));
  const cisPatterns = readdirSync(path.join(ROOT, 'rules'))
    .map((f) => /^match: '(.*)'$/m.exec(readFileSync(path.join(ROOT, 'rules', f), 'utf8'))?.[1]?.replace(/''/g, "'"))
    .filter((p): p is string => p !== undefined);
  const adversarial = fc.constantFrom('a'.repeat(50_000), 'a'.repeat(50_000) + '!', 'x'.repeat(50_000), `${'ab '.repeat(16_666)}!`, 'aA'.repeat(25_000));
  const lineEdit = fc.record({
    at: fc.nat(),
    edit: fc.oneof(
      fc.constant({ kind: 'delete' as const }),
      fc.constant({ kind: 'duplicate' as const }),
      fc.record({ kind: fc.constant('indent' as const), by: fc.integer({ min: -4, max: 4 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        line: fc.oneof(
          fc.constant(BILLION_LAUGHS),
          fc.constantFrom('a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]', '<<: *a', '  __proto__: {polluted: 1}', 'x: !!js/function "f"', '    - "|re": "(a+)+$"', '  selection: {eventName|re: "(a|a)*b"}', '---', '? [a]'),
          hostileString,
        ),
      }),
    ),
  });
  return [
    {
      name: 'sigma: mutated SigmaHQ rule files (line edits, YAML alias bombs, tags, __proto__) → a rule or a refusal, never a throw; the rule never throws on hostile records',
      property: fc.property(fc.constantFrom(...sigmaTexts), fc.array(lineEdit, { minLength: 1, maxLength: 5 }), fc.array(hostileRecord, { maxLength: 3 }), (text, edits, records) => {
        const lines = text.split('\n');
        for (const { at, edit } of edits) {
          const i = at % (lines.length + 1);
          if (edit.kind === 'delete') lines.splice(i, 1);
          else if (edit.kind === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
          else if (edit.kind === 'indent') lines[i] = edit.by >= 0 ? ' '.repeat(edit.by) + (lines[i] ?? '') : (lines[i] ?? '').slice(-edit.by);
          else lines.splice(i, 0, edit.line);
        }
        const before = prototypeSnapshot();
        const result = compileSigmaText(lines.join('\n'), 'fuzz.yml');
        if (!isSigmaRefusal(result)) for (const r of records) result.test(JSON.parse(r));
        if (prototypeSnapshot() !== before) throw new Error('prototype pollution');
      }),
    },
    {
      name: 'rule files: mutated built-in rule YAML (any edit) → a rule pack or a RuleLoadError naming the file',
      property: fc.property(fc.constantFrom(...readdirSync(path.join(ROOT, 'rules'))), fc.array(lineEdit, { minLength: 1, maxLength: 4 }), (file, edits) => {
        const lines = readFileSync(path.join(ROOT, 'rules', file), 'utf8').split('\n');
        for (const { at, edit } of edits) {
          const i = at % (lines.length + 1);
          if (edit.kind === 'delete') lines.splice(i, 1);
          else if (edit.kind === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
          else if (edit.kind === 'indent') lines[i] = edit.by >= 0 ? ' '.repeat(edit.by) + (lines[i] ?? '') : (lines[i] ?? '').slice(-edit.by);
          else lines.splice(i, 0, edit.line);
        }
        try {
          buildRulePack([{ file, text: lines.join('\n') }], { formats: [sigmaRuleFormat] });
        } catch (err) {
          if (!(err instanceof RuleLoadError)) throw err;
        }
      }),
    },
    {
      name: 'filter patterns: the CIS patterns with character edits → compiled or FilterPatternError; a compiled pattern never throws on hostile records',
      property: fc.property(
        fc.constantFrom(...cisPatterns),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.oneof(fc.constantFrom('{', '}', '(', ')', '"', '\\', '%', '*', '$.', '[*]', '&&', '||', '!=', ' NOT EXISTS', 'IS NULL', '__proto__'), fc.string({ maxLength: 3 }))), { minLength: 1, maxLength: 4 }),
        fc.array(hostileRecord, { maxLength: 3 }),
        (pattern, edits, records) => {
          let source = pattern;
          for (const [at, cut, insert] of edits) {
            const i = at % (source.length + 1);
            source = source.slice(0, i) + insert + source.slice(i + cut);
          }
          let compiled;
          try {
            compiled = compileFilterPattern(source);
          } catch (err) {
            if (err instanceof FilterPatternError) return;
            throw err;
          }
          for (const r of records) compiled.test(JSON.parse(r));
        },
      ),
    },
    {
      name: 'user regexes: backtracking traps in filter patterns (%…%) and Sigma |re over 50,000-character texts answer in linear time (generous bound: 1 s per match)',
      property: fc.property(fc.constantFrom(...CATASTROPHIC_REGEXES), adversarial, fc.constantFrom('filter-pattern' as const, 'sigma' as const), (source, text, engine) => {
        let test: ((s: string) => boolean) | undefined;
        try {
          if (engine === 'sigma') {
            const re = compileSigmaRegex(source);
            test = (s) => re.test(s);
          } else {
            const compiled = compileFilterPattern(`{ $.a = %${source}% }`);
            test = (s) => compiled.test({ a: s });
          }
        } catch (err) {
          // a construct the engine refuses is a typed compile error, never a slow match
          if (err instanceof FilterPatternError || err instanceof SigmaProblem) return;
          throw err;
        }
        // CPU time, not wall time: the bench runs this for minutes beside other work
        const { ms } = cpuTime(() => test(text));
        if (ms > 1000) throw new Error(`${engine} /${source}/ took ${ms.toFixed(0)} ms on ${text.length} characters`);
      }),
    },
  ];
}
