import { TrailwatchError } from '../errors';

/** An option or environment variable of the anomaly detector is out of range. */
export class AnomalyOptionsError extends TrailwatchError {
  readonly reason = 'InvalidAnomalyOptions';
}

/**
 * The baseline store failed in a way the SDK's retries did not cure (throttling past
 * retries, an item over 400 KB, a missing table). The analyser reports it and returns no
 * anomaly findings; the delivery itself is not failed for it, so records are not forwarded twice.
 */
export class BaselineStoreError extends TrailwatchError {
  readonly reason = 'BaselineStoreFailed';
}
