/**
 * What the integrity check concluded, file by file. A verdict is a result, not an error:
 * tampering is what the check exists to find, and a delivery that finds it is processed
 * (its findings alert); IntegrityError is for a check that could not be made.
 */

/** Why a digest file is not valid. */
export type DigestProblemCode =
  /** The object is not a CloudTrail digest file (not gzip, not JSON, fields missing). */
  | 'malformed'
  /** The body's digestS3Bucket/digestS3Object is not where the object lies (copied or moved). */
  | 'moved'
  /** No x-amz-meta-signature on the object. */
  | 'signature-missing'
  /** digestSignatureAlgorithm (or x-amz-meta-signature-algorithm) is not SHA256withRSA. */
  | 'unsupported-algorithm'
  /** No CloudTrail public key with the digest's fingerprint valid at its end time (signed by another key). */
  | 'unknown-key'
  /** The signature does not verify: the digest (or its signature) changed after delivery. */
  | 'signature-invalid'
  /** The previous digest the body names is not there. */
  | 'previous-missing'
  /** The previous digest is there, but its signature or hash is not the one this digest recorded. */
  | 'previous-mismatch';

/** Problems with the digest itself (CRITICAL) vs with its link to the previous one (HIGH: chain broken). */
export const CHAIN_PROBLEMS: ReadonlySet<DigestProblemCode> = new Set(['previous-missing', 'previous-mismatch']);

export interface DigestProblem {
  readonly code: DigestProblemCode;
  readonly message: string;
}

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface DigestVerdict {
  readonly digest: ObjectLocation;
  readonly valid: boolean;
  readonly problems: readonly DigestProblem[];
  /** From the body (when it parsed). */
  readonly startTime?: string;
  readonly endTime?: string;
  readonly backfill: boolean;
  readonly logFileCount: number;
}

export type LogFileStatus =
  /** Hash equals the digest's. */
  | 'valid'
  /** Hash differs: changed after delivery. */
  | 'modified'
  /** Listed by a digest, not in the bucket. */
  | 'missing'
  /** In the bucket, listed by no digest of the range (possibly injected). */
  | 'unlisted';

export interface LogFileVerdict {
  readonly logFile: ObjectLocation;
  readonly status: LogFileStatus;
  /** The digest that lists it (absent for `unlisted`). */
  readonly digest?: ObjectLocation;
  readonly expectedHash?: string;
  readonly actualHash?: string;
}
