import { createHash, type Hash } from 'node:crypto';
import type { ObjectLocation } from './verdicts';

/**
 * Port: the SHA-256 of each log file's uncompressed bytes, kept when the file is forwarded,
 * so that the hourly digest check normally reads no log file again. DynamoDB with TTL in
 * Lambda (lib/aws/dynamodb-log-hash-store.ts), memory in tests and the CLI.
 */
export interface LogHashStore {
  put(location: ObjectLocation, sha256Hex: string): Promise<void>;
  get(location: ObjectLocation): Promise<string | undefined>;
}

export class MemoryLogHashStore implements LogHashStore {
  private readonly hashes = new Map<string, string>();
  async put(location: ObjectLocation, sha256Hex: string): Promise<void> {
    this.hashes.set(hashStoreKey(location), sha256Hex);
  }
  async get(location: ObjectLocation): Promise<string | undefined> {
    return this.hashes.get(hashStoreKey(location));
  }
  get size(): number {
    return this.hashes.size;
  }
}

export function hashStoreKey(location: ObjectLocation): string {
  return `${location.bucket}/${location.key}`;
}

/**
 * Passes chunks through unchanged while feeding them to `hash`: the uncompressed bytes are
 * hashed in the same pass that parses and forwards them, never read twice.
 */
export async function* hashingChunks<T extends Uint8Array>(chunks: AsyncIterable<T>, hash: Hash): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

export function newSha256(): Hash {
  return createHash('sha256');
}
