import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject, ObjectLister } from '../replay/reprocess';

export interface S3ObjectListerOptions {
  /** Keys per ListObjectsV2 page: 1 to 1,000 (S3's maximum and default). */
  readonly pageSize?: number;
}

/** Lists a prefix with ListObjectsV2, page by page, so a large prefix never sits in memory. */
export class S3ObjectLister implements ObjectLister {
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
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: this.pageSize, ContinuationToken: token }),
      );
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
}
