import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { HashStoreError } from '../integrity/errors';
import { hashStoreKey, type LogHashStore } from '../integrity/hash-store';
import type { ObjectLocation } from '../integrity/verdicts';

export interface DynamoDbLogHashStoreOptions {
  readonly tableName: string;
  /**
   * How long a hash is kept (DynamoDB TTL). Digests come hourly and backfill digests later;
   * past this the digest check reads the log file again, which is slower, never wrong.
   */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
}

/** One item per log file: `id = <bucket>/<key>`, the hex SHA-256 of its uncompressed bytes, a TTL. */
export class DynamoDbLogHashStore implements LogHashStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDbLogHashStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
    this.ttlSeconds = options.ttlSeconds ?? 14 * 24 * 3600;
    this.now = options.now ?? Date.now;
  }

  async put(location: ObjectLocation, sha256Hex: string): Promise<void> {
    const nowS = Math.floor(this.now() / 1000);
    try {
      await this.doc.send(new PutCommand({ TableName: this.options.tableName, Item: { id: hashStoreKey(location), sha256: sha256Hex, hashedAt: nowS, expiration: nowS + this.ttlSeconds } }));
    } catch (err) {
      throw new HashStoreError(`keeping the hash of s3://${hashStoreKey(location)} in ${this.options.tableName} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async get(location: ObjectLocation): Promise<string | undefined> {
    let out;
    try {
      out = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: { id: hashStoreKey(location) }, ConsistentRead: true }));
    } catch (err) {
      throw new HashStoreError(`reading the hash of s3://${hashStoreKey(location)} from ${this.options.tableName} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const item = out.Item as { sha256?: unknown; expiration?: unknown } | undefined;
    // an expired item TTL has not swept yet is as good as gone: the hash may be of an older object
    if (typeof item?.expiration === 'number' && item.expiration < Math.floor(this.now() / 1000)) return undefined;
    return typeof item?.sha256 === 'string' ? item.sha256 : undefined;
  }
}
