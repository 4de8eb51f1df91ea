import { ListObjectsV2Command, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject, ObjectLister } from '../replay/reprocess';
import { S3ListError } from '../scan/errors';
import type { FolderLister } from '../scan/s3-layout';

export interface S3ObjectListerOptions {
  /** Keys per ListObjectsV2 page: 1 to 1,000 (S3's maximum and default). */
  readonly pageSize?: number;
}

/**
 * Lists a prefix with ListObjectsV2, page by page, so a large prefix never sits in memory;
 * `folders` lists one level (Delimiter `/`), which is how `scan s3://…` walks CloudTrail's
 * key layout to the days asked instead of listing the whole bucket. S3's errors become one
 * S3ListError naming the bucket and prefix (NoSuchBucket, AccessDenied, …).
 */
export class S3ObjectLister implements ObjectLister, FolderLister {
  private readonly pageSize: number;

  constructor(
    private readonly client: S3Client,
    options: S3ObjectListerOptions = {},
  ) {
    this.pageSize = Math.max(1, Math.min(1000, options.pageSize ?? 1000));
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      const page = await this.page(bucket, prefix, token);
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          ...(object.Size === undefined ? {} : { size: object.Size }),
          ...(object.ETag === undefined ? {} : { eTag: object.ETag }),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async *folders(bucket: string, prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.page(bucket, prefix, token, '/');
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix !== undefined) yield common.Prefix;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private async page(bucket: string, prefix: string, token: string | undefined, delimiter?: string) {
    try {
      return await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: this.pageSize, ContinuationToken: token, Delimiter: delimiter }),
      );
    } catch (err) {
      throw toListError(err, `s3://${bucket}/${prefix}`);
    }
  }
}

/** One line a person can act on: what was listed, S3's code, and what the code usually means. */
export function toListError(err: unknown, where: string): S3ListError {
  const name = (err as { name?: string } | null)?.name ?? '';
  const status = err instanceof S3ServiceException ? err.$metadata?.httpStatusCode : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'NoSuchBucket' || (status === 404 && name !== 'NoSuchKey')) {
    return new S3ListError(`${where}: NoSuchBucket: the bucket does not exist (check its name and the Region)`, 'NoSuchBucket', { cause: err });
  }
  if (name === 'AccessDenied' || status === 403) {
    return new S3ListError(`${where}: AccessDenied: these credentials may not list the bucket (s3:ListBucket is needed)`, name || 'AccessDenied', { cause: err });
  }
  return new S3ListError(`${where}: listing failed: ${name || 'error'} (${message})`, name || 'Unknown', { cause: err });
}
