/**
 * Cold-start benchmark: `npx tsx bench/cold-start.bench.ts` (options: `--runs 7`,
 * `--baseline <checkout dir>`, `--identifiers`, `--outputs`, `--instructions`).
 *
 * Bundles functions/ingest.ts as serverless.yml builds it (custom.esbuild: the same settings
 * and plugins — the built-in pack parsed at build time without its test cases, zod's English
 * locale only), then starts fresh Node processes with the function's NODE_OPTIONS (read from
 * serverless.yml), alternating between variants, and prints medians of:
 *  - `require` of the bundle (module init);
 *  - handler ready: the "rule pack loaded" log line (the built-in pack read and compiled);
 *  - CPU time at ready and at the first event handled (user + system, process start included);
 *  - first event handled: events/s3-put.json through the handler, its log file served by an
 *    in-process stub of S3 and CloudWatch Logs (the SDK pointed at it by the standard
 *    AWS_ENDPOINT_URL_* variables), with the number of records forwarded as a check;
 * and the bundle's size by part (and of what it loads on first use only: yaml). Variants:
 *  - this checkout, with the function's NODE_OPTIONS;
 *  - the same bundle with `--enable-source-maps` added (what reading the map costs);
 *  - `--identifiers`: this checkout with minified identifiers (what readable names cost);
 *  - `--outputs`: this checkout (and the baseline) sending findings to Security Hub and
 *    EventBridge too (the stub takes them): the cold start of a deployment that uses every
 *    SDK client in the bundle;
 *  - `--baseline <dir>`: another checkout's bundle, its own settings, plugins and NODE_OPTIONS
 *    (`git worktree add /tmp/cs-base main && ln -s "$PWD/node_modules" /tmp/cs-base/`),
 *    with ratios baseline / this.
 * `--instructions` adds two runs of each variant under valgrind (cachegrind, no cache model):
 * instructions from process start to handler ready (the process stopped there) and to the
 * first event handled, which a loaded machine does not move (the timings it stretches).
 * Next to an empty `node -e 0` in the same run (process start, which Lambda pays anyway).
 * Target (issue 15): handler ready in < 150 ms; the last line says whether it is met here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { functionSettings } from './function-settings';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const EVENT = path.join(ROOT, 'events', 's3-put.json');

/**
 * Runs in each fresh process, beside the bundle. Times from its first line (the process's own
 * start-up is the empty process's figure). The stub starts only once the pack is loaded, so
 * it adds nothing to `require` or ready.
 */
const PROBE = `
const t0 = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let loaded, cpuReady, isReady;
const ready = new Promise((resolve) => (isReady = resolve));
// the function's logger writes JSON lines to stdout: note when the pack is loaded, print nothing
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk) => {
  if (loaded === undefined && String(chunk).includes('rule pack loaded')) { loaded = ms(); cpuReady = cpu(); isReady(); }
  return true;
};
const { handler } = require('./ingest.js');
const required = ms();
const fs = require('node:fs');
const event = JSON.parse(fs.readFileSync(process.env.BENCH_EVENT, 'utf8'));
const { bucket, object } = event.Records[0].s3;
const body = fs.readFileSync(process.env.BENCH_OBJECT);
let forwarded = 0;
let exported = 0;
const stub = require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    if (target !== undefined) {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      // CloudWatch Logs and EventBridge (JSON protocol): accept every call, count what is sent
      if (String(target).endsWith('.PutLogEvents')) forwarded += input.logEvents.length;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      if (String(target).endsWith('.PutEvents')) {
        exported += input.Entries.length;
        return res.end(JSON.stringify({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: 'bench-' + i })) }));
      }
      return res.end(String(target).endsWith('.PutLogEvents') ? '{"nextSequenceToken":"1"}' : '{}');
    }
    if (req.method === 'POST' && req.url.startsWith('/findings/import')) {
      // Security Hub BatchImportFindings (REST JSON)
      const count = JSON.parse(Buffer.concat(chunks).toString('utf8')).Findings.length;
      exported += count;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ FailedCount: 0, SuccessCount: count, FailedFindings: [] }));
    }
    // S3 GetObject, path style (the endpoint is an IP address)
    if (decodeURIComponent(req.url.split('?')[0]) === '/' + bucket.name + '/' + object.key) {
      res.writeHead(200, { 'content-length': body.length, etag: '"' + object.eTag + '"', 'content-type': 'application/octet-stream', 'last-modified': new Date(0).toUTCString() });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    res.writeHead(404, { 'content-type': 'application/xml' });
    res.end('<Error><Code>NoSuchKey</Code><Message>not in the stub</Message></Error>');
  });
});
const context = {
  functionName: 'trailwatch-bench-ingest', functionVersion: '$LATEST', memoryLimitInMB: '1024',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-bench-ingest',
  awsRequestId: 'cold-start-bench', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000, done() {}, fail() {}, succeed() {},
};
// no polling: the same work in every run (the instruction count of --instructions stays put)
void ready.then(() => {
  // --instructions counts to handler ready too: the same process, stopped here
  if (process.env.BENCH_STOP === 'ready') {
    write(JSON.stringify({ required, loaded, cpuReady, handled: loaded, cpuHandled: cpuReady, forwarded: 0, exported: 0 }) + '\\n');
    return;
  }
  stub.listen(Number(process.env.BENCH_PORT), '127.0.0.1', async () => {
    try {
      await handler(event, context);
    } catch (err) {
      process.stderr.write(String(err && err.stack || err) + '\\n');
      process.exit(1);
    }
    const handled = ms();
    const cpuHandled = cpu();
    stub.close();
    write(JSON.stringify({ required, loaded, cpuReady, handled, cpuHandled, forwarded, exported }) + '\\n');
  });
});
`;

interface Sample {
  readonly required: number;
  readonly loaded: number;
  readonly cpuReady: number;
  readonly handled: number;
  readonly cpuHandled: number;
  readonly forwarded: number;
  /** Findings sent to Security Hub and EventBridge (variants with `--outputs`). */
  readonly exported: number;
}

interface Variant {
  readonly label: string;
  readonly dir: string;
  readonly flags: readonly string[];
  /** Added to the process's environment (the `--outputs` variants). */
  readonly env?: Readonly<Record<string, string>>;
  readonly sizes: Sizes;
  readonly samples: Sample[];
}

/** Bytes of the bundle, of its map, of the files beside it loaded on first use only (yaml), and of the parts that weigh most. */
interface Sizes {
  readonly bundle: number;
  readonly map: number;
  readonly onUse: number;
  readonly packData: number;
  readonly zod: number;
  readonly awsSdk: number;
  readonly own: number;
}

/** Bundles `root`'s functions/ingest.ts into `outdir` as serverless.yml says, `overrides` on top. */
async function bundle(root: string, outdir: string, overrides: BuildOptions = {}): Promise<Sizes> {
  const { esbuild } = functionSettings(root);
  const { exclude: _exclude, plugins: pluginsFile, ...settings } = esbuild;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- serverless-esbuild loads it the same way
  const plugins = typeof pluginsFile === 'string' ? (require(path.resolve(root, pluginsFile)) as Plugin[]) : [];
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'ingest.js');
  const { metafile } = await build({ ...settings, ...overrides, plugins, entryPoints: [path.join(root, 'functions', 'ingest.ts')], outfile, metafile: true, logLevel: 'warning' });
  writeFileSync(path.join(outdir, 'probe.js'), PROBE);
  return sizes(metafile, outfile);
}

function sizes(metafile: Metafile, outfile: string): Sizes {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const parts = { packData: 0, zod: 0, awsSdk: 0, own: 0 };
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    if (/lib[\\/]rules[\\/]builtin-pack\.ts$/.test(input)) parts.packData += bytesInOutput;
    else if (/node_modules[\\/]zod[\\/]/.test(input)) parts.zod += bytesInOutput;
    else if (/node_modules[\\/]@(aws-sdk|smithy|aws-crypto)[\\/]/.test(input)) parts.awsSdk += bytesInOutput;
    else if (!input.includes('node_modules')) parts.own += bytesInOutput;
  }
  const map = `${outfile}.map`;
  // build/esbuild-plugins.js lazyYaml: lazy-modules/*.js beside the bundle (their maps left out)
  const lazyDir = path.join(path.dirname(outfile), 'lazy-modules');
  const onUse = existsSync(lazyDir) ? readdirSync(lazyDir).filter((n) => n.endsWith('.js')).reduce((sum, n) => sum + statSync(path.join(lazyDir, n)).size, 0) : 0;
  return { bundle: statSync(outfile).size, map: existsSync(map) ? statSync(map).size : 0, onUse, ...parts };
}

/** A port free now, for one process's stub (the probe listens on it once its pack is loaded). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const kb = (bytes: number): string => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
const msText = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(option(args, '--runs') ?? 7);
  const baseline = option(args, '--baseline');
  if (baseline !== undefined && !existsSync(path.join(baseline, 'node_modules'))) {
    throw new Error(`${baseline} has no node_modules: ln -s "${path.join(ROOT, 'node_modules')}" ${baseline}/`);
  }
  const event = JSON.parse(readFileSync(EVENT, 'utf8')) as { Records: { s3: { object: { key: string } } }[] };
  const object = path.join(ROOT, 'events', 'cloudtrail', event.Records[0]!.s3.object.key);
  const tmp = mkdtempSync(path.join(tmpdir(), 'trailwatch-cold-'));
  try {
    const { flags } = functionSettings(ROOT);
    const current = path.join(tmp, 'current');
    const currentSizes = await bundle(ROOT, current);
    const variants: Variant[] = [{ label: 'this checkout', dir: current, flags, sizes: currentSizes, samples: [] }];
    if (!flags.includes('--enable-source-maps')) {
      variants.push({ label: '+ --enable-source-maps', dir: current, flags: ['--enable-source-maps', ...flags], sizes: currentSizes, samples: [] });
    }
    if (args.includes('--identifiers')) {
      const dir = path.join(tmp, 'identifiers');
      variants.push({ label: 'identifiers minified', dir, flags, sizes: await bundle(ROOT, dir, { minifyIdentifiers: true }), samples: [] });
    }
    let baselineVariant: Variant | undefined;
    if (baseline !== undefined) {
      const dir = path.join(tmp, 'baseline');
      baselineVariant = { label: `baseline (${path.basename(baseline)})`, dir, flags: functionSettings(baseline).flags, sizes: await bundle(baseline, dir), samples: [] };
      variants.push(baselineVariant);
    }
    if (args.includes('--outputs')) {
      const outputs = { TRAILWATCH_ALERTS: 'on', SECURITY_HUB_ENABLED: 'true', EVENT_BUS_NAME: 'bench' };
      variants.push({ ...variants[0]!, label: 'this, + Security Hub, EventBridge', env: outputs, samples: [] });
      if (baselineVariant !== undefined) variants.push({ ...baselineVariant, label: 'baseline, + Security Hub, EventBridge', env: outputs, samples: [] });
    }

    const { NODE_EXTRA_CA_CERTS: _extraCaCerts, ...inherited } = process.env;
    const env = {
      // not NODE_EXTRA_CA_CERTS, which a machine behind a proxy sets and Lambda does not: Node
      // reads those certificates at every start, before the probe's clock (a third of an empty
      // process's instructions with a system bundle)
      ...inherited,
      NODE_OPTIONS: '',
      LOG_GROUP_NAME: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      TRAILWATCH_ALERTS: 'off',
      LAMBDA_TASK_ROOT: ROOT,
      BENCH_EVENT: EVENT,
      BENCH_OBJECT: object,
    };
    /** One fresh process of `variant` to its first event handled; `wrapper`: a command to run it under. */
    const probe = async (variant: Variant, wrapper: readonly string[] = [], stopAtReady = false): Promise<{ sample: Sample; stderr: string }> => {
      const endpoint = `http://127.0.0.1:${await freePort()}`;
      // the flags go through NODE_OPTIONS, as the Lambda gets them (Node refuses there any V8 flag outside a short list)
      const [command, ...rest] = [...wrapper, process.execPath, 'probe.js'];
      const child = spawnSync(command!, rest, {
        cwd: variant.dir,
        env: {
          ...env,
          NODE_OPTIONS: variant.flags.join(' '),
          ...variant.env,
          BENCH_PORT: endpoint.split(':')[2],
          AWS_ENDPOINT_URL_S3: endpoint,
          AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
          AWS_ENDPOINT_URL_SECURITYHUB: endpoint,
          AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
          ...(stopAtReady ? { BENCH_STOP: 'ready' } : {}),
        },
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`${variant.label}: exit ${child.status}\n${child.stderr}`);
      const sample = JSON.parse(child.stdout) as Sample;
      if (stopAtReady) return { sample, stderr: child.stderr };
      if (!(sample.forwarded > 0)) throw new Error(`${variant.label}: the first event forwarded no record`);
      if (variant.env !== undefined && !(sample.exported > 0)) throw new Error(`${variant.label}: the first event sent no finding to Security Hub or EventBridge`);
      return { sample, stderr: child.stderr };
    };
    const empty: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0'], { env });
      empty.push(Number(process.hrtime.bigint() - t) / 1e6);
      for (const variant of variants) variant.samples.push((await probe(variant)).sample);
    }
    // Instructions executed (valgrind): a figure machine load does not move, where times on a
    // shared machine do. One process per variant, start to first event handled; ~20× slower.
    // Two processes per variant: stopped at handler ready, and run to the first event handled.
    const instructions = new Map<Variant, { ready: number; handled: number }>();
    if (args.includes('--instructions')) {
      const count = async (variant: Variant, stopAtReady: boolean): Promise<number> => {
        const { stderr } = await probe(variant, ['valgrind', '--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null'], stopAtReady);
        const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
        if (refs === undefined) throw new Error(`${variant.label}: no instruction count from valgrind\n${stderr.slice(-2000)}`);
        return Number(refs.replaceAll(',', ''));
      };
      for (const variant of variants) instructions.set(variant, { ready: await count(variant, true), handled: await count(variant, false) });
    }

    const base = median(empty);
    const med = (v: Variant, f: (s: Sample) => number): number => median(v.samples.map(f));
    console.log(`trailwatch cold-start benchmark — node ${process.version}, ${runs} fresh processes per variant, alternating, medians`);
    console.log(`empty process (node -e 0, start to exit): ${msText(base)}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
    const rows = [
      ['variant', 'NODE_OPTIONS', 'bundle', 'map', 'loaded on use', 'pack data', 'zod', 'AWS SDK', 'lib/', 'require', 'ready', 'first event', 'CPU at ready', 'CPU at first event', 'ready / empty'],
      ...variants.map((v) => [
        v.label,
        v.flags.join(' '),
        kb(v.sizes.bundle),
        kb(v.sizes.map),
        kb(v.sizes.onUse),
        kb(v.sizes.packData),
        kb(v.sizes.zod),
        kb(v.sizes.awsSdk),
        kb(v.sizes.own),
        msText(med(v, (s) => s.required)),
        msText(med(v, (s) => s.loaded)),
        msText(med(v, (s) => s.handled)),
        msText(med(v, (s) => s.cpuReady)),
        msText(med(v, (s) => s.cpuHandled)),
        `${(med(v, (s) => s.loaded) / base).toFixed(2)}×`,
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    for (const row of rows) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    console.log(`\nfirst event: ${variants[0]!.samples[0]!.forwarded} records forwarded to the stub (events/s3-put.json)`);
    const withOutputs = variants.find((v) => v.env !== undefined);
    if (withOutputs !== undefined) console.log(`with --outputs: ${withOutputs.samples[0]!.exported} findings sent to Security Hub and EventBridge`);

    if (instructions.size > 0) {
      console.log('\ninstructions from process start (valgrind), to handler ready and to the first event handled:');
      const mine = instructions.get(variants[0]!)!;
      for (const [v, n] of instructions) {
        const figures = (['ready', 'handled'] as const).map((k) => `${(n[k] / 1e6).toFixed(0).padStart(6)} M ${(n[k] / mine[k]).toFixed(3)}×`);
        console.log(`  ${v.label.padEnd(widths[0]!)}  ready ${figures[0]}   first event ${figures[1]} this checkout`);
      }
    }
    const [self] = variants;
    const other = baselineVariant;
    if (other !== undefined && self !== undefined) {
      // per run, baseline / this: both measured in the same stretch of machine load
      const ratio = (f: (s: Sample) => number): string => `${median(self.samples.map((s, r) => f(other.samples[r]!) / f(s))).toFixed(2)}×`;
      console.log(`\nbaseline / this checkout (median of per-run ratios):`);
      console.log(`  bundle ${kb(other.sizes.bundle)} → ${kb(self.sizes.bundle)}; require ${ratio((s) => s.required)}; ready ${ratio((s) => s.loaded)}; first event ${ratio((s) => s.handled)}; CPU at ready ${ratio((s) => s.cpuReady)}; CPU at first event ${ratio((s) => s.cpuHandled)}`);
    }
    // A shared machine stretches every figure; the empty process shows by how much (~40 ms quiet).
    const ready = med(variants[0]!, (s) => s.loaded);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`\ngoal (issue 15), handler ready < 150 ms with the function's NODE_OPTIONS: ${ready < 150 ? 'met' : 'not met'} (${msText(ready)}; empty process ${msText(base)}, load average ${load})`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
