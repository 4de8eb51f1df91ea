import type { ObjectRef } from './types';

/** An opened S3 object: its bytes as a stream, plus what S3 said about it. */
export interface OpenedObject {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentLength?: number;
  readonly versionId?: string;
  readonly eTag?: string;
  /**
   * User metadata (S3 `x-amz-meta-*`, names lower-case without the prefix), when the store
   * has it: a CloudTrail digest's signature is there.
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Port: where log files come from (S3 in Lambda, the file system in the CLI). Errors are
 * the typed ones in lib/errors.ts: ObjectNotFoundError, ObjectAccessDeniedError,
 * ObjectReadError.
 */
export interface ObjectSource {
  open(ref: ObjectRef): Promise<OpenedObject>;
  /**
   * What the object is now (version id in a versioned bucket, else its ETag), asked of the
   * store itself: the identity that makes every trigger for one object the same delivery,
   * whichever carried it (CloudTrail's own SNS notification names neither). Optional: a
   * source without it (local files) is identified by what the trigger said.
   */
  identify?(ref: ObjectRef): Promise<ObjectVersion>;
}

/** An object's current version as the store reports it; ETag without its quotes. */
export interface ObjectVersion {
  readonly versionId?: string;
  readonly eTag?: string;
}
