import { classifyKey } from '../cloudtrail/classify';
import type { ListedObject } from '../replay/reprocess';
import { MalformedDigestError, VerifyRangeError } from './errors';
import type { CachedPublicKeys } from './keys';
import type { IntegrityReader } from './reader';
import type { DigestFile } from './schema';
import { checkLogFiles, verifyDigest, isBackfillKey, type DigestObject } from './verify-digest';
import { CHAIN_PROBLEMS, type DigestVerdict, type LogFileVerdict, type ObjectLocation } from './verdicts';

export interface VerifyRangeDeps {
  readonly reader: Pick<IntegrityReader, 'readDigest' | 'hashLogFile'>;
  readonly lister: { list(bucket: string, prefix: string): AsyncIterable<ListedObject> };
  readonly keys: CachedPublicKeys;
}

export interface VerifyRangeOptions {
  readonly bucket: string;
  /** Listed as is (`AWSLogs/`, `myprefix/AWSLogs/o-…/123456789012/`, or '' for the whole bucket). */
  readonly prefix: string;
  /** Digests whose end time (in their name) is within [start, end]. */
  readonly start: Date;
  readonly end: Date;
}

export interface VerifyRangeResult {
  readonly digests: readonly DigestVerdict[];
  readonly logFiles: readonly LogFileVerdict[];
  readonly counts: { readonly digests: { valid: number; total: number }; readonly logFiles: { valid: number; total: number } };
  /** True when every digest and every log file is valid. */
  readonly valid: boolean;
}

/**
 * `trailwatch verify` (like `aws cloudtrail validate-logs`): every digest delivered in the
 * range, its signature and chain, every log file the valid digests list, and log files in
 * the hours the digests cover that no digest lists. A digest whose own signature fails does
 * not vouch for its log files (they are not counted); one with only a broken chain link
 * still does (its signature is CloudTrail's).
 */
export async function verifyRange(deps: VerifyRangeDeps, options: VerifyRangeOptions): Promise<VerifyRangeResult> {
  if (Number.isNaN(options.start.getTime()) || Number.isNaN(options.end.getTime()) || options.start > options.end) {
    throw new VerifyRangeError('the range needs a valid start time before its end time');
  }
  const digestKeys: string[] = [];
  const logs: { key: string; at: Date }[] = [];
  for await (const object of deps.lister.list(options.bucket, options.prefix)) {
    const kind = classifyKey(object.key);
    if (kind.deliveredAt === undefined) continue;
    if (kind.kind === 'digest' && kind.deliveredAt >= options.start && kind.deliveredAt <= options.end) digestKeys.push(object.key);
    if (kind.kind === 'log') logs.push({ key: object.key, at: kind.deliveredAt });
  }
  digestKeys.sort();

  // each digest read once, whether checked or named as another's previous
  const read = new Map<string, Promise<DigestObject | undefined>>();
  const readDigest = (l: ObjectLocation) => {
    const id = `${l.bucket}/${l.key}`;
    let p = read.get(id);
    if (p === undefined) read.set(id, (p = deps.reader.readDigest(l)));
    return p;
  };

  const digests: DigestVerdict[] = [];
  const logFiles: LogFileVerdict[] = [];
  const listed = new Set<string>();
  let coveredFrom: number | undefined;
  let coveredTo: number | undefined;
  for (const key of digestKeys) {
    const location = { bucket: options.bucket, key };
    const object = await readDigest(location);
    if (object === undefined) continue; // deleted between the listing and now: the next digest's chain says so
    let check: { verdict: DigestVerdict; body: DigestFile };
    try {
      check = await verifyDigest(object, { keys: deps.keys, readDigest });
    } catch (err) {
      if (!(err instanceof MalformedDigestError)) throw err;
      digests.push({ digest: location, valid: false, problems: [{ code: 'malformed', message: err.message }], backfill: isBackfillKey(key), logFileCount: 0 });
      continue;
    }
    digests.push(check.verdict);
    for (const f of check.body.logFiles) listed.add(`${f.s3Bucket}/${f.s3Object}`);
    const start = Date.parse(check.body.digestStartTime);
    const end = Date.parse(check.body.digestEndTime);
    coveredFrom = Math.min(coveredFrom ?? start, start);
    coveredTo = Math.max(coveredTo ?? end, end);
    if (check.verdict.problems.some((p) => !CHAIN_PROBLEMS.has(p.code))) continue;
    for (const v of await checkLogFiles(location, check.body, (l) => deps.reader.hashLogFile(l))) logFiles.push(v);
  }
  if (coveredFrom !== undefined && coveredTo !== undefined) {
    for (const log of logs) {
      const t = log.at.getTime();
      // file names have minute precision: a file named in the digest's first minute is in its hour
      if (t < coveredFrom - 60_000 || t > coveredTo || listed.has(`${options.bucket}/${log.key}`)) continue;
      logFiles.push({ logFile: { bucket: options.bucket, key: log.key }, status: 'unlisted' });
    }
  }
  const validDigests = digests.filter((d) => d.valid).length;
  const validLogs = logFiles.filter((l) => l.status === 'valid').length;
  return {
    digests,
    logFiles,
    counts: { digests: { valid: validDigests, total: digests.length }, logFiles: { valid: validLogs, total: logFiles.length } },
    valid: validDigests === digests.length && validLogs === logFiles.length,
  };
}

/** `N/N digest files valid, N/N log files valid`, then one line per invalid file. */
export function formatVerifySummary(result: VerifyRangeResult): string {
  const { digests, logFiles } = result.counts;
  const lines = [`${digests.valid}/${digests.total} digest files valid, ${logFiles.valid}/${logFiles.total} log files valid`];
  for (const d of result.digests) {
    if (d.valid) continue;
    lines.push(`INVALID digest s3://${d.digest.bucket}/${d.digest.key}: ${d.problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`);
  }
  for (const l of result.logFiles) {
    if (l.status === 'valid') continue;
    lines.push(`INVALID log file s3://${l.logFile.bucket}/${l.logFile.key}: ${l.status}${l.status === 'modified' ? ` (expected ${l.expectedHash}, got ${l.actualHash})` : ''}`);
  }
  return lines.join('\n');
}
