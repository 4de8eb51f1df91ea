import { PublicKeysUnavailableError } from './errors';

/** One of CloudTrail's digest-signing public keys (ListPublicKeys `PublicKeyList[]`). */
export interface PublicKey {
  /** DER, PKCS#1 RSAPublicKey. */
  readonly value: Uint8Array;
  readonly validityStart: Date;
  readonly validityEnd: Date;
  readonly fingerprint: string;
}

/** Port: CloudTrail ListPublicKeys for a region and time range (lib/aws/cloudtrail-public-keys.ts). */
export interface PublicKeySource {
  listPublicKeys(region: string, start: Date, end: Date): Promise<PublicKey[]>;
}

/**
 * The key that signed a digest: the one whose fingerprint the digest names and whose
 * validity window holds the digest's end time. A key with the right fingerprint outside its
 * window does not count (a retired key must not validate new digests).
 */
export function selectKey(keys: readonly PublicKey[], fingerprint: string, at: Date): PublicKey | undefined {
  const t = at.getTime();
  return keys.find(
    (k) => k.fingerprint.toLowerCase() === fingerprint.toLowerCase() && k.validityStart.getTime() <= t && t <= k.validityEnd.getTime(),
  );
}

/**
 * Keys cached per container, per region and UTC day: a digest an hour asks for keys once a
 * day, not once an hour, and a miss (a new key, rotated mid-day) asks again once.
 */
export class CachedPublicKeys {
  private readonly cache = new Map<string, Promise<PublicKey[]>>();
  constructor(private readonly source: PublicKeySource) {}

  async keyFor(region: string, fingerprint: string, at: Date): Promise<PublicKey | undefined> {
    const day = at.toISOString().slice(0, 10);
    const id = `${region}#${day}`;
    const dayStart = new Date(`${day}T00:00:00Z`);
    const dayEnd = new Date(dayStart.getTime() + 24 * 3600 * 1000);
    const cached = this.cache.get(id);
    const hit = cached ? selectKey(await cached, fingerprint, at) : undefined;
    if (hit) return hit;
    const fresh = this.load(region, dayStart, dayEnd);
    this.cache.set(id, fresh);
    return selectKey(await fresh, fingerprint, at);
  }

  private load(region: string, start: Date, end: Date): Promise<PublicKey[]> {
    const loading = this.source.listPublicKeys(region, start, end).catch((err: unknown) => {
      // a failure is not cached: the retry (failure path) asks again
      this.cache.delete(`${region}#${start.toISOString().slice(0, 10)}`);
      if (err instanceof PublicKeysUnavailableError) throw err;
      throw new PublicKeysUnavailableError(`CloudTrail ListPublicKeys failed for ${region}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    return loading;
  }
}
