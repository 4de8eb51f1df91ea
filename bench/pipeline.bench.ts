/**
 * Pipeline benchmark: `npm run bench` (options: --sizes 1MB,10MB,100MB,500MB --reps 3).
 *
 * Prints, in one run, for CloudTrail files from 1 MB to 300 MB (uncompressed) of the corpus
 * generator's realistic records:
 *  - records/s of the full pipeline (S3-like file stream → gunzip → record scanner →
 *    batcher → null sink) vs a bare `gunzip + JSON.parse` of the same file, as a ratio
 *    measured in the same run (these machines are noisy: ratios, not absolute figures),
 *    twice: with no analysers, and as the Lambda runs it (built-in rules + anomaly counting,
 *    bench/lambda.ts);
 *  - peak RSS of a fresh process running the pipeline on the smallest and the largest file,
 *    with no analysers and as the Lambda runs it;
 *  - PutLogEvents calls made vs the minimum possible for the bytes and events sent.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { PUT_LOG_EVENTS_LIMITS, minimumCalls } from '../lib/forward/batcher';
import { DiscardingSink } from '../lib/forward/sink';
import { FileObjectSource } from '../lib/local/file-source';
import { processObject, type PipelineDeps } from '../lib/pipeline';
import { cloudTrailKey, writeLogFile } from './corpus/files';
import { benchRulePack, lambdaAnalysers } from './lambda';

const ROOT = path.resolve(__dirname, 'out', 'corpus');
/** Keep in step with NODE_OPTIONS in serverless.yml. */
const LAMBDA_V8_FLAGS = ['--max-semi-space-size=4'];


export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const unit = (m[2] ?? 'MB').toUpperCase();
  return Math.round(Number(m[1]) * (unit === 'KB' ? 1024 : unit === 'MB' ? 1024 ** 2 : 1024 ** 3));
}

/** Makes (or reuses) a corpus file of about `bytes` uncompressed; returns its key below ROOT. */
export async function corpusFile(bytes: number, seed = 42): Promise<{ key: string; records: number }> {
  const deliveredAt = new Date(Date.UTC(2026, 10, 24, 9, 5));
  const unique = `B${String(bytes).padStart(15, '0')}`.slice(0, 16);
  const key = cloudTrailKey({ accountId: '111122223333', region: 'us-east-1', deliveredAt, unique });
  const file = path.join(ROOT, key);
  const meta = `${file}.records`;
  if (!existsSync(file) || !existsSync(meta)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const out = await writeLogFile(file, {
      seed,
      accountId: '111122223333',
      region: 'us-east-1',
      start: new Date(deliveredAt.getTime() - 5 * 60_000),
      targetUncompressedBytes: bytes,
    });
    writeFileSync(meta, String(out.records));
  }
  return { key, records: Number(readFileSync(meta, 'utf8')) };
}

async function bareParse(file: string): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 }))) {
    chunks.push(c as Buffer);
  }
  const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: unknown[] };
  return doc.Records.length;
}

export async function runPipeline(key: string, analysersFor?: PipelineDeps['analysersFor']) {
  const sink = new DiscardingSink();
  const report = await processObject(
    { bucket: 'bench', key },
    { source: new FileObjectSource(ROOT), sink, logGroup: 'bench', analysersFor },
  );
  if (report.status !== 'processed') throw new Error(`pipeline failed: ${report.reason}`);
  return { report, sink };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * Peak RSS of this process. Linux's getrusage maxrss survives fork+exec (a child spawned by
 * a big parent reports the parent's peak), so read the memory map's own high-water mark.
 */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function probe(key: string, lambda: boolean): Promise<void> {
  const { report } = await runPipeline(key, lambda ? lambdaAnalysers(await benchRulePack()) : undefined);
  process.stdout.write(JSON.stringify({ maxRss: peakRss(), records: report.records.read }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--probe') return probe(args[1] as string, args[2] === '--lambda');
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] as string) : dflt;
  };
  const sizes = opt('--sizes', '1MB,10MB,100MB,300MB').split(',').map(parseSize);
  const reps = Number(opt('--reps', '3'));

  console.log(`trailwatch pipeline benchmark — node ${process.version}, ${reps} alternating repetitions, medians\n`);
  const files = [];
  for (const size of sizes) {
    const f = await corpusFile(size);
    files.push({ ...f, size, compressed: statSync(path.join(ROOT, f.key)).size });
  }

  const pack = await benchRulePack();
  const lambda = lambdaAnalysers(pack);
  // warm-up: let the JIT compile every path before anything is timed
  for (let i = 0; i < 20; i++) {
    await bareParse(path.join(ROOT, files[0]!.key));
    await runPipeline(files[0]!.key);
    await runPipeline(files[0]!.key, lambda);
  }

  console.log(`"as the Lambda": ${pack.rules.length} built-in rules + anomaly counting (bench/lambda.ts); ratios are records/s vs bare gunzip + JSON.parse\n`);
  console.log('file (uncompressed)  records    bare parse rec/s  no analysers rec/s  ratio   as the Lambda rec/s  ratio   calls / minimum');
  for (const f of files) {
    const file = path.join(ROOT, f.key);
    const bare: number[] = [];
    const pipe: number[] = [];
    const full: number[] = [];
    let calls = 0;
    let minimum = 0;
    // small files: repeat inside one measurement so that each lasts long enough to time
    const inner = Math.max(1, Math.round((32 * 1024 ** 2) / f.size));
    const timed = async (runs: number[], run: () => Promise<number>) => {
      const t = process.hrtime.bigint();
      let n = 0;
      for (let k = 0; k < inner; k++) n = await run();
      runs.push((n * inner) / (Number(process.hrtime.bigint() - t) / 1e9));
      return n;
    };
    for (let r = 0; r < reps; r++) {
      const n = await timed(bare, () => bareParse(file));
      const pipeline = async (analysersFor?: PipelineDeps['analysersFor']) => {
        const { report, sink } = await runPipeline(f.key, analysersFor);
        if (report.records.read !== n || sink.events !== n) throw new Error(`record count mismatch: ${n} vs ${report.records.read}`);
        calls = sink.calls;
        minimum = minimumCalls(sink.events, sink.batchBytes, PUT_LOG_EVENTS_LIMITS);
        return n;
      };
      await timed(pipe, () => pipeline());
      await timed(full, () => pipeline(lambda));
    }
    const ratio = (xs: number[]) => `${(median(xs) / median(bare)).toFixed(2).padStart(5)}×`;
    console.log(
      `${mb(f.size).padEnd(20)} ${String(f.records).padEnd(10)} ${median(bare).toFixed(0).padStart(16)}  ${median(pipe).toFixed(0).padStart(18)}  ${ratio(pipe)}  ${median(full)
        .toFixed(0)
        .padStart(19)}  ${ratio(full)}  ${calls} / ${minimum} (+${(((calls - minimum) / minimum) * 100).toFixed(1)}%)`,
    );
  }

  const smallest = files[0]!;
  const largest = files[files.length - 1]!;
  const rss = (key: string, flags: string[], lambda: boolean) => {
    const child = spawnSync(process.execPath, [...flags, ...process.execArgv, __filename, '--probe', key, ...(lambda ? ['--lambda'] : [])], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout) as { maxRss: number; records: number };
  };
  // Peak RSS is measured with the V8 flags the Lambda runs with (serverless.yml NODE_OPTIONS):
  // by default V8 grows its young generation to 3 × 16 MB on a long run, which a 1 MB file
  // never triggers, so without them "memory grows with file size" is V8's sizing, not the pipeline.
  for (const [label, flags, lambda] of [
    ['no analysers, Lambda flags (' + LAMBDA_V8_FLAGS.join(' ') + ')', LAMBDA_V8_FLAGS, false],
    ['as the Lambda, Lambda flags (' + LAMBDA_V8_FLAGS.join(' ') + ')', LAMBDA_V8_FLAGS, true],
    ['no analysers, V8 defaults', [], false],
  ] as const) {
    const small = rss(smallest.key, [...flags], lambda);
    const large = rss(largest.key, [...flags], lambda);
    console.log(
      `\npeak RSS, fresh process, ${label}: ${mb(small.maxRss)} for ${mb(smallest.size)} (${small.records} records), ` +
        `${mb(large.maxRss)} for ${mb(largest.size)} (${large.records} records): ${(large.maxRss / small.maxRss).toFixed(2)}×`,
    );
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
