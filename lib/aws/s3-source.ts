import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { ObjectSource, ObjectVersion, OpenedObject } from '../cloudtrail/source';
import type { ObjectRef } from '../cloudtrail/types';
import { ObjectAccessDeniedError, ObjectNotFoundError, ObjectReadError } from '../errors';

/** Reads log files from S3 as streams (GetObject), with S3's errors turned into typed ones. */
export class S3ObjectSource implements ObjectSource {
  constructor(private readonly client: S3Client) {}

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const where = locationOf(ref);
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
        ...(out.Metadata === undefined ? {} : { metadata: out.Metadata }),
      };
    } catch (err) {
      throw toObjectError(err, where);
    }
  }

  async identify(ref: ObjectRef): Promise<ObjectVersion> {
    const where = locationOf(ref);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }));
      return {
        // S3 answers "null" for objects written before versioning was enabled: no version id
        ...(out.VersionId && out.VersionId !== 'null' ? { versionId: out.VersionId } : {}),
        ...(out.ETag ? { eTag: unquote(out.ETag) } : {}),
      };
    } catch (err) {
      throw toObjectError(err, where);
    }
  }
}

/** The object as errors name it, so a log line or failure-queue entry can be found again. */
function locationOf(ref: ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}${ref.versionId ? `?versionId=${ref.versionId}` : ''}`;
}

/** S3 event notifications carry the ETag bare, GetObject/HeadObject answer it quoted. */
function unquote(eTag: string): string {
  return eTag.length >= 2 && eTag.startsWith('"') && eTag.endsWith('"') ? eTag.slice(1, -1) : eTag;
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
    // Without s3:ListBucket (least privilege: the function has none) S3 answers a missing key
    // with 403, not 404: the message says both, so nobody hunts a permission that is fine.
    const hint = name.startsWith('KMS.') ? '' : '; S3 also answers 403 for a key that does not exist when the reader may not list the bucket';
    return new ObjectAccessDeniedError(`${where}: ${name || 'access denied'} (${message})${hint}`, { cause: err });
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
