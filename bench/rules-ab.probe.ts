/**
 * The rule engine of two trees compared in one process: `npx tsx bench/rules-ab.probe.ts
 * --base DIR [--size 10MB] [--passes 60]`, DIR a checkout of the "before" code (e.g. a
 * `git worktree add --detach` of main, with node_modules linked).
 *
 * Why: on the shared 2-core machine the bench's engine share (`npm run bench:rules`) moves by
 * points between runs of one build (227 rules in the pipeline: 19.8–25.1 % over six runs),
 * more than most changes. Here both engines run in one process, pass after pass in turn, over
 * the same freshly parsed records (each group `JSON.parse`d right before it is evaluated, as
 * the pipeline hands it over), so a neighbour's burst or the machine's speed falls on both
 * alike; two checkouts of the same code agreed within ±3.5 % (ratios of medians over 60
 * passes, load 1.9–2.5; ~12 s at 10 MB). The engine is each tree's own (lib/rules), bundled
 * apart, so each has its own module state (the field slots of record-fields.ts); the rule
 * files and the corpus are this tree's, the 227-rule pack of `npm run bench:rules` (built-in,
 * SigmaHQ fixtures, 45 synthetic Sigma rules, 100 synthetic filter patterns).
 *
 * It prints, per tree, ns per record (fastest and median pass, the first passes left out as
 * warm-up) and this tree's / the base's ratio, with the load average.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSize } from './corpus/generate';
import { corpusFile } from './pipeline.bench';
import { median } from './stats';

/** What each bundle exports. */
interface Engine {
  readonly records: number;
  /** One pass over the file: engine ns (observe and finish only) and findings. */
  run(): { ns: number; findings: number };
}

/** Bundled with each tree's lib/ and bench/ (the imports resolve from that tree's bench/). */
const ENTRY = `
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { planRules, ruleAnalyser } from '../lib/rules/engine';
import { buildRulePack, readRuleDirectory } from '../lib/rules/load';
import { sigmaRuleFormat } from '../lib/rules/sigma';
import { benchRulePack, SIGMAHQ_RULES } from './lambda';
import { syntheticRules, syntheticSigmaRules } from './synthetic-rules';
export async function setup(file, groupSize) {
  const builtin = await benchRulePack();
  const sigma = buildRulePack(await readRuleDirectory(SIGMAHQ_RULES), { formats: [sigmaRuleFormat], strict: false });
  const plan = planRules([...builtin.rules, ...sigma.rules, ...syntheticSigmaRules(45), ...syntheticRules(100)]);
  const all = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')).Records;
  const texts = [];
  for (let i = 0; i < all.length; i += groupSize) texts.push(JSON.stringify(all.slice(i, i + groupSize).map((record, k) => ({ record, index: i + k }))));
  const ref = { bucket: 'bench', key: file };
  return {
    records: all.length,
    run() {
      const analyser = ruleAnalyser({ plan }, ref);
      let ns = 0;
      for (const text of texts) {
        const group = JSON.parse(text);
        const t = process.hrtime.bigint();
        analyser.observe(group);
        ns += Number(process.hrtime.bigint() - t);
      }
      const t = process.hrtime.bigint();
      const findings = analyser.finish().length;
      return { ns: ns + Number(process.hrtime.bigint() - t), findings };
    },
  };
}
`;

async function bundle(tree: string, out: string): Promise<string> {
  const { build } = await import('esbuild');
  const bench = path.join(tree, 'bench');
  await build({
    stdin: { contents: ENTRY, resolveDir: bench, sourcefile: 'rules-ab-entry.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
    // the bundle's __dirname is the tree's bench/, where bench/lambda.ts finds the rules
    define: { __dirname: JSON.stringify(bench), 'require.main': 'undefined' },
    external: ['esbuild'],
  });
  return out;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      base: { type: 'string' },
      size: { type: 'string', default: '10MB' },
      passes: { type: 'string', default: '60' },
      // records per observe call: about what the pipeline's record reader hands over at 10 MB
      group: { type: 'string', default: '43' },
    },
  });
  if (args.base === undefined) throw new Error('--base DIR (another checkout) is required');
  const base = path.resolve(args.base);
  const size = args.size;
  const passes = Number(args.passes);
  const groupSize = Number(args.group);
  const { key } = await corpusFile(parseSize(size));
  const file = path.join(__dirname, 'out', 'corpus', key);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rules-ab-'));
  try {
    const trees = [
      { label: 'base', tree: base },
      { label: 'this tree', tree: path.resolve(__dirname, '..') },
    ];
    const engines: Engine[] = [];
    for (const [i, t] of trees.entries()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle built just now
      const mod = require(await bundle(t.tree, path.join(dir, `engine-${i}.js`))) as { setup(file: string, groupSize: number): Promise<Engine> };
      engines.push(await mod.setup(file, groupSize));
    }
    const perRecord = engines.map(() => [] as number[]);
    const findings = engines.map(() => new Set<number>());
    for (let p = 0; p < passes; p++) {
      // alternate which engine goes first, so neither always follows the other's garbage
      for (let j = 0; j < engines.length; j++) {
        const i = (j + p) % engines.length;
        const { ns, findings: n } = engines[i]!.run();
        perRecord[i]!.push(ns / engines[i]!.records);
        findings[i]!.add(n);
      }
    }
    const warmUp = Math.min(5, Math.floor(passes / 3));
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    console.log(`rule engine, two trees in one process — node ${process.version}, ${size} corpus file (${engines[0]!.records} records, groups of ${groupSize}), 227 rules, ${passes} alternating passes (first ${warmUp} left out); load ${load}`);
    const stats = perRecord.map((xs) => {
      const kept = xs.slice(warmUp);
      return { min: Math.min(...kept), median: median(kept) };
    });
    trees.forEach((t, i) => console.log(`  ${t.label.padEnd(10)} fastest ${stats[i]!.min.toFixed(0).padStart(5)} ns/record, median ${stats[i]!.median.toFixed(0).padStart(5)} ns/record, findings ${[...findings[i]!].join('/')}  (${t.tree})`));
    console.log(`this tree / base: fastest ×${(stats[1]!.min / stats[0]!.min).toFixed(3)}, median ×${(stats[1]!.median / stats[0]!.median).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
