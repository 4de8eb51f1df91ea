import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertLedger } from '../dedup/alert-ledger';

export interface DynamoDbAlertLedgerOptions {
  readonly tableName: string;
  /** How long a claim is remembered (DynamoDB TTL): duplicates arrive within hours, not weeks. */
  readonly ttlSeconds?: number;
  /** Conditional puts in flight at once. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

/**
 * One item per alerted finding, `id = alert#<dedupKey>`, written with a conditional put
 * (attribute_not_exists) so that concurrent invocations cannot both claim it. One request
 * per finding: a conditional write cannot be batched (BatchWriteItem takes no conditions,
 * and one failed condition would cancel a whole TransactWriteItems).
 */
export class DynamoDbAlertLedger implements AlertLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly ttlSeconds: number;
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDbAlertLedgerOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
    this.concurrency = options.concurrency ?? 10;
    this.now = options.now ?? Date.now;
  }

  async claim(keys: readonly string[]): Promise<Set<string>> {
    const mine = new Set<string>();
    const nowS = Math.floor(this.now() / 1000);
    // Who made this claim. The SDK retries a put whose answer was lost (a 500 after the
    // write, a timeout): the retry then fails its condition on our own item, which must
    // still count as ours, or the alert would be silenced for good.
    const claimant = randomUUID();
    let failure: unknown;
    await inBatches(unique(keys), this.concurrency, async (key) => {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: { id: itemId(key), claimedAt: nowS, expiration: nowS + this.ttlSeconds, claimant },
            // an expired claim that TTL has not swept yet counts as free
            ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
            ExpressionAttributeValues: { ':now': nowS },
          }),
        );
        mine.add(key);
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) {
          failure ??= err;
          return;
        }
        try {
          if ((await this.claimedBy(key)) === claimant) mine.add(key);
        } catch (readError) {
          failure ??= readError;
        }
      }
    });
    if (failure !== undefined) {
      // all or nothing: a claim kept for an alert that is never sent would silence it for good
      await this.release([...mine]);
      throw failure;
    }
    return mine;
  }

  /** The claimant of a key's item (strongly consistent: the write may be milliseconds old). */
  private async claimedBy(key: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: { id: itemId(key) }, ConsistentRead: true, ProjectionExpression: 'claimant' }),
    );
    const claimant: unknown = out.Item?.claimant;
    return typeof claimant === 'string' ? claimant : undefined;
  }

  async release(keys: readonly string[]): Promise<void> {
    await inBatches(unique(keys), this.concurrency, async (key) => {
      await this.doc.send(new DeleteCommand({ TableName: this.options.tableName, Key: { id: itemId(key) } }));
    });
  }
}

function itemId(key: string): string {
  return `alert#${key}`;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
