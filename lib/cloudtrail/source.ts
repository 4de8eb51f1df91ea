import type { ObjectRef } from './types';

/** An opened S3 object: its bytes as a stream, plus what S3 said about it. */
export interface OpenedObject {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentLength?: number;
  readonly versionId?: string;
  readonly eTag?: string;
}

/**
 * Port: where log files come from (S3 in Lambda, the file system in the CLI). Errors are
 * the typed ones in lib/errors.ts: ObjectNotFoundError, ObjectAccessDeniedError,
 * ObjectReadError.
 */
export interface ObjectSource {
  open(ref: ObjectRef): Promise<OpenedObject>;
}
