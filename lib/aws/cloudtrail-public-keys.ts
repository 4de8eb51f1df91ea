import { CloudTrailClient, ListPublicKeysCommand, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { PublicKeysUnavailableError } from '../integrity/errors';
import type { PublicKey, PublicKeySource } from '../integrity/keys';

/**
 * CloudTrail ListPublicKeys (paged) for the digest check. Keys are per Region, and so is
 * the API: one client per Region, made on first use. The SDK retries throttling and 5xx;
 * what is left is a PublicKeysUnavailableError naming the Region and the cause, and the
 * delivery is retried through the failure path.
 */
export class CloudTrailPublicKeys implements PublicKeySource {
  private readonly clients = new Map<string, CloudTrailClient>();

  constructor(private readonly config: Omit<CloudTrailClientConfig, 'region'> = {}) {}

  async listPublicKeys(region: string, start: Date, end: Date): Promise<PublicKey[]> {
    const client = this.clientFor(region);
    const keys: PublicKey[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await client.send(new ListPublicKeysCommand({ StartTime: start, EndTime: end, NextToken: token }));
        for (const k of out.PublicKeyList ?? []) {
          if (!k.Value || !k.Fingerprint || !k.ValidityStartTime || !k.ValidityEndTime) continue;
          keys.push({ value: k.Value, fingerprint: k.Fingerprint, validityStart: k.ValidityStartTime, validityEnd: k.ValidityEndTime });
        }
        token = out.NextToken;
      } while (token);
    } catch (err) {
      const name = (err as { name?: string } | null)?.name ?? 'Error';
      throw new PublicKeysUnavailableError(`CloudTrail ListPublicKeys in ${region} failed: ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return keys;
  }

  private clientFor(region: string): CloudTrailClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = new CloudTrailClient({ ...this.config, region });
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
  }
}
