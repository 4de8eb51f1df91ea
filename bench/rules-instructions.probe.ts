/**
 * The rule engine's cost in instructions, which another helper's benchmark on the same cores
 * does not change (issue 15: wall-clock shares on the shared 2-core machine scatter more than
 * most changes). `npx tsx bench/rules-instructions.probe.ts [--size 10MB] [--passes 2]`
 * needs valgrind; it takes about 8 minutes at 10 MB.
 *
 * It bundles this file (esbuild) and runs it under `valgrind --tool=callgrind` with V8 in
 * single-threaded, predictable-GC mode. The bundle loads the bench's 227-rule pack (built-in,
 * SigmaHQ fixtures, 45 synthetic Sigma rules, 100 synthetic filter patterns: as
 * `npm run bench:rules`), warms up once with and once without rules, then runs four phases —
 * pipeline alone, with the rules, alone, with the rules — of `--passes` pipeline runs each.
 * Each phase starts with a call to getppid (`process.ppid`), before which callgrind dumps
 * its counts (`--dump-before=getppid`), so each phase's instructions are counted apart. It
 * prints them and the engine's share: (rules phase − pipeline phase) / pipeline phase, for
 * each of the two pairs. JIT compilation and garbage collection fall into the phases too,
 * as they do in the Lambda.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planRules, ruleAnalyser } from '../lib/rules/engine';
import { buildRulePack, readRuleDirectory } from '../lib/rules/load';
import { sigmaRuleFormat } from '../lib/rules/sigma';
import { parseSize } from './corpus/generate';
import { benchRulePack, SIGMAHQ_RULES } from './lambda';
import { corpusFile, runPipeline } from './pipeline.bench';
import { syntheticRules, syntheticSigmaRules } from './synthetic-rules';

const PHASES = ['pipeline alone', 'with the rules', 'pipeline alone', 'with the rules'] as const;

/** Under valgrind: the warm-up and the four phases. */
async function phases(size: number, passes: number): Promise<void> {
  const builtin = await benchRulePack();
  const sigma = buildRulePack(await readRuleDirectory(SIGMAHQ_RULES), { formats: [sigmaRuleFormat], strict: false });
  const plan = planRules([...builtin.rules, ...sigma.rules, ...syntheticSigmaRules(45), ...syntheticRules(100)]);
  const { key } = await corpusFile(size);
  const run = async (withRules: boolean) => {
    for (let r = 0; r < passes; r++) await runPipeline(key, withRules ? (ref) => [ruleAnalyser({ plan }, ref)] : undefined);
  };
  await run(false);
  await run(true);
  for (const phase of PHASES) {
    // a phase boundary: callgrind dumps before getppid (the value itself is not used)
    if (process.ppid === -1) return;
    await run(phase === 'with the rules');
  }
  if (process.ppid === -1) return;
}

function option(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
}

async function drive(args: readonly string[]): Promise<void> {
  const size = option(args, '--size', '10MB');
  const passes = option(args, '--passes', '2');
  // the corpus file is made here, outside valgrind
  await corpusFile(parseSize(size));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rules-instructions-'));
  try {
    const { build } = await import('esbuild');
    const bundle = path.join(dir, 'probe.js');
    // __dirname as the bench directory: the bench finds its corpus and rules from there; no
    // bundled module is the main one (pipeline.bench.ts would run its own benchmark)
    await build({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'warning', define: { __dirname: JSON.stringify(__dirname), 'require.main': 'undefined' }, external: ['esbuild'] });
    const out = path.join(dir, 'callgrind.out');
    const valgrind = spawnSync(
      'valgrind',
      ['--tool=callgrind', '--dump-before=getppid', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--predictable-gc-schedule', bundle, '--phases', size, passes],
      { encoding: 'utf8' },
    );
    if (valgrind.status !== 0) throw new Error(`valgrind failed (${valgrind.status}): ${valgrind.stderr.slice(-2000)}`);
    // callgrind.out.1 is start-up and warm-up; .2 to .5 the phases
    const counts = readdirSync(dir)
      .filter((f) => /^callgrind\.out\.\d+$/.test(f))
      .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
      .map((f) => Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1]));
    const phaseCounts = counts.slice(1, 1 + PHASES.length);
    if (phaseCounts.length !== PHASES.length || phaseCounts.some((n) => !Number.isFinite(n))) throw new Error(`expected ${PHASES.length} phase dumps, got ${counts.length - 1}`);
    const g = (n: number) => `${(n / 1e9).toFixed(3)} G`;
    console.log(`rule engine in instructions — node ${process.version}, ${size} corpus file, ${passes} pipeline runs per phase, 227 rules; start-up and warm-up ${g(counts[0]!)}`);
    PHASES.forEach((phase, i) => console.log(`  phase ${i + 1}, ${phase.padEnd(15)} ${g(phaseCounts[i]!)}`));
    for (const pair of [0, 2]) {
      const alone = phaseCounts[pair]!;
      const withRules = phaseCounts[pair + 1]!;
      console.log(`engine share, phases ${pair + 1}–${pair + 2}: ${(((withRules - alone) / alone) * 100).toFixed(1)} % of the pipeline alone`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
// in the bundle (`require.main` defined away) only the phases run
const run = args[0] === '--phases' ? phases(parseSize(args[1] ?? '10MB'), Number(args[2] ?? '2')) : require.main === module ? drive(args) : undefined;
run?.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
