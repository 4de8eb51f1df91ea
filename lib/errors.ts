/**
 * Typed errors: callers branch on `instanceof`, never on message text. Every error that
 * concerns one S3 object names it, so a log line or a failure-queue entry can be found
 * again and replayed.
 */
export abstract class TrailwatchError extends Error {
  /** Stable, metric-friendly reason, e.g. `CorruptGzip`. */
  abstract readonly reason: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The trigger event is not any shape trailwatch understands. */
export class UnrecognisedTriggerError extends TrailwatchError {
  readonly reason = 'UnrecognisedTrigger';
}

/** Base for failures reading one log file. */
export abstract class LogFileError extends TrailwatchError {}

export class CorruptGzipError extends LogFileError {
  readonly reason = 'CorruptGzip';
}
export class TruncatedGzipError extends LogFileError {
  readonly reason = 'TruncatedGzip';
}
export class EmptyObjectError extends LogFileError {
  readonly reason = 'EmptyObject';
}
export class DecompressedSizeLimitError extends LogFileError {
  readonly reason = 'DecompressedSizeLimit';
}
/** Not JSON, or JSON that ends early. */
export class MalformedJsonError extends LogFileError {
  readonly reason = 'MalformedJson';
}
/** Valid JSON, but not `{"Records":[...]}`. */
export class MissingRecordsError extends LogFileError {
  readonly reason = 'MissingRecords';
}
/** An element of `Records` that is not a JSON object. */
export class InvalidRecordError extends LogFileError {
  readonly reason = 'InvalidRecord';
}
export class ObjectNotFoundError extends LogFileError {
  readonly reason = 'NoSuchKey';
}
export class ObjectAccessDeniedError extends LogFileError {
  readonly reason = 'AccessDenied';
}
/** S3 or KMS refused or failed in a way retries inside this invocation did not cure. */
export class ObjectReadError extends LogFileError {
  readonly reason = 'ObjectReadFailed';
}
/** CloudWatch Logs refused a whole batch, or kept failing after retries. */
export class ForwardError extends TrailwatchError {
  readonly reason = 'ForwardFailed';
}
/**
 * The destination log group does not exist (deleted after the stack created it). Still
 * `ForwardFailed` for metrics and the failure queue; its own class so callers can tell it
 * apart. trailwatch never creates the group itself: the deployed role may not, and a
 * group it created would have no retention.
 */
export class LogGroupMissingError extends ForwardError {
  constructor(
    readonly logGroup: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the stack's log group ${logGroup} is missing (deleted?): redeploy the stack to recreate it with its retention, ` +
        'then replay the failure queue; trailwatch does not create log groups',
      options,
    );
  }
}

/**
 * One or more objects of a trigger failed. Thrown so that Lambda's asynchronous retry and
 * on-failure destination (or SQS partial batch failure) take the event; the message names
 * every failed object and its reason.
 */
export class DeliveryFailedError extends TrailwatchError {
  readonly reason = 'DeliveryFailed';
  constructor(
    message: string,
    readonly failures: ReadonlyArray<{ bucket: string; key: string; versionId?: string; reason: string }>,
  ) {
    super(message);
  }
}
