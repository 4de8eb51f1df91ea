import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MemoryBucket } from './digest-chain';
import type { PublicKey } from '../lib/integrity/keys';

/**
 * Writes a MemoryBucket to a directory as `trailwatch verify --dir` reads it: each object at
 * its key, its S3 user metadata (a digest's signature) in `<file>.metadata.json`.
 */
export async function writeBucketToDirectory(bucket: MemoryBucket, root: string): Promise<void> {
  for (const [key, object] of bucket.objects) {
    const file = path.join(root, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, object.body);
    if (Object.keys(object.metadata).length > 0) await writeFile(`${file}.metadata.json`, JSON.stringify(object.metadata));
  }
}

/** A public key as `aws cloudtrail list-public-keys` prints it. */
export function listPublicKeysJson(keys: readonly PublicKey[]): string {
  return JSON.stringify({
    PublicKeyList: keys.map((k) => ({
      Value: Buffer.from(k.value).toString('base64'),
      ValidityStartTime: k.validityStart.toISOString(),
      ValidityEndTime: k.validityEnd.toISOString(),
      Fingerprint: k.fingerprint,
    })),
  });
}
