/**
 * Long fuzz run: `npx tsx bench/fuzz.bench.ts --seconds 300 [--seed N] [--only <text>]`.
 *
 * Runs every property of test/unit/fuzz/properties.ts (the ones `npm test` runs for ~2 s
 * each with a fixed seed) for an equal share of `--seconds` each, from a random seed (or
 * `--seed`), and prints per property: runs, time, and on failure the counterexample with the
 * seed and path that replay it (`fc.assert(…, { seed, path })`). Exits 1 if any property
 * failed. Also prints the peak RSS, so unbounded memory shows.
 */
import fc from 'fast-check';
import { compilerProperties, fullRulePack, pipelineProperties, recordReaderProperties, triggerProperties, type NamedProperty } from '../test/unit/fuzz/properties';

interface Options {
  readonly seconds: number;
  readonly seed: number;
  readonly only?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seconds = Number(value('--seconds') ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');
  const seed = value('--seed') === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(value('--seed'));
  const only = value('--only');
  return { seconds, seed, ...(only === undefined ? {} : { only }) };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const properties: NamedProperty[] = [...triggerProperties(), ...recordReaderProperties(), ...pipelineProperties(fullRulePack()), ...compilerProperties()].filter(
    (p) => options.only === undefined || p.name.includes(options.only),
  );
  if (properties.length === 0) throw new Error(`no property matches --only ${options.only}`);
  const budgetMs = (options.seconds * 1000) / properties.length;
  console.log(`fuzz: ${properties.length} properties, ${(budgetMs / 1000).toFixed(1)} s each, seed ${options.seed}`);
  let failed = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  for (const p of properties) {
    const started = Date.now();
    const details = await fc.check(p.property as fc.IAsyncProperty<unknown[]>, {
      seed: options.seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: budgetMs,
      markInterruptAsFailure: false,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (details.failed) {
      failed++;
      console.log(`FAIL  ${p.name}\n      after ${details.numRuns} runs (${seconds} s); replay with seed ${details.seed}, path "${details.counterexamplePath}"`);
      console.log(`      counterexample: ${fc.stringify(details.counterexample).slice(0, 2000)}`);
      console.log(`      error: ${String(details.errorInstance).slice(0, 1000)}`);
    } else {
      console.log(`ok    ${p.name}\n      ${details.numRuns} runs in ${seconds} s`);
    }
  }
  clearInterval(sampler);
  console.log(`\n${properties.length - failed} passed, ${failed} failed; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB; seed ${options.seed}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
