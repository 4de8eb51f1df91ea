/**
 * Writes CloudTrail log files (`{"Records":[...]}`, gzip) to disk record by record, in
 * constant memory: a 500 MB file never exists as one string. Writes go through
 * `zlib.createGzip` and wait for `drain` when it pushes back.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { type Gzip, constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import type { RecordContext } from './principals';
import { mixedRecordAt } from './records';
import { Rng } from './rng';

export { cloudTrailKey, configWritabilityCheckKey, digestKey, insightKey, uniqueSuffix, type DigestKeyParts, type LogKeyParts } from './keys';

/** CloudTrail delivers about one file per account and region every 5 minutes. */
export const DELIVERY_WINDOW_MS = 5 * 60_000;

/** Buffer this much JSON before handing it to gzip: fewer, larger writes are far faster. */
const CHUNK_CHARS = 256 * 1024;

export interface WrittenFile {
  readonly records: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  /** Hex SHA-256 of the uncompressed content: what a digest file's `hashValue` holds. */
  readonly sha256: string;
  /** ISO times of the oldest and newest record, as digest files list them; null when empty. */
  readonly oldestEventTime: string | null;
  readonly newestEventTime: string | null;
}

/** Streams `{"Records":[...]}` through gzip to a file, tracking sizes and the hash. */
export class RecordsFileWriter {
  private readonly gzip: Gzip;
  private readonly done: Promise<void>;
  private readonly file: ReturnType<typeof createWriteStream>;
  private readonly hash: Hash = createHash('sha256');
  private pending = '{"Records":[';
  private pendingBytes = 12;
  private flushedBytes = 0;
  private count = 0;
  private oldest = Infinity;
  private newest = -Infinity;

  constructor(path: string, opts: { gzipLevel?: number } = {}) {
    this.gzip = createGzip({ level: opts.gzipLevel ?? zlibConstants.Z_DEFAULT_COMPRESSION });
    this.file = createWriteStream(path);
    this.done = pipeline(this.gzip, this.file);
    // Surface a write error at the next await instead of as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Uncompressed bytes so far, including what is still buffered. */
  get bytes(): number {
    return this.flushedBytes + this.pendingBytes;
  }

  get records(): number {
    return this.count;
  }

  /** Appends one record given as JSON text; `timeMs` feeds the oldest/newest event times. */
  async add(json: string, timeMs?: number): Promise<void> {
    const text = this.count === 0 ? json : `,${json}`;
    this.pending += text;
    this.pendingBytes += Buffer.byteLength(text);
    this.count++;
    if (timeMs !== undefined) {
      if (timeMs < this.oldest) this.oldest = timeMs;
      if (timeMs > this.newest) this.newest = timeMs;
    }
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  async addRecord(record: CloudTrailRecord): Promise<void> {
    const t = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : NaN;
    await this.add(JSON.stringify(record), Number.isNaN(t) ? undefined : t);
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    this.pendingBytes = 0;
    this.flushedBytes += buf.length;
    this.hash.update(buf);
    if (!this.gzip.write(buf)) await Promise.race([once(this.gzip, 'drain'), this.done]);
  }

  async close(): Promise<WrittenFile> {
    this.pending += ']}';
    this.pendingBytes += 2;
    await this.flush();
    this.gzip.end();
    await this.done;
    const iso = (ms: number) => (Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19)}Z` : null);
    return {
      records: this.count,
      uncompressedBytes: this.flushedBytes,
      compressedBytes: this.file.bytesWritten,
      sha256: this.hash.digest('hex'),
      oldestEventTime: iso(this.oldest),
      newestEventTime: iso(this.newest),
    };
  }
}

/** Writes given records as a CloudTrail log file (samples, Insights files). */
export async function writeRecordsFile(path: string, records: Iterable<CloudTrailRecord>, opts: { gzipLevel?: number } = {}): Promise<WrittenFile> {
  const writer = new RecordsFileWriter(path, opts);
  for (const record of records) await writer.addRecord(record);
  return writer.close();
}

interface LogFileCommon {
  readonly seed: number;
  readonly accountId: string;
  readonly region: string;
  /** The beginning of the delivery window; event times fall within `windowMs` after it. */
  readonly start: Date;
  /** Default 5 minutes, CloudTrail's delivery cadence. */
  readonly windowMs?: number;
  /** Share of records drawn from the security factories. Default 0.01. */
  readonly securityEventShare?: number;
  /** Share of everyday calls that fail. Default 0.03. */
  readonly errorShare?: number;
  /** zlib level; default zlib's (6). */
  readonly gzipLevel?: number;
  /**
   * Moves record `index` away from the time the delivery window gives it (`deliveryTimeMs`),
   * for files whose records are out of order across days (late events, replays). Default:
   * the delivery window's time.
   */
  readonly eventTime?: (index: number, deliveryTimeMs: number) => number;
}

export type LogFileOptions = LogFileCommon &
  ({ readonly targetUncompressedBytes: number; readonly recordCount?: undefined } | { readonly recordCount: number; readonly targetUncompressedBytes?: undefined });

/**
 * Generates a realistic CloudTrail log file: `recordCount` records, or records until the
 * uncompressed size reaches `targetUncompressedBytes` (it ends at most one record past it).
 * Event times advance through the window with a little jitter, so the file is roughly —
 * not strictly — chronological, as CloudTrail's are.
 */
export async function writeLogFile(path: string, opts: LogFileOptions): Promise<WrittenFile> {
  const byCount = opts.recordCount !== undefined;
  const goal = byCount ? opts.recordCount : opts.targetUncompressedBytes;
  if (goal === undefined || !Number.isFinite(goal) || goal < 0) throw new RangeError('writeLogFile needs a non-negative recordCount or targetUncompressedBytes');
  const window = opts.windowMs ?? DELIVERY_WINDOW_MS;
  const startMs = opts.start.getTime();
  const rng = new Rng(opts.seed);
  const writer = new RecordsFileWriter(path, { gzipLevel: opts.gzipLevel });
  const mix = { securityEventShare: opts.securityEventShare, errorShare: opts.errorShare };
  // `]}` closes the file: stop once the next record would only add to a full file.
  const closing = 2;
  for (;;) {
    const progress = goal === 0 ? 1 : byCount ? writer.records / goal : (writer.bytes + closing) / goal;
    if (progress >= 1) break;
    // Most records follow steady progress; one in six is up to 20 s early or 5 s late
    // (delivery batches calls from many endpoints), kept inside the window.
    const jitter = rng.chance(1 / 6) ? rng.int(-20, 5) * 1000 : 0;
    const windowTimeMs = Math.min(startMs + window - 1000, Math.max(startMs, startMs + Math.floor(progress * window) + jitter));
    const timeMs = opts.eventTime ? opts.eventTime(writer.records, windowTimeMs) : windowTimeMs;
    const ctx: RecordContext = { accountId: opts.accountId, region: opts.region, timeMs: timeMs - (timeMs % 1000) };
    await writer.add(JSON.stringify(mixedRecordAt(rng, ctx, mix)), ctx.timeMs);
  }
  return writer.close();
}

/** Small gzip JSON documents (digest files) are built in memory: they are a few KB. */
export function gzipJson(doc: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'));
}
