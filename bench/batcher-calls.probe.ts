/**
 * PutLogEvents calls the batcher makes for records at random times over some days, against
 * the calls the same records cost sorted (`sortedCalls`), for several `holdBatches`:
 *
 *   npx tsx bench/batcher-calls.probe.ts [--records 30000,100000,500000] [--days 2,13,15,30]
 *     [--holds 1,1.5,2] [--seeds 3]
 *
 * Records of 600–1,800 bytes (CloudTrail-like), each at a random time of the span. Prints
 * the ratio per seed; what a hold costs in calls, where the pipeline benchmark shows what it
 * costs in CPU.
 */
import { parseArgs } from 'node:util';
import { LogBatcher, sortedCalls, type LogEvent } from '../lib/forward/batcher';

const DAY_MS = 86_400_000;

function main(): void {
  const { values: args } = parseArgs({
    options: {
      records: { type: 'string', default: '30000,100000,500000' },
      days: { type: 'string', default: '2,13,15,30' },
      holds: { type: 'string', default: '1,1.5,2' },
      seeds: { type: 'string', default: '3' },
    },
  });
  const holds = args.holds.split(',').map(Number);
  console.log(`calls made / calls sorted, per seed (holdBatches ${holds.join(', ')})`);
  for (const records of args.records.split(',').map(Number)) {
    for (const days of args.days.split(',').map(Number)) {
      const perHold = holds.map(() => [] as string[]);
      let sorted = 0;
      for (let seed = 1; seed <= Number(args.seeds); seed++) {
        const events = randomEvents(records, days, seed);
        sorted = sortedCalls(events);
        holds.forEach((holdBatches, h) => {
          const batcher = new LogBatcher(undefined, { holdBatches });
          let calls = 0;
          for (const e of events) calls += batcher.add(e)?.length ?? 0;
          calls += batcher.flush().length;
          perHold[h]!.push((calls / sorted).toFixed(3));
        });
      }
      const cells = holds.map((hold, h) => `hold ${hold}: ${perHold[h]!.join(' ')}`);
      console.log(`${String(records).padStart(7)} records over ${String(days).padStart(2)} days (~${sorted} calls sorted)  ${cells.join('   ')}`);
    }
  }
}

function randomEvents(records: number, days: number, seed: number): LogEvent[] {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: records }, () => ({ timestamp: Math.floor(random() * days * DAY_MS), message: '', bytes: 600 + Math.floor(random() * 1_200) }));
}

main();
