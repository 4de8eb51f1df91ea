/**
 * Pipeline benchmark: `npm run bench` (options: --sizes 1MB,10MB,100MB,300MB
 * --order-sizes 10MB,100MB --reps 3 --rss-runs 5; --rss-only prints the peak-RSS section alone).
 *
 * Prints, in one run, for CloudTrail files from 1 MB to 300 MB (uncompressed) of the corpus
 * generator's realistic records, and for files whose records are out of order across days
 * (`--order-sizes`: every other record 25 h older than the delivery, and records spread over
 * 13 days in scrambled order):
 *  - records/s of the full pipeline (S3-like file stream → gunzip → record scanner →
 *    batcher → null sink) vs a bare `gunzip + JSON.parse` of the same file, as a ratio
 *    measured in the same run (these machines are noisy: ratios, not absolute figures; each
 *    repetition against the bare parse run just before it, then the median),
 *    twice: with no analysers, and as the Lambda runs it (built-in rules + anomaly counting,
 *    bench/lambda.ts);
 *  - PutLogEvents calls made vs the calls the same events cost sorted by time (what a
 *    batcher with the whole file in hand makes, `sortedCalls`), and the lower bound from
 *    bytes and count alone;
 *  - where the as-the-Lambda time goes, on the 10 MB file (or the first file of 10 MB or more):
 *    µs per record of the pipeline alone, + the built-in rules, + anomaly counting, each
 *    addition as a share of the pipeline-alone time;
 *  - peak RSS of fresh processes running the pipeline on the smallest and the largest file,
 *    with the function's V8 flags (NODE_OPTIONS read from serverless.yml), with no analysers
 *    and as the Lambda runs it, and on the largest 13-day file (the batcher holds more back
 *    for out-of-order records): the median of `--rss-runs` processes and each one's peak (V8
 *    sizes its heap from speeds it measures, so processes differ), the goal line on the
 *    median and on the worst process; then as the Lambda with the young-generation flag alone,
 *    and with V8's defaults, for comparison.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { createGunzip } from 'node:zlib';
import { PUT_LOG_EVENTS_LIMITS, minimumCalls, sortedCalls, type LogBatch } from '../lib/forward/batcher';
import { DiscardingSink, type LogTarget, type PutOutcome } from '../lib/forward/sink';
import { FileObjectSource } from '../lib/local/file-source';
import { processObject, type PipelineDeps } from '../lib/pipeline';
import { cloudTrailKey, writeLogFile } from './corpus/files';
import { functionSettings } from './function-settings';
import { parseSize } from './corpus/generate';
import { hashingCost } from './integrity-hash';
import type { RulePack } from '../lib/rules/load';
import { benchRulePack, lambdaAnalysers } from './lambda';
import { median } from './stats';

const ROOT = path.resolve(__dirname, 'out', 'corpus');

const HOUR_MS = 3_600_000;

/**
 * How a file's event times are laid out: `delivery` as CloudTrail writes them (within the
 * 5-minute delivery window, nearly in order); `interleaved`: every other record 25 h older;
 * `spread13d`: each record moved back by up to 13 days, in scrambled order.
 */
export type TimeLayout = 'delivery' | 'interleaved' | 'spread13d';

const LAYOUTS: Record<TimeLayout, { letter: string; label: string; eventTime?: (index: number, deliveryTimeMs: number) => number }> = {
  delivery: { letter: 'B', label: '' },
  interleaved: { letter: 'I', label: ', T / T − 25 h interleaved', eventTime: (i, t) => (i % 2 === 0 ? t : t - 25 * HOUR_MS) },
  // a multiplicative hash of the index: a fixed, scrambled order over the 13 days
  spread13d: { letter: 'S', label: ', spread over 13 days', eventTime: (i, t) => t - ((Math.imul(i + 1, 2654435761) >>> 0) % (13 * 24 * HOUR_MS)) },
};

/** Makes (or reuses) a corpus file of about `bytes` uncompressed; returns its key below ROOT. */
export async function corpusFile(bytes: number, seed = 42, layout: TimeLayout = 'delivery'): Promise<{ key: string; records: number }> {
  const deliveredAt = new Date(Date.UTC(2026, 10, 24, 9, 5));
  const { letter, eventTime } = LAYOUTS[layout];
  const unique = `${letter}${String(bytes).padStart(15, '0')}`.slice(0, 16);
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
      ...(eventTime ? { eventTime } : {}),
    });
    writeFileSync(meta, String(out.records));
  }
  return { key, records: Number(readFileSync(meta, 'utf8')) };
}

/** Accepts everything, as DiscardingSink, and keeps each event's timestamp and size (for sortedCalls; not timed). */
class RecordingSink extends DiscardingSink {
  readonly sent: Array<{ timestamp: number; bytes: number }> = [];
  override async put(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    for (const e of batch.events) this.sent.push({ timestamp: e.timestamp, bytes: e.bytes });
    return super.put(target, batch);
  }
}

export async function bareParse(file: string): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 }))) {
    chunks.push(c as Buffer);
  }
  const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: unknown[] };
  return doc.Records.length;
}

export async function runPipeline(key: string, analysersFor?: PipelineDeps['analysersFor'], sink = new DiscardingSink()) {
  const report = await processObject(
    { bucket: 'bench', key },
    { source: new FileObjectSource(ROOT), sink, logGroup: 'bench', analysersFor },
  );
  if (report.status !== 'processed') throw new Error(`pipeline failed: ${report.reason}`);
  return { report, sink };
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
  process.stdout.write(JSON.stringify({ maxRss: peakRss(), records: report.records.read, heapLimit: getHeapStatistics().heap_size_limit }));
}

/**
 * Where the as-the-Lambda time goes: the same file through the pipeline alone, with the
 * built-in rules, and with rules + anomaly counting (the Lambda), alternating; each
 * addition as µs per record and as a share of the pipeline-alone time.
 */
async function costSplit(f: { key: string; size: number; records: number }, pack: RulePack, reps: number): Promise<void> {
  const modes = [
    { label: 'pipeline alone', analysersFor: undefined },
    { label: '+ built-in rules', analysersFor: lambdaAnalysers(pack, { anomaly: false }) },
    { label: '+ anomaly counting (as the Lambda)', analysersFor: lambdaAnalysers(pack) },
  ];
  const inner = Math.max(1, Math.round((32 * 1024 ** 2) / f.size));
  const times: number[][] = modes.map(() => []);
  // each addition as a share of the pipeline-alone run of the same repetition (paired, as the ratios above)
  const shares: number[][] = modes.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (const [i, mode] of modes.entries()) {
      const t = process.hrtime.bigint();
      for (let k = 0; k < inner; k++) await runPipeline(f.key, mode.analysersFor);
      times[i]!.push(Number(process.hrtime.bigint() - t) / 1e3 / inner / f.records);
      if (i > 0) shares[i]!.push((times[i]![r]! - times[i - 1]![r]!) / times[0]![r]!);
    }
  }
  const us = times.map(median);
  const alone = us[0]!;
  console.log(`\ncost split, ${mb(f.size)} (${f.records} records), µs per record, median of ${reps} alternating runs (additions: median of each run's share):`);
  for (const [i, mode] of modes.entries()) {
    const added = i === 0 ? '' : `  +${(median(shares[i]!) * alone).toFixed(2)} µs = ${(median(shares[i]!) * 100).toFixed(0)} % of the pipeline alone`;
    console.log(`  ${mode.label.padEnd(36)} ${us[i]!.toFixed(2).padStart(7)} µs${added}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--probe') return probe(args[1] as string, args[2] === '--lambda');
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] as string) : dflt;
  };
  const sizes = opt('--sizes', '1MB,10MB,100MB,300MB').split(',').map(parseSize);
  const orderSizes = opt('--order-sizes', '10MB,100MB').split(',').filter(Boolean).map(parseSize);
  const reps = Number(opt('--reps', '3'));
  const rssRuns = Number(opt('--rss-runs', '5'));
  // --rss-only: the files and the peak-RSS section, without the timed runs
  const rssOnly = args.includes('--rss-only');

  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`trailwatch pipeline benchmark — node ${process.version}, ${reps} alternating repetitions, medians; load average ${load} on ${availableParallelism()} CPUs\n`);
  const plan: Array<{ size: number; layout: TimeLayout }> = [
    ...sizes.map((size) => ({ size, layout: 'delivery' as const })),
    ...orderSizes.flatMap((size) => (['interleaved', 'spread13d'] as const).map((layout) => ({ size, layout }))),
  ];
  const files = [];
  for (const { size, layout } of plan) {
    const f = await corpusFile(size, 42, layout);
    files.push({ ...f, size, layout, compressed: statSync(path.join(ROOT, f.key)).size });
  }

  const spread = files.filter((f) => f.layout === 'spread13d').at(-1);
  const delivered = files.filter((f) => f.layout === 'delivery');
  if (rssOnly) return peakRssSection(delivered, spread, rssRuns);

  const pack = await benchRulePack();
  const lambda = lambdaAnalysers(pack);
  // warm-up: let the JIT compile every path before anything is timed
  for (let i = 0; i < 20; i++) {
    await bareParse(path.join(ROOT, files[0]!.key));
    await runPipeline(files[0]!.key);
    await runPipeline(files[0]!.key, lambda);
  }

  console.log(`"as the Lambda": ${pack.rules.length} built-in rules + anomaly counting (bench/lambda.ts); ratios are records/s vs bare gunzip + JSON.parse\n`);
  console.log(
    `${'file (uncompressed)'.padEnd(40)} ${'records'.padEnd(8)} bare parse rec/s  no analysers rec/s  ratio   as the Lambda rec/s  ratio   calls / sorted calls           lower bound`,
  );
  // as-the-Lambda ratio of each file of 10 MB and more, for the goal line (issue 15: ≥ 1.2×)
  const lambdaRatios: number[] = [];
  for (const f of files) {
    const file = path.join(ROOT, f.key);
    const bare: number[] = [];
    const pipe: number[] = [];
    const full: number[] = [];
    let calls = 0;
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
        return n;
      };
      await timed(pipe, () => pipeline());
      await timed(full, () => pipeline(lambda));
    }
    // the references, from one more run outside the timing
    const recording = new RecordingSink();
    await runPipeline(f.key, undefined, recording);
    if (recording.calls !== calls) throw new Error(`calls differ between runs: ${calls} vs ${recording.calls}`);
    const sorted = sortedCalls(recording.sent, PUT_LOG_EVENTS_LIMITS);
    const lowerBound = minimumCalls(recording.events, recording.batchBytes, PUT_LOG_EVENTS_LIMITS);
    // Each repetition's ratio is taken against the bare parse run just before it, then the
    // median of those: on a loaded machine the load drifts between repetitions, and a ratio
    // of runs seconds apart cancels most of it (a ratio of separate medians does not).
    const paired = (xs: number[]) => median(xs.map((x, r) => x / (bare[r] as number)));
    const ratio = (xs: number[]) => `${paired(xs).toFixed(2).padStart(5)}×`;
    if (f.size >= 10 * 1024 ** 2) lambdaRatios.push(paired(full));
    console.log(
      `${(mb(f.size) + LAYOUTS[f.layout].label).padEnd(40)} ${String(f.records).padEnd(8)} ${median(bare).toFixed(0).padStart(16)}  ${median(pipe)
        .toFixed(0)
        .padStart(18)}  ${ratio(pipe)}  ${median(full).toFixed(0).padStart(19)}  ${ratio(full)}  ${`${calls} / ${sorted} (${(calls / sorted).toFixed(3)}×)`.padEnd(29)}  ${lowerBound}`,
    );
  }

  if (lambdaRatios.length > 0) {
    const worst = Math.min(...lambdaRatios);
    console.log(`\ngoal: as the Lambda ≥ 1.2× bare parse at every size ≥ 10 MB — lowest ${worst.toFixed(2)}×: ${worst >= 1.2 ? 'met' : 'not met'}`);
  }

  const splitFile = files.find((f) => f.layout === 'delivery' && f.size >= 10 * 1024 ** 2);
  if (splitFile) await costSplit(splitFile, pack, Math.max(reps, 5));

  await hashingCost(delivered.map((f) => ({ key: f.key, label: mb(f.size) })), reps);
  peakRssSection(delivered, spread, rssRuns);
}

/**
 * Peak RSS of fresh processes on the smallest and the largest file, `runs` processes each,
 * with the function's own V8 flags (serverless.yml NODE_OPTIONS) and for comparison without
 * its old-space cap and with V8's defaults. Every process's peak is printed: V8 sizes the
 * old generation from GC and allocation speeds it measures, so one process can differ from
 * the next, and the goal line takes the worst of them as well as the median.
 */
function peakRssSection(delivered: ReadonlyArray<{ key: string; size: number }>, spread: { key: string; size: number } | undefined, runs: number): void {
  const smallest = delivered[0]!;
  const largest = delivered[delivered.length - 1]!;
  // the flags go through NODE_OPTIONS, as the Lambda gets them: Node refuses there any V8
  // flag outside its short list, which a flag on the command line would not show
  const rssOnce = (key: string, flags: readonly string[], lambda: boolean) => {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--probe', key, ...(lambda ? ['--lambda'] : [])], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: flags.join(' ') },
    });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout) as { maxRss: number; records: number; heapLimit: number };
  };
  const rss = (key: string, flags: readonly string[], lambda: boolean) => {
    const all = Array.from({ length: runs }, () => rssOnce(key, flags, lambda));
    const peaks = all.map((r) => r.maxRss);
    return { median: median(peaks), max: Math.max(...peaks), peaks, records: all[0]!.records, heapLimit: all[0]!.heapLimit };
  };
  const peaksText = (r: { peaks: number[] }) => `[${r.peaks.map((p) => (p / 1024 ** 2).toFixed(0)).join(' ')}]`;
  // the function's NODE_OPTIONS (serverless.yml provider.environment)
  const lambdaFlags = functionSettings(path.resolve(__dirname, '..')).flags;
  // the young-generation size alone, V8 left to size the old generation from this machine's memory
  const semiOnly = lambdaFlags.filter((f) => f.startsWith('--max-semi-space-size'));
  // Peak RSS is measured with the V8 flags the Lambda runs with: by default V8 grows its young
  // generation to 3 × 16 MB on a long run (which a 1 MB file never triggers), sizes its old
  // generation from this machine's memory (4 GB here, against the function's 1 GB), letting
  // garbage grow to 4 × the live heap before a full collection where the function's cap allows
  // 1.4 × (see the comment at NODE_OPTIONS in serverless.yml).
  const rows: Array<{ label: string; flags: readonly string[]; lambda: boolean; goal?: boolean }> = [
    { label: 'no analysers, function\'s flags', flags: lambdaFlags, lambda: false },
    { label: 'as the Lambda, function\'s flags', flags: lambdaFlags, lambda: true, goal: true },
    ...(semiOnly.length < lambdaFlags.length ? [{ label: 'as the Lambda, the function\'s young-generation flag alone', flags: semiOnly, lambda: true }] : []),
    { label: 'no analysers, V8 defaults', flags: [], lambda: false },
  ];
  for (const row of rows) {
    const small = rss(smallest.key, row.flags, row.lambda);
    const large = rss(largest.key, row.flags, row.lambda);
    const flagText = row.flags.length > 0 ? row.flags.join(' ') : 'no flags';
    console.log(
      `\npeak RSS, ${row.label} (${flagText}; V8 heap limit ${mb(small.heapLimit)}), median of ${runs} fresh processes [each]: ` +
        `${mb(small.median)} ${peaksText(small)} for ${mb(smallest.size)} (${small.records} records), ` +
        `${mb(large.median)} ${peaksText(large)} for ${mb(largest.size)} (${large.records} records): ${(large.median / small.median).toFixed(2)}× (worst ${(large.max / small.median).toFixed(2)}×)`,
    );
    if (row.goal) {
      const growth = large.median / small.median;
      const worst = large.max / small.median;
      console.log(
        `goal: peak RSS as the Lambda, largest file ≤ 1.3× the smallest — median ${growth.toFixed(2)}×, worst of ${runs} ${worst.toFixed(2)}×: ${worst <= 1.3 ? 'met' : growth <= 1.3 ? 'met by the median, not by the worst process' : 'not met'}`,
      );
    }
    if (spread && !row.lambda) {
      const held = rss(spread.key, row.flags, row.lambda);
      console.log(`  and ${mb(held.median)} ${peaksText(held)} for ${mb(spread.size)} spread over 13 days (${held.records} records): ${(held.median / small.median).toFixed(2)}×`);
    }
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
