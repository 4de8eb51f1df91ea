import { TrailwatchError } from '../errors';

/** What the person asked to scan cannot be scanned (missing path, not a trail file, bad S3 URL). */
export class ScanInputError extends TrailwatchError {
  readonly reason = 'ScanInput';
}

/** An S3 listing failed (no such bucket, access denied, unreachable): the scan cannot start. */
export class S3ListError extends TrailwatchError {
  constructor(
    message: string,
    /** S3's error code (NoSuchBucket, AccessDenied, …) or the SDK's error name. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  readonly reason = 'S3List';
}
