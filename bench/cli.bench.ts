/// <reference lib="dom" />
/**
 * CLI figures (issue 14): `npx tsx bench/cli.bench.ts [--size 500MB] [--reps 3] [--events 100000]`.
 *
 * 1. `trailwatch scan` (all analysers, through lib/scan) vs the pipeline as the Lambda runs it
 *    (processObject + built-in rules + anomaly counting, as bench/pipeline.bench.ts) on the
 *    same corpus file, medians of --reps, as a ratio measured in the same run.
 * 2. A report of --events events: its size, and in headless Chromium (/usr/bin/chromium) the
 *    time from navigation to the page being ready, and of one filter (typed into "event name").
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { main } from '../bin/trailwatch';
import { DiscardingSink } from '../lib/forward/sink';
import { FileObjectSource } from '../lib/local/file-source';
import { processObject } from '../lib/pipeline';
import { localScanItems } from '../lib/scan/inputs';
import { scanItems } from '../lib/scan/run';
import { cloudTrailKey, writeLogFile } from './corpus/files';
import { parseSize } from './corpus/generate';
import { benchRulePack, lambdaAnalysers } from './lambda';
import { median } from './stats';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function corpus(root: string, bytes: number, records?: number): Promise<{ key: string; records: number }> {
  const deliveredAt = new Date(Date.UTC(2026, 10, 24, 9, 5));
  const key = cloudTrailKey({ accountId: '111122223333', region: 'us-east-1', deliveredAt, unique: `cli${String(bytes).padStart(13, '0')}` });
  mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
  const out = await writeLogFile(path.join(root, key), { seed: 42, accountId: '111122223333', region: 'us-east-1', start: new Date(deliveredAt.getTime() - 5 * 60_000), targetUncompressedBytes: bytes, ...(records ? {} : {}) });
  return { key, records: out.records };
}

async function scanVsPipeline(root: string, size: string, reps: number): Promise<void> {
  const { key, records } = await corpus(root, parseSize(size));
  const pack = await benchRulePack();
  const pipeline: number[] = [];
  const scan: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    const report = await processObject({ bucket: 'bench', key }, { source: new FileObjectSource(root), sink: new DiscardingSink(), logGroup: 'bench', analysersFor: lambdaAnalysers(pack) });
    if (report.status !== 'processed') throw new Error(report.reason);
    pipeline.push(performance.now() - t);
    t = performance.now();
    for await (const s of scanItems(await localScanItems([path.join(root, key)]), pack)) if (s.report.status !== 'processed') throw new Error(s.report.reason);
    scan.push(performance.now() - t);
  }
  const p = median(pipeline);
  const s = median(scan);
  console.log(`scan vs pipeline (${size}, ${records} records, median of ${reps}): pipeline ${(p / 1000).toFixed(2)} s, scan ${(s / 1000).toFixed(2)} s, ratio ${(s / p).toFixed(2)}× (target ≤ 1.2×)`);
}

async function report(root: string, events: number): Promise<void> {
  // ~1,150 bytes per corpus record: aim a little over, the cap keeps exactly `events`
  const { key } = await corpus(root, Math.ceil(events * 1.5 * 1024));
  const html = path.join(root, 'report.html');
  await main(['scan', path.join(root, key), '--html', html, '--max-events', String(events), '--fail-on', 'none'], () => undefined, () => undefined, {}, { progress: { isTTY: false, write: () => true } });
  const size = statSync(html).size;
  console.log(`report of ${events} events: ${(size / 1024 ** 2).toFixed(1)} MB (${((size / events) * 100_000 / 1024 ** 2).toFixed(1)} MB per 100,000 events)`);
  if (!existsSync('/usr/bin/chromium')) {
    console.log('chromium absent: open/filter times not measured');
    return;
  }
  const context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const t0 = Date.now();
  await page.goto(`file://${html}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const open = Date.now() - t0;
  const before = await page.textContent('#count');
  const t1 = Date.now();
  await page.fill('#f-name', 'DescribeInstances');
  await page.waitForFunction((b) => document.getElementById('count')?.textContent !== b, before, { timeout: 60_000 });
  const filter = Date.now() - t1;
  console.log(`report of ${events} events in headless Chromium: open ${(open / 1000).toFixed(2)} s, filter ${(filter / 1000).toFixed(2)} s (incl. the 80 ms typing debounce) — ${await page.textContent('#count')}`);
  await context.close();
}

async function run(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-cli-bench-'));
  try {
    await scanVsPipeline(root, arg('size', '50MB'), Number(arg('reps', '3')));
    await report(root, Number(arg('events', '100000')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
