/**
 * CloudTrail digest files (log file integrity validation): the hourly list of delivered
 * log files with the SHA-256 of each *uncompressed* file, chained to the previous digest.
 * The RSA signature of a digest lives in the object's `x-amz-meta-signature` metadata,
 * not in the file, so a sample file alone cannot carry it.
 */
import type { Rng } from './rng';

export interface DigestedLogFile {
  readonly bucket: string;
  readonly key: string;
  /** Hex SHA-256 of the uncompressed log file. */
  readonly sha256: string;
  readonly oldestEventTime: string | null;
  readonly newestEventTime: string | null;
}

export interface DigestOptions {
  readonly accountId: string;
  readonly bucket: string;
  readonly key: string;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly logFiles: readonly DigestedLogFile[];
  /**
   * The digest an hour earlier, which this one chains to; null: the first digest of a chain
   * (log file validation just turned on), whose previous-digest fields are all null.
   */
  readonly previousKey: string | null;
}

const iso = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

function extreme(times: (string | null)[], pick: 'min' | 'max'): string | null {
  const present = times.filter((t): t is string => t !== null).sort();
  return (pick === 'min' ? present[0] : present[present.length - 1]) ?? null;
}

export function digestDocument(rng: Rng, opts: DigestOptions): Record<string, unknown> {
  return {
    awsAccountId: opts.accountId,
    digestStartTime: iso(opts.startTime),
    digestEndTime: iso(opts.endTime),
    digestS3Bucket: opts.bucket,
    digestS3Object: opts.key,
    digestPublicKeyFingerprint: rng.hex(32),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: extreme(opts.logFiles.map((f) => f.newestEventTime), 'max'),
    oldestEventTime: extreme(opts.logFiles.map((f) => f.oldestEventTime), 'min'),
    ...previousFields(rng, opts),
    logFiles: opts.logFiles.map((f) => ({
      s3Bucket: f.bucket,
      s3Object: f.key,
      hashValue: f.sha256,
      hashAlgorithm: 'SHA-256',
      newestEventTime: f.newestEventTime,
      oldestEventTime: f.oldestEventTime,
    })),
  };
}

/** The previous-digest fields; random draws happen either way, so the samples after this one keep their bytes. */
function previousFields(rng: Rng, opts: DigestOptions): Record<string, string | null> {
  const hash = rng.hex(64);
  // SHA256withRSA over a 2048-bit key: 256 bytes, written as 512 hex characters.
  const signature = rng.hex(512);
  if (opts.previousKey === null) {
    return { previousDigestS3Bucket: null, previousDigestS3Object: null, previousDigestHashValue: null, previousDigestHashAlgorithm: null, previousDigestSignature: null };
  }
  return { previousDigestS3Bucket: opts.bucket, previousDigestS3Object: opts.previousKey, previousDigestHashValue: hash, previousDigestHashAlgorithm: 'SHA-256', previousDigestSignature: signature };
}
