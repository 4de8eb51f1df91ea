/**
 * Anomaly benchmark: `npm run bench:anomaly` (add `-- --quick` for a short run, `--seed N`).
 *
 * A week of synthetic per-minute traffic for ~50 APIs (bench/anomaly/traffic.ts), then days
 * with injected error bursts and call-rate spikes and benign ramps, replayed as 5-minute
 * deliveries through `anomalyAnalyser` against a real dynalite server, so the DynamoDB
 * requests and capacity units are real. Prints recall, false alarms per 10,000 normal
 * API-minutes, detection delay, DynamoDB requests per delivery and the estimated cost per
 * million events next to CloudTrail Insights'.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { anomalyAnalyser, type AnomalyRunResult } from '../../lib/anomaly/analyser';
import { resolveAnomalyOptions } from '../../lib/anomaly/options';
import type { BaselineStore } from '../../lib/anomaly/store';
import { DynamoDbBaselineStore } from '../../lib/aws/dynamodb-baseline-store';
import { classifyKey } from '../../lib/cloudtrail/classify';
import type { TrailRecord } from '../../lib/cloudtrail/types';
import type { Finding } from '../../lib/findings';
import { countRequests, createBaselineTable, startDynamoDb } from '../../testkit/dynamodb';
import { quantile } from '../stats';
import { PRICES, costPerMillion } from './cost';
import { ACCOUNT, type InjectedAnomaly, type Scenario, TrafficGenerator, scenario } from './traffic';

const REGION = 'us-east-1';
const DELIVERY_MINUTES = 5;
/** Deliveries start 2 minutes past a 5-minute mark, so one file an hour spans the hour boundary. */
const PHASE_MINUTES = 2;
/** Modelled DynamoDB round trip from Lambda in-region (single-digit ms typical; 10 ms is conservative). */
const DYNAMODB_ROUND_TRIP_MS = 10;
/** serverless.yml's memorySize param default. */
const LAMBDA_MEMORY_GB = 1;

interface Args {
  readonly quick: boolean;
  readonly seed: number;
  /** List missed anomalies of the target class and every false alarm. */
  readonly verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const seedAt = argv.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 1;
  if (!Number.isInteger(seed)) throw new Error('--seed takes an integer');
  return { quick: argv.includes('--quick'), seed, verbose: argv.includes('--verbose') };
}

interface DeliveryLog {
  readonly index: number;
  readonly firstMinute: number;
  readonly minutes: number;
  readonly events: number;
  readonly status: AnomalyRunResult['status'];
  readonly findings: Finding[];
  readonly requests: number;
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const shape = args.quick
    ? { apis: 30, baselineDays: 4, testDays: 1, errorBursts: 70, callSpikes: 30, ramps: 2 }
    : { apis: 50, baselineDays: 7, testDays: 3, errorBursts: 260, callSpikes: 110, ramps: 4 };
  const s = scenario({ ...shape, seed: args.seed });
  const options = resolveAnomalyOptions();
  const started = performance.now();

  const db = await startDynamoDb();
  const client = new DynamoDBClient({ ...db.clientConfig, maxAttempts: 3 });
  const requests = countRequests(client);
  await createBaselineTable(client, 'trailwatch-anomaly-bench');
  requests.reset();
  const capacity = { read: 0, write: 0, maxWrite: 0 };
  const dynamo = new DynamoDbBaselineStore({
    tableName: 'trailwatch-anomaly-bench',
    client,
    onRequest: (op, units) => {
      if (op === 'BatchGetItem') capacity.read += units;
      else {
        capacity.write += units;
        capacity.maxWrite = Math.max(capacity.maxWrite, units);
      }
    },
  });
  // Wall time with a store call in flight (dynalite runs in this process) is not Lambda CPU:
  // measured as the union of the calls' intervals (they overlap) and subtracted.
  let storeMs = 0;
  let inFlight = 0;
  let busySince = 0;
  const timed = <T>(call: () => Promise<T>): Promise<T> => {
    if (inFlight++ === 0) busySince = performance.now();
    return call().finally(() => {
      if (--inFlight === 0) storeMs += performance.now() - busySince;
    });
  };
  const store: BaselineStore = {
    load: (scope, hours) => timed(() => dynamo.load(scope, hours)),
    record: (scope, request) => timed(() => dynamo.record(scope, request)),
    transition: (scope, change, expiresAt) => timed(() => dynamo.transition(scope, change, expiresAt)),
  };

  const generator = new TrafficGenerator(s, args.seed);
  const totalMinutes = s.baselineMinutes + s.testMinutes;
  const logs: DeliveryLog[] = [];
  let minute = 0;
  for (let index = 0; minute < totalMinutes; index++) {
    const length = index === 0 ? PHASE_MINUTES : Math.min(DELIVERY_MINUTES, totalMinutes - minute);
    const firstMinute = s.startMinute + minute;
    const records: TrailRecord[] = [];
    for (let m = 0; m < length; m++) for (const record of generator.next()) records.push({ text: '', record, bytes: 0, index: records.length });
    minute += length;
    const key = logKey(firstMinute + length, index);
    const analyser = anomalyAnalyser(store, { bucket: 'bench-trail', key }, classifyKey(key), options);
    const before = requests.total();
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += 1000) analyser.observe(records.slice(i, i + 1000));
    storeMs = 0;
    const findings = await analyser.finish();
    const cpuMs = performance.now() - t0 - storeMs;
    logs.push({
      index, firstMinute, minutes: length, events: records.length, status: analyser.result?.status ?? 'failed',
      findings, requests: requests.total() - before, cpuMs,
    });
    if (analyser.result?.status === 'failed') throw new Error(`delivery ${index} failed: ${analyser.result.reason}`);
  }
  const runtimeS = (performance.now() - started) / 1000;
  client.destroy();
  await db.stop();
  report(s, logs, { ...capacity, byCommand: requests.byCommand }, runtimeS, args);
}

function logKey(endMinute: number, index: number): string {
  const d = new Date(endMinute * 60_000);
  const iso = d.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_bench${index}.json.gz`;
}

interface Outcome {
  readonly anomaly: InjectedAnomaly;
  readonly firstDelivery: number;
  readonly lastDelivery: number;
  readonly detectedAt?: number;
  readonly endedAt?: number;
}

function report(
  s: Scenario,
  logs: readonly DeliveryLog[],
  capacity: { read: number; write: number; maxWrite: number; byCommand: ReadonlyMap<string, number> },
  runtimeS: number,
  args: Args,
): void {
  const deliveryOf = (minute: number): number => {
    const offset = minute - s.startMinute;
    return offset < PHASE_MINUTES ? 0 : 1 + Math.floor((offset - PHASE_MINUTES) / DELIVERY_MINUTES);
  };
  const apiIndex = new Map(s.apis.map((a, i) => [`${a.eventSource} ${a.eventName}`, i]));
  const starts = logs.flatMap((log) =>
    log.findings.filter((f) => f.details?.state === 'Start').map((f) => ({ delivery: log.index, f, api: apiIndex.get(`${f.eventSource} ${f.eventName}`) ?? -1 })),
  );
  const ends = logs.flatMap((log) => log.findings.filter((f) => f.details?.state === 'End').map((f) => ({ delivery: log.index, f })));
  const typeOf = (a: InjectedAnomaly): string => (a.kind === 'error-burst' ? 'ApiErrorRateInsight' : 'ApiCallRateInsight');

  const outcomes: Outcome[] = s.anomalies.map((anomaly) => {
    const firstDelivery = deliveryOf(anomaly.startMinute);
    const lastDelivery = deliveryOf(anomaly.endMinute - 1);
    const hit = starts.find((x) => x.api === anomaly.api && x.f.details?.insightType === typeOf(anomaly) && x.delivery >= firstDelivery && x.delivery <= lastDelivery);
    const end = hit === undefined ? undefined : ends.find((e) => e.f.details?.sharedEventID === hit.f.details?.sharedEventID);
    return { anomaly, firstDelivery, lastDelivery, ...(hit ? { detectedAt: hit.delivery } : {}), ...(end ? { endedAt: end.delivery } : {}) };
  });

  // An API is "in anomaly" from the first delivery containing it to the one after the last (a file may run late).
  const anomalous = (api: number, delivery: number): boolean =>
    outcomes.some((o) => o.anomaly.api === api && delivery >= o.firstDelivery && delivery <= o.lastDelivery + 1);
  const scored = logs.filter((l) => l.status === 'scored');
  let normalApiMinutes = 0;
  for (const log of scored) for (let api = 0; api < s.apis.length; api++) if (!anomalous(api, log.index)) normalApiMinutes += log.minutes;
  const scoredSet = new Set(scored.map((l) => l.index));
  const falseAlarms = starts.filter((x) => scoredSet.has(x.delivery) && !anomalous(x.api, x.delivery));
  const rampApis = new Set(s.ramps.map((r) => r.api));

  const pct = (a: number, b: number): string => (b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
  const recall = (label: string, filter: (o: Outcome) => boolean, target?: string): void => {
    const set = outcomes.filter(filter);
    const hit = set.filter((o) => o.detectedAt !== undefined).length;
    console.log(`  ${label.padEnd(44)} ${`${hit}/${set.length}`.padStart(8)} ${pct(hit, set.length)}${target ? `   (target ${target})` : ''}`);
  };
  const err = (o: Outcome): boolean => o.anomaly.kind === 'error-burst';
  const spike = (o: Outcome): boolean => o.anomaly.kind === 'call-spike';
  const dur = (o: Outcome): number => o.anomaly.endMinute - o.anomaly.startMinute;

  const events = logs.reduce((a, l) => a + l.events, 0);
  const reqs = logs.map((l) => l.requests);
  const delays = outcomes.filter((o) => o.detectedAt !== undefined).map((o) => (o.detectedAt as number) - o.firstDelivery).sort((a, b) => a - b);
  const targetDelays = outcomes.filter((o) => err(o) && o.anomaly.size >= 5 && dur(o) >= 5 && o.detectedAt !== undefined)
    .map((o) => (o.detectedAt as number) - o.firstDelivery).sort((a, b) => a - b);
  const endLags = outcomes.filter((o) => o.endedAt !== undefined).map((o) => (o.endedAt as number) - o.lastDelivery).sort((a, b) => a - b);
  const quantileOrNa = (sorted: readonly number[], q: number): number | string => (sorted.length === 0 ? 'n/a' : quantile(sorted, q));
  const cpuMs = logs.reduce((a, l) => a + l.cpuMs, 0);
  const roundTrips = logs.length * 2;
  const storedBytes = capacity.maxWrite * 1024 * 24 * (7 + 2);
  const days = (s.baselineMinutes + s.testMinutes) / 1440;
  const cost = costPerMillion({
    deliveries: logs.length, events, readUnits: capacity.read, writeUnits: capacity.write,
    lambdaMs: cpuMs + roundTrips * DYNAMODB_ROUND_TRIP_MS, lambdaMemoryGb: LAMBDA_MEMORY_GB, storedBytes, days,
  });
  const quietEvents = 100;
  const quietCost = (cost.perDelivery / quietEvents) * 1e6;
  const usd = (x: number): string => (x < 1e-4 ? `$${x.toExponential(2)}` : `$${x < 0.01 ? x.toFixed(5) : x.toFixed(3)}`);
  const nErr = outcomes.filter(err).length;
  const nSpike = outcomes.filter(spike).length;

  console.log(`trailwatch anomaly bench (${args.quick ? 'quick' : 'full'}, seed ${args.seed}): ${s.apis.length} APIs, ${s.baselineMinutes / 1440} days baseline + ${s.testMinutes / 1440} days with anomalies`);
  console.log(`  ${events.toLocaleString('en')} events in ${logs.length} deliveries (${Math.round(events / logs.length)} events/delivery); scored ${scored.length}, cold ${logs.filter((l) => l.status === 'cold').length}`);
  console.log(`  injected ${nErr} error bursts, ${nSpike} call-rate spikes (write calls); ${s.ramps.length} benign ramps (+${s.ramps.map((r) => Math.round(100 * r.perDay) + '%').join(', ')} of the initial rate per day)`);
  console.log(`  detector: defaults (alpha ${resolveAnomalyOptions().alpha}, 7-day window, same hour ±1 h); runtime ${runtimeS.toFixed(1)} s`);
  console.log('recall (Start finding of the right type in a delivery that contains the anomaly)');
  recall('error bursts ≥5× lasting ≥5 min', (o) => err(o) && o.anomaly.size >= 5 && dur(o) >= 5, '≥ 95%');
  recall('error bursts, all', err);
  recall('  2–3×', (o) => err(o) && o.anomaly.size < 3);
  recall('  3–5×', (o) => err(o) && o.anomaly.size >= 3 && o.anomaly.size < 5);
  recall('  5–20×, 1–3 min', (o) => err(o) && o.anomaly.size >= 5 && dur(o) < 5);
  if (args.verbose) {
    for (const o of outcomes.filter((x) => err(x) && x.anomaly.size >= 5 && dur(x) >= 5 && x.detectedAt === undefined)) {
      const api = s.apis[o.anomaly.api];
      const phase = (o.anomaly.startMinute - s.startMinute - PHASE_MINUTES) % DELIVERY_MINUTES;
      console.log(
        `    missed: ${api?.eventSource} ${api?.eventName} (${api?.rate.toFixed(2)} calls/min, ${(100 * (api?.errorProportion ?? 0)).toFixed(1)}% errors) ` +
          `${o.anomaly.size.toFixed(1)}× for ${dur(o)} min, starting at minute ${phase} of delivery ${o.firstDelivery}`,
      );
    }
  }
  recall('call-rate spikes ≥5× lasting ≥5 min', (o) => spike(o) && o.anomaly.size >= 5 && dur(o) >= 5);
  recall('call-rate spikes, all', spike);
  recall('all injected anomalies', () => true);
  const faRate = (falseAlarms.length / normalApiMinutes) * 10_000;
  console.log(
    `false alarms: ${falseAlarms.length} in ${normalApiMinutes.toLocaleString('en')} normal API-minutes = ${faRate.toFixed(3)} per 10,000 (target ≤ 1); ` +
      `${falseAlarms.filter((x) => rampApis.has(x.api)).length} of them on ramping APIs`,
  );
  for (const x of falseAlarms.slice(0, args.verbose ? falseAlarms.length : 3)) console.log(`    ${x.f.title} [delivery ${x.delivery}, p=${String(x.f.details?.detector && (x.f.details.detector as Record<string, unknown>).pValue)}]`);
  console.log(
    `detection delay in deliveries after the first containing the anomaly: median ${quantileOrNa(delays, 0.5)}, p90 ${quantileOrNa(delays, 0.9)}; ` +
      `for error bursts ≥5× ≥5 min: median ${quantileOrNa(targetDelays, 0.5)}, p90 ${quantileOrNa(targetDelays, 0.9)} (target 0)`,
  );
  console.log(`End findings for ${endLags.length}/${delays.length} detected anomalies, median ${quantileOrNa(endLags, 0.5)} deliveries after the anomaly's last delivery`);
  const mean = reqs.reduce((a, b) => a + b, 0) / reqs.length;
  const by = [...capacity.byCommand].map(([k, v]) => `${k.replace('Command', '')} ${(v / logs.length).toFixed(2)}`).join(', ');
  console.log(`DynamoDB requests per delivery: mean ${mean.toFixed(2)}, max ${Math.max(...reqs)} (${by}); RRU ${(capacity.read / logs.length).toFixed(2)}, WRU ${(capacity.write / logs.length).toFixed(2)} per delivery`);
  const cpuSorted = logs.map((l) => l.cpuMs).sort((a, b) => a - b);
  console.log(`analyser CPU per delivery (observe + finish, store time excluded): mean ${(cpuMs / logs.length).toFixed(1)} ms, p99 ${quantile(cpuSorted, 0.99).toFixed(1)} ms`);
  console.log(`cost per million events (prices ${PRICES.asOf}; Lambda ${LAMBDA_MEMORY_GB * 1024} MB arm64, analyser CPU + ${DYNAMODB_ROUND_TRIP_MS} ms × 2 DynamoDB round trips per delivery):`);
  console.log(
    `  DynamoDB reads ${usd(cost.dynamoDbReads)} + writes ${usd(cost.dynamoDbWrites)} + storage ${usd(cost.dynamoDbStorage)} + Lambda duration ${usd(cost.lambdaDuration)} = ${usd(cost.total)} per million events`,
  );
  console.log(
    `  CloudTrail Insights: ${usd(PRICES.insightsPerMillionEventsPerType)} per million per type (${usd(2 * PRICES.insightsPerMillionEventsPerType)} for both types trailwatch computes) → ` +
      `trailwatch = 1/${Math.round(PRICES.insightsPerMillionEventsPerType / cost.total)} of one type (target < 1/50)`,
  );
  console.log(
    `  per delivery ${usd(cost.perDelivery)}; a quiet account-region with ${quietEvents} events/delivery would pay at most ${usd(quietCost)} per million ` +
      `(this run's per-delivery cost; its smaller items cost less) = 1/${Math.round(PRICES.insightsPerMillionEventsPerType / quietCost)} of Insights` +
      ` (standalone deployment: + ${usd(cost.standaloneLambdaRequests)} per million for Lambda requests)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
