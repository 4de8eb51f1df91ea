import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { ObjectSource, OpenedObject } from '../cloudtrail/source';
import type { ObjectRef } from '../cloudtrail/types';
import { ObjectAccessDeniedError, ObjectNotFoundError, ObjectReadError } from '../errors';

/** Reads log files from S3 as streams (GetObject), with S3's errors turned into typed ones. */
export class S3ObjectSource implements ObjectSource {
  constructor(private readonly client: S3Client) {}

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const where = `s3://${ref.bucket}/${ref.key}${ref.versionId ? `?versionId=${ref.versionId}` : ''}`;
    try {
      const out = await this.client.send(
        // a versioned bucket: read the version the event named, not whatever overwrote it since
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }),
      );
      if (!out.Body) throw new ObjectReadError(`${where}: S3 returned no body`);
      return {
        body: wrapStreamErrors(out.Body as AsyncIterable<Uint8Array>, where),
        contentLength: out.ContentLength,
        versionId: out.VersionId,
        eTag: out.ETag,
      };
    } catch (err) {
      throw toObjectError(err, where);
    }
  }
}

export function toObjectError(err: unknown, where: string): Error {
  if (err instanceof ObjectReadError || err instanceof ObjectNotFoundError || err instanceof ObjectAccessDeniedError) {
    return err;
  }
  const name = (err as { name?: string } | null)?.name ?? '';
  const status = err instanceof S3ServiceException ? err.$metadata?.httpStatusCode : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NoSuchVersion' || name === 'NotFound' || status === 404) {
    return new ObjectNotFoundError(`${where}: ${name || 'not found'} (${message})`, { cause: err });
  }
  // SSE-KMS trails: a disabled or inaccessible key surfaces as KMS.* or AccessDenied
  if (name === 'AccessDenied' || name.startsWith('KMS.') || status === 403) {
    return new ObjectAccessDeniedError(`${where}: ${name || 'access denied'} (${message})`, { cause: err });
  }
  return new ObjectReadError(`${where}: ${name || 'read failed'} (${message})`, { cause: err });
}

async function* wrapStreamErrors(body: AsyncIterable<Uint8Array>, where: string): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw new ObjectReadError(`${where}: the download broke off (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    });
  }
}
