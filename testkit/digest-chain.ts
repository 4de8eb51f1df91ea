/**
 * Builds CloudTrail-shaped digest chains signed at run time with RSA keys from node:crypto
 * (test-only keys: never CloudTrail's). Used by the integrity tests, the integration suite
 * (uploaded to s3rver) and `npm start`'s sample chain. Objects are stored as CloudTrail
 * stores them: gzip bodies, the signature in user metadata.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ObjectSource, OpenedObject } from '../lib/cloudtrail/source';
import type { ObjectRef } from '../lib/cloudtrail/types';
import { ObjectNotFoundError } from '../lib/errors';
import type { PublicKey, PublicKeySource } from '../lib/integrity/keys';
import type { DigestFile } from '../lib/integrity/schema';
import type { ListedObject } from '../lib/replay/reprocess';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: PublicKey;
}

/** A fresh RSA-2048 key pair; the fingerprint is the MD5 of the DER key, as CloudTrail's look. */
export function makeSigningKey(validityStart = new Date('2020-01-01T00:00:00Z'), validityEnd = new Date('2035-01-01T00:00:00Z')): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ format: 'der', type: 'pkcs1' });
  return { privateKey, publicKey: { value: der, validityStart, validityEnd, fingerprint: createHash('md5').update(der).digest('hex') } };
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
}

/** A bucket in memory: an ObjectSource and a lister over the same objects. */
export class MemoryBucket implements ObjectSource {
  readonly objects = new Map<string, StoredObject>();
  opened: string[] = [];
  constructor(readonly name: string) {}

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const object = ref.bucket === this.name ? this.objects.get(ref.key) : undefined;
    if (object === undefined) throw new ObjectNotFoundError(`s3://${ref.bucket}/${ref.key}: NoSuchKey`);
    this.opened.push(ref.key);
    const body = object.body;
    return { body: (async function* () { yield body; })(), contentLength: body.length, metadata: { ...object.metadata } };
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ListedObject> {
    if (bucket !== this.name) return;
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield { key, size: this.objects.get(key)?.body.length ?? 0 };
  }
}

export class StaticPublicKeys implements PublicKeySource {
  calls = 0;
  constructor(readonly keys: PublicKey[]) {}
  async listPublicKeys(): Promise<PublicKey[]> {
    this.calls++;
    return this.keys;
  }
}

export interface ChainOptions {
  readonly bucket: MemoryBucket;
  readonly key: SigningKey;
  readonly accountId?: string;
  readonly region?: string;
  readonly trail?: string;
  readonly prefix?: string;
  readonly organizationId?: string;
  /** End time of the first digest. */
  readonly firstEnd?: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (t: Date) => `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
const stamp = (t: Date, seconds: boolean) =>
  `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${seconds ? pad(t.getUTCSeconds()) : ''}Z`;
const iso = (t: Date) => t.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A trail's hourly digest chain with its log files, written into a MemoryBucket. */
export class DigestChain {
  readonly accountId: string;
  readonly region: string;
  readonly trail: string;
  readonly base: string;
  readonly digestKeys: string[] = [];
  readonly logKeys: string[] = [];
  private previous: { key: string; signature: string; hash: string } | undefined;
  private nextEnd: Date;
  private seq = 0;

  constructor(private readonly options: ChainOptions) {
    this.accountId = options.accountId ?? '111122223333';
    this.region = options.region ?? 'us-east-1';
    this.trail = options.trail ?? 'management';
    this.base = `${options.prefix ? `${options.prefix}/` : ''}AWSLogs/${options.organizationId ? `${options.organizationId}/` : ''}${this.accountId}`;
    this.nextEnd = options.firstEnd ?? new Date('2026-03-01T01:00:17Z');
  }

  get bucket(): MemoryBucket {
    return this.options.bucket;
  }

  /** A log file delivered at `at` with `records` records; returns its key. */
  addLogFile(at: Date, records = 3): string {
    const key = `${this.base}/CloudTrail/${this.region}/${day(at)}/${this.accountId}_CloudTrail_${this.region}_${stamp(at, false)}_${(this.seq++).toString(36).padStart(16, 'x')}.json.gz`;
    const body = JSON.stringify({
      Records: Array.from({ length: records }, (_, i) => ({
        eventVersion: '1.11',
        eventTime: iso(new Date(at.getTime() - (i + 1) * 1000)),
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        awsRegion: this.region,
        eventID: `${key}#${i}`,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${this.accountId}:user/alice`, accountId: this.accountId },
        recipientAccountId: this.accountId,
      })),
    });
    this.bucket.objects.set(key, { body: gzipSync(body), metadata: {} });
    this.logKeys.push(key);
    return key;
  }

  /**
   * The next hour's digest listing `logFiles` (keys in this bucket, hashed as they are now),
   * signed with `signWith` (default: the chain's key). A backfill digest does not move the chain.
   */
  addDigest(logFiles: readonly string[], options: { signWith?: SigningKey; backfill?: boolean } = {}): string {
    const end = this.nextEnd;
    const start = new Date(end.getTime() - 3600_000);
    const suffix = options.backfill ? '_backfill' : '';
    const key = `${this.base}/CloudTrail-Digest/${this.region}/${day(end)}/${this.accountId}_CloudTrail-Digest_${this.region}_${this.trail}_${this.region}_${stamp(end, true)}${suffix}.json.gz`;
    const signer = options.signWith ?? this.options.key;
    const body: DigestFile = {
      awsAccountId: this.accountId,
      digestStartTime: iso(start),
      digestEndTime: iso(end),
      digestS3Bucket: this.bucket.name,
      digestS3Object: key,
      digestPublicKeyFingerprint: signer.publicKey.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: iso(end),
      oldestEventTime: iso(start),
      previousDigestS3Bucket: this.previous ? this.bucket.name : null,
      previousDigestS3Object: this.previous?.key ?? null,
      previousDigestHashValue: this.previous?.hash ?? null,
      previousDigestHashAlgorithm: this.previous ? 'SHA-256' : null,
      previousDigestSignature: this.previous?.signature ?? null,
      logFiles: logFiles.map((logKey) => ({
        s3Bucket: this.bucket.name,
        s3Object: logKey,
        hashValue: createHash('sha256').update(gunzipped(this.bucket, logKey)).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: iso(end),
        oldestEventTime: iso(start),
      })),
    };
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    const signature = signDigest(body, bytes, signer);
    this.bucket.objects.set(key, { body: gzipSync(bytes), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
    this.digestKeys.push(key);
    if (!options.backfill) {
      this.previous = { key, signature, hash: createHash('sha256').update(bytes).digest('hex') };
      this.nextEnd = new Date(end.getTime() + 3600_000);
    }
    return key;
  }

  /** One hour: `files` log files delivered during it, then its digest. */
  addHour(files: number): { digestKey: string; logKeys: string[] } {
    const end = this.nextEnd;
    const logKeys = Array.from({ length: files }, (_, i) => this.addLogFile(new Date(end.getTime() - 3600_000 + (i + 1) * 5 * 60_000)));
    return { digestKey: this.addDigest(logKeys), logKeys };
  }
}

/** Signs a digest as CloudTrail does (signing string of AWS's custom-validation page). */
export function signDigest(body: DigestFile, uncompressed: Buffer, key: SigningKey): string {
  const signed = [body.digestEndTime, `${body.digestS3Bucket}/${body.digestS3Object}`, createHash('sha256').update(uncompressed).digest('hex'), body.previousDigestSignature ?? 'null'].join('\n');
  return sign('sha256', Buffer.from(signed, 'utf8'), key.privateKey).toString('hex');
}

function gunzipped(bucket: MemoryBucket, key: string): Buffer {
  const object = bucket.objects.get(key);
  if (object === undefined) throw new Error(`fixture: no object ${key}`);
  return gunzipSync(object.body);
}
