/**
 * Regex engine benchmark: `npx tsx bench/regex.bench.ts` (options: --rounds 5, --records 3000).
 *
 * trailwatch's own engine (lib/rules/regex) against re2js (a pure-JS port of RE2, the
 * maintained linear-time alternative; the native `re2` binding needs an install script) on
 * rule-shaped regexes — from the built-in rules, the SigmaHQ fixtures and the front ends'
 * tests, in both dialects — over field values of realistic CloudTrail records
 * (bench/corpus). Each engine is an esbuild bundle built with the function's settings
 * (serverless.yml custom.esbuild, read by bench/function-settings.ts) and loaded as the
 * function loads code, in two builds: with `keepNames` added (the function's build until
 * issue 15's cold-start work dropped it) and as serverless.yml builds now, without it (re2js
 * at its best: keepNames names each of its ~50 classes in a static block, and it then
 * matches several times slower). Rounds alternate the engines; each figure is the median:
 *  - match: every regex over every value of its field (answers checked equal first);
 *  - compile: every regex compiled 50 times;
 *  - require: a fresh `node` process `require`s the bundle, timed inside the process;
 *  - bundle size, raw and gzipped.
 * The last column is re2js ÷ ours: above 1, ours is faster or smaller.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import type { RE2JS } from 're2js';
import type { compileRegex, Dialect, RegexFlags } from '../lib/rules/regex';
import { contextFrom, createRng, mixedRecordAt } from './corpus/records';
import { functionSettings } from './function-settings';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');

type Field = 'eventName' | 'eventSource' | 'arn' | 'userAgent' | 'sourceIPAddress' | 'errorCode' | 'requestParameters';

interface Case {
  readonly dialect: Dialect;
  readonly source: string;
  readonly field: Field;
  readonly flags?: RegexFlags;
}

/** Rule-shaped regexes, each on the field a rule would give it. */
const CASES: readonly Case[] = [
  // SigmaHQ aws_cloudtrail_imds_malicious_usage
  { dialect: 'pcre', source: '.+:assumed-role/aws:.+', field: 'arn' },
  // Sigma front-end tests and rule shapes
  { dialect: 'pcre', source: '(Stop|Start)Logging$', field: 'eventName' },
  { dialect: 'pcre', source: '^(Delete|Stop|Update)(Trail|Logging|Detector)$', field: 'eventName' },
  { dialect: 'pcre', source: '^(ConsoleLogin|GetSessionToken|AssumeRole\\w*)$', field: 'eventName', flags: { i: true } },
  { dialect: 'pcre', source: '^Put(Bucket|User|Role|Group)(Policy|Acl)$', field: 'eventName' },
  { dialect: 'pcre', source: '^arn:aws:iam::\\d{12}:(root|user/[\\w+=,.@-]+)$', field: 'arn' },
  { dialect: 'pcre', source: '(kali|parrot|pentoo|nmap|sqlmap|nikto)', field: 'userAgent', flags: { i: true } },
  { dialect: 'pcre', source: '\\baws-cli/\\d+\\.\\d+', field: 'userAgent' },
  { dialect: 'pcre', source: '^(?:10|172\\.(?:1[6-9]|2\\d|3[01])|192\\.168)\\.', field: 'sourceIPAddress' },
  { dialect: 'pcre', source: '(AccessDenied|UnauthorizedOperation|Forbidden)', field: 'errorCode' },
  { dialect: 'pcre', source: '"policyDocument":".*\\*', field: 'requestParameters' },
  { dialect: 'pcre', source: '0\\.0\\.0\\.0/0', field: 'requestParameters' },
  // filter-pattern tests and CloudWatch-shaped rules (no groups)
  { dialect: 'cloudwatch', source: 'Trail', field: 'eventName' },
  { dialect: 'cloudwatch', source: '^Delete|^Stop|^Disable', field: 'eventName' },
  { dialect: 'cloudwatch', source: 'Trail$|Logging$', field: 'eventName' },
  { dialect: 'cloudwatch', source: '^[A-Z][a-z]+Bucket[A-Za-z]*$', field: 'eventName' },
  { dialect: 'cloudwatch', source: '^arn:aws:iam::\\d{12}:root$', field: 'arn' },
  { dialect: 'cloudwatch', source: ':assumed-role/AWSReservedSSO_', field: 'arn' },
  { dialect: 'cloudwatch', source: '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}', field: 'sourceIPAddress' },
  { dialect: 'cloudwatch', source: '^198\\.51\\.100\\.', field: 'sourceIPAddress' },
  { dialect: 'cloudwatch', source: 'Terraform|terraform', field: 'userAgent' },
  { dialect: 'cloudwatch', source: '^AccessDenied|^UnauthorizedOperation', field: 'errorCode' },
  { dialect: 'cloudwatch', source: '[Pp]ublic-read', field: 'requestParameters' },
  { dialect: 'cloudwatch', source: 'val.{2}', field: 'requestParameters' },
];

function fieldValues(records: number): Record<Field, string[]> {
  const rng = createRng(20261205);
  const ctx = contextFrom(undefined);
  const out: Record<Field, string[]> = { eventName: [], eventSource: [], arn: [], userAgent: [], sourceIPAddress: [], errorCode: [], requestParameters: [] };
  const push = (field: Field, value: unknown) => {
    if (typeof value === 'string') out[field].push(value);
  };
  for (let n = 0; n < records; n++) {
    // 5 % security events (the corpus default is 1 %), so the rules' regexes also match
    const r = mixedRecordAt(rng, ctx, { securityEventShare: 0.05 }) as Record<string, unknown> & { userIdentity?: { arn?: unknown } };
    push('eventName', r.eventName);
    push('eventSource', r.eventSource);
    push('arn', r.userIdentity?.arn);
    push('userAgent', r.userAgent);
    push('sourceIPAddress', r.sourceIPAddress);
    push('errorCode', r.errorCode);
    if (r.requestParameters) push('requestParameters', JSON.stringify(r.requestParameters));
  }
  return out;
}

interface Engine {
  readonly name: string;
  compile(c: Case): { test(text: string): boolean };
}

type OursModule = { compileRegex: typeof compileRegex };
type Re2Module = { RE2JS: typeof RE2JS };

function ours(m: OursModule): Engine {
  return { name: 'trailwatch', compile: (c) => m.compileRegex(c.source, c.dialect, c.flags) };
}

/** re2js with the dialect's meaning: CloudWatch's `.` matches a newline, `{,n}` is `{0,n}`. */
function re2(m: Re2Module): Engine {
  return {
    name: 're2js',
    compile: (c) => {
      let flags = 0;
      if (c.flags?.i === true) flags |= m.RE2JS.CASE_INSENSITIVE;
      if (c.dialect === 'cloudwatch') flags |= m.RE2JS.DOTALL;
      return m.RE2JS.compile(c.dialect === 'cloudwatch' ? c.source.replace(/\{,/g, '{0,') : c.source, flags);
    },
  };
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

function matchAll(engine: Engine, values: Record<Field, string[]>, count: number[]): number {
  const compiled = CASES.map((c) => engine.compile(c));
  const t = process.hrtime.bigint();
  for (const [k, c] of CASES.entries()) {
    let hits = 0;
    for (const v of values[c.field]) if (compiled[k]!.test(v)) hits++;
    count[k] = hits;
  }
  return ms(t);
}

function compileAll(engine: Engine): number {
  const t = process.hrtime.bigint();
  for (let r = 0; r < 50; r++) for (const c of CASES) engine.compile(c);
  return ms(t);
}

/**
 * An esbuild bundle of `contents` built as the function is (serverless.yml custom.esbuild,
 * read as bench/cold-start.bench.ts reads it), with `keepNames` added when asked. Not
 * written: the bytes for `outfile` (the source map's link names it). Without the function's
 * plugins: they rewrite the built-in pack, zod and yaml, which neither engine imports (and
 * buildSync takes no plugins); `exclude` is serverless-esbuild's option, not esbuild's.
 */
function bundle(contents: string, outfile: string, keepNames: boolean): Uint8Array {
  const { exclude: _exclude, plugins: _plugins, ...settings } = functionSettings(ROOT).esbuild;
  const result = buildSync({
    ...settings,
    ...(keepNames ? { keepNames } : {}),
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    outfile,
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles.find((f) => f.path === outfile)!.contents;
}

const PROBE = 'const t = process.hrtime.bigint(); require(process.argv[1]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';

function requireMs(file: string): number {
  const run = spawnSync(process.execPath, ['-e', PROBE, file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) throw new Error(`require of ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

function main(): void {
  const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, records: { type: 'string', default: '3000' } } });
  const rounds = Number(args.rounds);
  const values = fieldValues(Number(args.records));
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwatch-regex-'));
  try {
    const entries = ["export { compileRegex } from './lib/rules/regex';", "export { RE2JS } from 're2js';"];
    const load = createRequire(__filename);
    // [engine][0: with keepNames (the earlier function build), 1: without keepNames (the function's build now)]
    const builds = entries.map((entry, i) =>
      [true, false].map((keepNames) => {
        const file = path.join(dir, `${i}-${keepNames ? 'function' : 'plain'}.js`);
        const bytes = bundle(entry, file, keepNames);
        writeFileSync(file, bytes);
        const module: unknown = load(file);
        return { bytes, file, engine: i === 0 ? ours(module as OursModule) : re2(module as Re2Module) };
      }),
    );

    // same answers first: a fast wrong engine is no result
    const counts = builds.map((b) => {
      const count: number[] = [];
      matchAll(b[0]!.engine, values, count);
      return count;
    });
    const differ = CASES.filter((_, k) => counts[0]![k] !== counts[1]![k]);
    if (differ.length > 0) throw new Error(`engines disagree on ${differ.map((c) => c.source).join(', ')}`);

    const figures = builds.map(() => ({ match: [] as number[], matchPlain: [] as number[], compile: [] as number[], require: [] as number[] }));
    for (let r = 0; r < rounds; r++) {
      // alternate which engine goes first, so drift on a loaded machine hits both alike
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const [fn, plain] = builds[i]!;
        figures[i]!.match.push(matchAll(fn!.engine, values, []));
        figures[i]!.matchPlain.push(matchAll(plain!.engine, values, []));
        figures[i]!.compile.push(compileAll(fn!.engine));
        for (let k = 0; k < 3; k++) figures[i]!.require.push(requireMs(fn!.file));
      }
    }

    const tests = CASES.reduce((n, c) => n + values[c.field].length, 0);
    const hits = counts[0]!.reduce((a, b) => a + b, 0);
    const dialects = `${CASES.filter((c) => c.dialect === 'pcre').length} pcre, ${CASES.filter((c) => c.dialect === 'cloudwatch').length} cloudwatch`;
    console.log(`${CASES.length} regexes (${dialects}), ${tests} matches per pass (${hits} hits), ${rounds} alternating rounds, medians; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const [a, b] = figures as [(typeof figures)[0], (typeof figures)[0]];
    const size = (i: number) => builds[i]![0]!.bytes;
    const rows: [string, number, number, string][] = [
      ['match, all regexes × values (with keepNames)', median(a.match), median(b.match), 'ms'],
      ['match, all regexes × values (without keepNames, as the function builds)', median(a.matchPlain), median(b.matchPlain), 'ms'],
      ['compile, all regexes × 50', median(a.compile), median(b.compile), 'ms'],
      ['require of the bundle (fresh process)', median(a.require), median(b.require), 'ms'],
      ['bundle (esbuild, minified)', size(0).length / 1024, size(1).length / 1024, 'KB'],
      ['bundle gzipped', gzipSync(size(0)).length / 1024, gzipSync(size(1)).length / 1024, 'KB'],
    ];
    console.log('| measure | trailwatch | re2js | re2js ÷ trailwatch |');
    console.log('|---|---:|---:|---:|');
    for (const [label, ours, theirs, unit] of rows) console.log(`| ${label} | ${ours.toFixed(1)} ${unit} | ${theirs.toFixed(1)} ${unit} | ${(theirs / ours).toFixed(2)}× |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
