/**
 * Anomaly counting alone, per record: `npx tsx bench/anomaly/counting.bench.ts` (option:
 * --size 10MB). The bench corpus's file, as CloudTrail delivers it and spread over 13 days,
 * through DeliveryCounter and through the straightforward counter it replaced
 * (test/unit/anomaly/reference-counter.ts), alternating, medians, and the paired ratio.
 *
 * Records are parsed afresh before every run (outside the timing), as the pipeline hands
 * them over: a record object reused across runs would carry its strings' hashes cached by
 * the first run's Map lookups, and make both counters look faster than they are.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DeliveryCounter } from '../../lib/anomaly/counting';
import type { TrailRecord } from '../../lib/cloudtrail/types';
import { ReferenceCounter } from '../../test/unit/anomaly/reference-counter';
import { parseSize } from '../corpus/generate';
import { corpusFile, type TimeLayout } from '../pipeline.bench';
import { median } from '../stats';

const ROOT = path.resolve(__dirname, '..', 'out', 'corpus');
const REPS = 21;

async function main(): Promise<void> {
  const i = process.argv.indexOf('--size');
  const size = parseSize(i >= 0 ? (process.argv[i + 1] as string) : '10MB');
  console.log(`anomaly counting per record — node ${process.version}, ${REPS} alternating runs, medians\n`);
  for (const layout of ['delivery', 'spread13d'] as TimeLayout[]) {
    const { key } = await corpusFile(size, 42, layout);
    const texts = (JSON.parse(gunzipSync(readFileSync(path.join(ROOT, key))).toString('utf8')) as { Records: unknown[] }).Records.map((r) => JSON.stringify(r));
    const fresh = (): TrailRecord[] => texts.map((text, index) => ({ text, record: JSON.parse(text) as TrailRecord['record'], bytes: text.length, index }));
    const run = (counter: { observe(records: readonly TrailRecord[]): void; result(): unknown }): number => {
      const records = fresh();
      const t = process.hrtime.bigint();
      // in groups of 46, as the pipeline hands them over (one group per 64 KB decompressed chunk)
      for (let k = 0; k < records.length; k += 46) counter.observe(records.slice(k, k + 46));
      counter.result();
      return Number(process.hrtime.bigint() - t) / 1e3 / records.length;
    };
    for (let w = 0; w < 10; w++) {
      run(new DeliveryCounter());
      run(new ReferenceCounter());
    }
    const now: number[] = [];
    const before: number[] = [];
    const ratio: number[] = [];
    for (let r = 0; r < REPS; r++) {
      now.push(run(new DeliveryCounter()));
      before.push(run(new ReferenceCounter()));
      ratio.push((now[r] as number) / (before[r] as number));
    }
    console.log(
      `${layout.padEnd(10)} ${String(texts.length).padStart(7)} records: DeliveryCounter ${median(now).toFixed(2)} µs/record, ` +
        `reference counter ${median(before).toFixed(2)} µs/record (paired ratio ${median(ratio).toFixed(2)})`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
