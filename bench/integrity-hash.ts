/**
 * Cost of log file integrity hashing in the forwarding pass (part of `npm run bench`): the
 * full pipeline (no analysers) on the same file with and without a LogHashStore, in
 * alternating repetitions, medians; printed as the share of pipeline time hashing adds.
 * Target (issue 11): ≤ 10 %.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DiscardingSink } from '../lib/forward/sink';
import { MemoryLogHashStore } from '../lib/integrity/hash-store';
import { FileObjectSource } from '../lib/local/file-source';
import { processObject } from '../lib/pipeline';
import { median } from './stats';

const ROOT = path.resolve(__dirname, 'out', 'corpus');

async function once(key: string, hashing: boolean): Promise<number> {
  const started = process.hrtime.bigint();
  const report = await processObject(
    { bucket: 'bench', key },
    { source: new FileObjectSource(ROOT), sink: new DiscardingSink(), logGroup: 'bench', ...(hashing ? { logHashes: new MemoryLogHashStore() } : {}) },
  );
  if (report.status !== 'processed' || (hashing && !report.integrity?.hashStored)) throw new Error(`pipeline failed: ${report.reason}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** One line per file: pipeline ms without and with hashing, and the share hashing adds. */
export async function hashingCost(files: ReadonlyArray<{ key: string; label: string }>, reps: number): Promise<void> {
  console.log('\nlog file integrity: SHA-256 of the uncompressed bytes in the forwarding pass (no analysers), medians');
  for (const f of files) {
    const plain: number[] = [];
    const hashed: number[] = [];
    await once(f.key, true); // warm-up
    for (let r = 0; r < Math.max(reps, 5); r++) {
      plain.push(await once(f.key, false));
      hashed.push(await once(f.key, true));
    }
    // the hashing alone, on the same bytes in the pipeline's 64 KiB chunks: the part of the
    // difference above that is not noise (this machine is shared: the paired runs are noisy)
    const inflated = gunzipSync(readFileSync(path.join(ROOT, f.key)));
    const alone: number[] = [];
    for (let r = 0; r < Math.max(reps, 5); r++) {
      const t = process.hrtime.bigint();
      const hash = createHash('sha256');
      for (let o = 0; o < inflated.length; o += 65536) hash.update(inflated.subarray(o, o + 65536));
      hash.digest('hex');
      alone.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const p = median(plain);
    const h = median(hashed);
    const a = median(alone);
    console.log(
      `   ${f.label.padEnd(12)} pipeline without ${p.toFixed(0).padStart(6)} ms, with ${h.toFixed(0).padStart(6)} ms (${(h / p).toFixed(3)}×);` +
        ` SHA-256 alone ${a.toFixed(1).padStart(7)} ms = ${((a / p) * 100).toFixed(1)} % of pipeline time`,
    );
  }
}
