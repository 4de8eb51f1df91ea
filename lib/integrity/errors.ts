import { TrailwatchError } from '../errors';

/**
 * Operational failures of the integrity check: they say the check could not be made, never
 * that a file was tampered with (that is a verdict, see verdicts.ts). A delivery that fails
 * with one of these is retried through the failure path.
 */
export abstract class IntegrityError extends TrailwatchError {}

/** The digest object is not the JSON a CloudTrail digest file is (or not gzip). */
export class MalformedDigestError extends IntegrityError {
  readonly reason = 'MalformedDigest';
}

/** CloudTrail ListPublicKeys failed (throttled past retries, down, access denied). */
export class PublicKeysUnavailableError extends IntegrityError {
  readonly reason = 'PublicKeysUnavailable';
}

/** The log-file hash store failed past the SDK's retries. */
export class HashStoreError extends IntegrityError {
  readonly reason = 'HashStoreFailed';
}

/** `trailwatch verify` arguments that cannot describe a range. */
export class VerifyRangeError extends IntegrityError {
  readonly reason = 'InvalidVerifyRange';
}
