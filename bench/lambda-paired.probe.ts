/**
 * This checkout's pipeline against another checkout's, in one process, runs alternating
 * (which one goes first alternates too), CPU time per record paired per round:
 *
 *   npx tsx bench/lambda-paired.probe.ts --baseline /tmp/base [--rounds 60]
 *     [--layouts delivery,interleaved,spread13d] [--mode lambda|none] [--size 10MB]
 *
 * `--baseline` is a checkout with node_modules (a worktree of the commit to compare against,
 * BRIEF-style). Prints base/new as the median of the per-round ratios and its quartiles.
 * Run it once with a copy of this checkout as the baseline too: two copies of the same code
 * do not give 1.000× (JIT and GC timing, ~±5 % here), and that is this probe's noise.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PipelineDeps } from '../lib/pipeline';
import * as lambda from './lambda';
import * as pipeline from './pipeline.bench';
import { parseSize } from './corpus/generate';
import { median, quantile } from './stats';

type Layout = 'delivery' | 'interleaved' | 'spread13d';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      baseline: { type: 'string', default: '' },
      rounds: { type: 'string', default: '30' },
      layouts: { type: 'string', default: 'delivery,interleaved,spread13d' },
      mode: { type: 'string', default: 'lambda' },
      size: { type: 'string', default: '10MB' },
    },
  });
  const baseline = args.baseline;
  if (baseline === '') throw new Error('--baseline DIR (another checkout) is required');
  const rounds = Number(args.rounds);
  const layouts = args.layouts.split(',') as Layout[];
  const mode = args.mode;
  const basePipeline = (await import(path.resolve(baseline, 'bench', 'pipeline.bench'))) as typeof pipeline;
  const baseLambda = (await import(path.resolve(baseline, 'bench', 'lambda'))) as typeof lambda;
  const analysers = async (l: typeof lambda): Promise<PipelineDeps['analysersFor']> => (mode === 'none' ? undefined : l.lambdaAnalysers(await l.benchRulePack()));
  const sides = [
    { name: 'base', run: basePipeline.runPipeline, analysersFor: await analysers(baseLambda) },
    { name: 'new', run: pipeline.runPipeline, analysersFor: await analysers(lambda) },
  ];
  console.log(`paired probe — node ${process.version}, ${args.size} files, ${rounds} rounds, mode ${mode}, baseline ${baseline}`);
  for (const layout of layouts) {
    const file = await pipeline.corpusFile(parseSize(args.size), 42, layout);
    for (let w = 0; w < 4; w++) for (const side of sides) await side.run(file.key, side.analysersFor);
    const cpu: Record<string, number[]> = { base: [], new: [] };
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        const before = process.cpuUsage();
        await side.run(file.key, side.analysersFor);
        const used = process.cpuUsage(before);
        cpu[side.name]!.push((used.user + used.system) / file.records);
      }
      ratios.push(cpu.base![r]! / cpu.new![r]!);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(
      `${layout.padEnd(12)} CPU µs/record base ${median(cpu.base!).toFixed(2)} new ${median(cpu.new!).toFixed(2)}; ` +
        `base/new ${median(ratios).toFixed(3)} [quartiles ${quantile(sorted, 0.25).toFixed(3)}, ${quantile(sorted, 0.75).toFixed(3)}]; load ${loadavg()[0]!.toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
