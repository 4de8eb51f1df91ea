/**
 * Rule-pack benchmark: `npx tsx bench/rules.bench.ts` (options: --size 50MB --reps 5).
 *
 * In one run, on one corpus file (realistic CloudTrail records, ~1% security events):
 *  - records/s of the pipeline with no analysers vs the pipeline with the whole built-in
 *    pack (every rule active, ALLOWED_REGIONS set), alternating repetitions, medians; the
 *    ratio is the figure that matters (these machines are noisy): the target is rules
 *    costing under 25% of pipeline time;
 *  - records/s of the rule engine alone over the same records already in memory, and that
 *    time as a share of the no-rules pipeline time (the cost with I/O noise removed).
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { gunzipChunks } from '../lib/cloudtrail/gunzip';
import { readRecordGroups } from '../lib/cloudtrail/record-reader';
import type { TrailRecord } from '../lib/cloudtrail/types';
import { ruleAnalyser } from '../lib/rules/engine';
import { loadRulePack } from '../lib/rules/load';
import { corpusFile, parseSize, runPipeline } from './pipeline.bench';

const ROOT = path.resolve(__dirname, 'out', 'corpus');
const BUILTIN = path.resolve(__dirname, '..', 'rules');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

async function readAll(file: string): Promise<TrailRecord[][]> {
  const groups: TrailRecord[][] = [];
  for await (const group of readRecordGroups(gunzipChunks(createReadStream(file, { highWaterMark: 256 * 1024 })))) groups.push(group);
  return groups;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] as string) : dflt;
  };
  const size = parseSize(opt('--size', '50MB'));
  const reps = Number(opt('--reps', '5'));

  const pack = await loadRulePack({ builtinDir: BUILTIN, params: { ALLOWED_REGIONS: ['us-east-1', 'eu-west-1'] } });
  const { key, records } = await corpusFile(size);
  const ref = { bucket: 'bench', key };
  console.log(`trailwatch rules benchmark — node ${process.version}, ${pack.rules.length} rules, ${(size / 1024 ** 2).toFixed(0)} MB file, ${records} records, ${reps} alternating repetitions, medians\n`);

  // Warm-up: JIT both paths once.
  await runPipeline(key);
  await runPipeline(key, () => [ruleAnalyser(pack, ref)]);

  const bare: number[] = [];
  const withRules: number[] = [];
  let findings = 0;
  for (let r = 0; r < reps; r++) {
    let t = process.hrtime.bigint();
    const plain = await runPipeline(key);
    bare.push(seconds(t));
    t = process.hrtime.bigint();
    const ruled = await runPipeline(key, () => [ruleAnalyser(pack, ref)]);
    withRules.push(seconds(t));
    if (plain.report.records.read !== records || ruled.report.records.read !== records) throw new Error('record count mismatch');
    findings = ruled.report.findings.length;
  }

  const groups = await readAll(path.join(ROOT, key));
  const engine: number[] = [];
  for (let r = 0; r < reps; r++) {
    const analyser = ruleAnalyser(pack, ref);
    const t = process.hrtime.bigint();
    for (const group of groups) analyser.observe(group);
    analyser.finish();
    engine.push(seconds(t));
  }

  const tBare = median(bare);
  const tRules = median(withRules);
  const tEngine = median(engine);
  const rate = (t: number) => `${(records / t).toFixed(0).padStart(9)} rec/s`;
  console.log(`pipeline, no rules        ${rate(tBare)}   ${tBare.toFixed(3)} s`);
  console.log(`pipeline, built-in pack   ${rate(tRules)}   ${tRules.toFixed(3)} s   (${findings} findings)`);
  console.log(`rule engine alone         ${rate(tEngine)}   ${tEngine.toFixed(3)} s   (records in memory)`);
  console.log(`\nrules cost, end to end:   ${(((tRules - tBare) / tBare) * 100).toFixed(1)}% of pipeline time (pipeline with rules / without: ${(tRules / tBare).toFixed(2)}×)`);
  console.log(`rules cost, engine alone: ${((tEngine / tBare) * 100).toFixed(1)}% of pipeline time (target: < 25%)`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
