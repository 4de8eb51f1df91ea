/**
 * Cold-start benchmark: `npx tsx bench/cold-start.bench.ts` (options: --runs 7).
 *
 * Bundles functions/ingest.ts with serverless.yml's esbuild settings and plugins (minified,
 * names kept, source map, the built-in rule pack parsed at build time), then starts fresh Node processes, alternating, and prints medians of:
 *  - `require` of the bundle (module init), and
 *  - the handler ready: the "rule pack loaded" log line (the built-in pack read and compiled),
 * with the function's NODE_OPTIONS (`--enable-source-maps --max-semi-space-size=4`) and
 * without `--enable-source-maps`, next to an empty `node -e 0` in the same run (process start,
 * which the Lambda runtime pays anyway). Target (issue 15): handler ready in < 150 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { parseDocument } from 'yaml';
// the plugins serverless.yml gives serverless-esbuild (the built-in pack parsed at build time)
import plugins from '../build/esbuild-plugins';

const ROOT = path.resolve(__dirname, '..');
/** Keep in step with NODE_OPTIONS in serverless.yml. */
const FUNCTION_FLAGS = ['--enable-source-maps', '--max-semi-space-size=4'];

const PROBE = `
const t0 = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
let loaded;
const write = process.stdout.write.bind(process.stdout);
// the function's logger writes JSON lines to stdout: note when the pack is loaded, print nothing
process.stdout.write = (chunk) => {
  if (loaded === undefined && String(chunk).includes('rule pack loaded')) loaded = ms();
  return true;
};
require('./ingest.js');
const required = ms();
const wait = () => (loaded === undefined ? setTimeout(wait, 1) : write(JSON.stringify({ required, loaded, start: process.uptime() * 1000 - ms() }) + '\\n'));
wait();
`;

/** serverless.yml's custom.esbuild (serverless-esbuild's options: esbuild's, plus `exclude` and `plugins`). */
function functionBuildSettings(): BuildOptions & { exclude?: unknown; plugins?: unknown } {
  const template = parseDocument(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')).toJS() as { custom: { esbuild: BuildOptions } };
  return template.custom.esbuild;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 7;
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwatch-cold-'));
  try {
    // the function's esbuild settings and plugins, from serverless.yml
    const { exclude: _exclude, plugins: _plugins, ...settings } = functionBuildSettings();
    await build({
      ...settings,
      plugins,
      entryPoints: [path.join(ROOT, 'functions', 'ingest.ts')],
      outfile: path.join(dir, 'ingest.js'),
      logLevel: 'warning',
    });
    writeFileSync(path.join(dir, 'probe.js'), PROBE);
    const env = { ...process.env, NODE_OPTIONS: '', LOG_GROUP_NAME: 'bench', AWS_REGION: 'us-east-1', LAMBDA_TASK_ROOT: ROOT };
    const modes = [
      { label: 'function NODE_OPTIONS', flags: FUNCTION_FLAGS },
      { label: 'without --enable-source-maps', flags: FUNCTION_FLAGS.filter((f) => f !== '--enable-source-maps') },
    ];
    const empty: number[] = [];
    const results = modes.map(() => ({ required: [] as number[], loaded: [] as number[] }));
    for (let r = 0; r < runs; r++) {
      let t = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0'], { env });
      empty.push(Number(process.hrtime.bigint() - t) / 1e6);
      for (const [m, mode] of modes.entries()) {
        t = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [...mode.flags, 'probe.js'], { cwd: dir, env, encoding: 'utf8' });
        if (child.status !== 0) throw new Error(child.stderr);
        const out = JSON.parse(child.stdout) as { required: number; loaded: number };
        results[m]!.required.push(out.required);
        results[m]!.loaded.push(out.loaded);
      }
    }
    const base = median(empty);
    console.log(`trailwatch cold-start benchmark — node ${process.version}, ${runs} fresh processes per mode, alternating, medians`);
    console.log(`empty process (node -e 0, start to exit): ${base.toFixed(0)} ms\n`);
    console.log('mode                           require bundle   handler ready (pack loaded)   pack after require   ready / empty process   target ready < 150 ms');
    for (const [m, mode] of modes.entries()) {
      const ready = median(results[m]!.loaded);
      const required = median(results[m]!.required);
      // per process: what loading the pack adds once the bundle is required
      const after = median(results[m]!.loaded.map((l, r) => l - results[m]!.required[r]!));
      console.log(
        `${mode.label.padEnd(30)} ${`${required.toFixed(0)} ms`.padStart(14)}   ${`${ready.toFixed(0)} ms`.padStart(27)}   ${`${after.toFixed(0)} ms`.padStart(18)}   ${(ready / base).toFixed(2).padStart(20)}×   ${ready < 150 ? 'met' : 'not met'}`,
      );
    }
    // A shared machine stretches every figure; the empty process shows by how much (~40 ms quiet).
    console.log(`\ngoal: handler ready < 150 ms with the function's NODE_OPTIONS — ${median(results[0]!.loaded) < 150 ? 'met' : `not met here (${median(results[0]!.loaded).toFixed(0)} ms; empty process ${base.toFixed(0)} ms)`}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
