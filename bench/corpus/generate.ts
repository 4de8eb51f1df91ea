/**
 * Writes a benchmark corpus of CloudTrail log files:
 *
 *   npx tsx bench/corpus/generate.ts --out bench/out/corpus --sizes 1MB,10MB,100MB,500MB [--seed N]
 *     [--account 111122223333] [--region us-east-1] [--security-share 0.01] [--gzip-level 6]
 *
 * Sizes are uncompressed, in binary units (1MB = 1,048,576 bytes), as the pipeline
 * benchmark counts them. Files land under the CloudTrail key layout below --out, one
 * delivery every 5 minutes from 2026-11-24T09:05Z, and a table of what was written is printed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DELIVERY_WINDOW_MS, writeLogFile } from './files';
import { cloudTrailKey, uniqueSuffix } from './keys';
import { createRng } from './rng';

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(text.trim());
  if (!m) throw new RangeError(`not a size: ${text} (try 500KB, 10MB, 1GB)`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? 'MB').toUpperCase()] ?? 1));
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

export interface CorpusOptions {
  readonly out: string;
  readonly sizes: readonly number[];
  readonly seed: number;
  readonly accountId: string;
  readonly region: string;
  readonly securityEventShare?: number;
  readonly gzipLevel?: number;
}

export interface CorpusFile {
  readonly key: string;
  readonly records: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  readonly seconds: number;
}

export async function generateCorpus(opts: CorpusOptions): Promise<CorpusFile[]> {
  const rng = createRng(opts.seed);
  const firstDelivery = Date.UTC(2026, 10, 24, 9, 5);
  const files: CorpusFile[] = [];
  for (const [i, size] of opts.sizes.entries()) {
    const deliveredAt = new Date(firstDelivery + i * DELIVERY_WINDOW_MS);
    const key = cloudTrailKey({ accountId: opts.accountId, region: opts.region, deliveredAt, unique: uniqueSuffix(rng) });
    const file = path.join(opts.out, key);
    mkdirSync(path.dirname(file), { recursive: true });
    const began = performance.now();
    const written = await writeLogFile(file, {
      seed: opts.seed + i + 1,
      accountId: opts.accountId,
      region: opts.region,
      start: new Date(deliveredAt.getTime() - DELIVERY_WINDOW_MS),
      targetUncompressedBytes: size,
      securityEventShare: opts.securityEventShare,
      gzipLevel: opts.gzipLevel,
    });
    files.push({ key, records: written.records, uncompressedBytes: written.uncompressedBytes, compressedBytes: written.compressedBytes, seconds: (performance.now() - began) / 1000 });
  }
  return files;
}

export function corpusTable(files: readonly CorpusFile[]): string {
  const rows = [['file', 'records', 'uncompressed', 'compressed', 'ratio', 'seconds']];
  for (const f of files) {
    rows.push([path.basename(f.key), String(f.records), formatBytes(f.uncompressedBytes), formatBytes(f.compressedBytes), `${(f.uncompressedBytes / f.compressedBytes).toFixed(1)}x`, f.seconds.toFixed(1)]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'bench/out/corpus' },
      sizes: { type: 'string', default: '1MB,10MB,100MB' },
      seed: { type: 'string', default: '42' },
      account: { type: 'string', default: '111122223333' },
      region: { type: 'string', default: 'us-east-1' },
      'security-share': { type: 'string' },
      'gzip-level': { type: 'string' },
    },
  });
  const files = await generateCorpus({
    out: path.resolve(values.out),
    sizes: values.sizes.split(',').map(parseSize),
    seed: Number(values.seed),
    accountId: values.account,
    region: values.region,
    securityEventShare: values['security-share'] === undefined ? undefined : Number(values['security-share']),
    gzipLevel: values['gzip-level'] === undefined ? undefined : Number(values['gzip-level']),
  });
  console.log(`corpus in ${path.resolve(values.out)}\n`);
  console.log(corpusTable(files));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
