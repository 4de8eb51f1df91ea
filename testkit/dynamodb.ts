/**
 * A real DynamoDB-compatible server for tests and benchmarks: dynalite (in memory, LevelDB
 * semantics, conditional writes and ADD as DynamoDB does them) on 127.0.0.1, ephemeral port.
 * Plus the anomaly table with the key schema serverless.yml creates
 * (lib/anomaly/serverless-table.yml): `pk` S hash, `sk` S range.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
// dynalite ships no types; its factory returns a plain http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export const DYNAMODB_TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const DYNAMODB_TEST_REGION = 'us-east-1';

export interface LocalDynamoDb {
  readonly endpoint: string;
  /** Options for `new DynamoDBClient(...)` that reach this server. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export async function startDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    clientConfig: { endpoint, region: DYNAMODB_TEST_REGION, credentials: { ...DYNAMODB_TEST_CREDENTIALS } },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Creates the anomaly baseline table with serverless.yml's key schema (on demand billing). */
export async function createBaselineTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/**
 * Counts every HTTP attempt a client makes, by command (retries included): the
 * `deserialize` step runs once per attempt, inside the retry loop.
 */
export function countRequests(client: DynamoDBClient): { readonly byCommand: Map<string, number>; total(): number; reset(): void } {
  const byCommand = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'trailwatchRequestCounter', override: true },
  );
  return {
    byCommand,
    total: () => [...byCommand.values()].reduce((a, b) => a + b, 0),
    reset: () => byCommand.clear(),
  };
}

/** Creates the de-duplication table with serverless.yml's key schema (DedupTable: `id` S hash). */
export async function createDedupTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
