import { TrailwatchError } from '../errors';

/** Publishing a notification failed; `code` is the service's error name when there was one. */
export abstract class NotifyError extends TrailwatchError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * SNS refused the message or the topic (InvalidParameter, NotFound, AuthorizationError, KMS
 * access, …): sending it again will fail again. A refused message is a bug in the builder.
 */
export class NotifyRejectedError extends NotifyError {
  readonly reason = 'NotifyRejected';
}

/**
 * SNS could not be reached or kept failing (throttling, 5xx, network) after the SDK's own
 * retries: worth retrying the delivery later.
 */
export class NotifyUnavailableError extends NotifyError {
  readonly reason = 'NotifyUnavailable';
}

/**
 * An output that sends findings one by one (Security Hub, EventBridge) delivered some of
 * them and not the others, after its own retries. `undelivered` names the findings (their
 * `dedupKey`s) that did not get through: only their ledger claims are given back, so the
 * Lambda retry sends those and never repeats the ones that arrived.
 */
export class NotifyPartialError extends NotifyError {
  readonly reason = 'NotifyPartial';
  constructor(
    message: string,
    code: string,
    readonly undelivered: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}
