import { TrailwatchError } from '../errors';

/** What the person asked to scan cannot be scanned (missing path, not a trail file, bad S3 URL). */
export class ScanInputError extends TrailwatchError {
  readonly reason = 'ScanInput';
}
