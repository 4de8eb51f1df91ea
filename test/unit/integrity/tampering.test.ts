import { gunzipSync, gzipSync } from 'node:zlib';
import { CachedPublicKeys } from '../../../lib/integrity/keys';
import { IntegrityReader } from '../../../lib/integrity/reader';
import { formatVerifySummary, verifyRange, type VerifyRangeResult } from '../../../lib/integrity/verify-range';
import { DigestChain, makeSigningKey, MemoryBucket, StaticPublicKeys, type SigningKey } from '../../../testkit/digest-chain';

// one key pair for the whole file: RSA key generation is the slow part
const CLOUDTRAIL_KEY = makeSigningKey();
const ATTACKER_KEY = makeSigningKey();
const RANGE = { start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-02T00:00:00Z') };

function chainOf(options: { organizationId?: string; prefix?: string } = {}): DigestChain {
  return new DigestChain({ bucket: new MemoryBucket('trail-bucket'), key: CLOUDTRAIL_KEY, ...options });
}

async function verify(chain: DigestChain, keys: SigningKey[] = [CLOUDTRAIL_KEY]): Promise<VerifyRangeResult> {
  const bucket = chain.bucket;
  return verifyRange(
    { reader: new IntegrityReader(bucket), lister: bucket, keys: new CachedPublicKeys(new StaticPublicKeys(keys.map((k) => k.publicKey))) },
    { bucket: bucket.name, prefix: '', ...RANGE },
  );
}

function threeHours(chain: DigestChain): { digests: string[]; logs: string[][] } {
  const hours = [chain.addHour(2), chain.addHour(3), chain.addHour(2)];
  return { digests: hours.map((h) => h.digestKey), logs: hours.map((h) => h.logKeys) };
}

function problemsOf(result: VerifyRangeResult, key: string): string[] {
  return result.digests.find((d) => d.digest.key === key)?.problems.map((p) => p.code) ?? [];
}

describe('integrity: valid chains', () => {
  it('a valid multi-hour chain: every digest and log file valid', async () => {
    // Prepare
    const chain = chainOf();
    threeHours(chain);

    // Act
    const result = await verify(chain);

    // Assess
    expect(formatVerifySummary(result)).toBe('3/3 digest files valid, 7/7 log files valid');
    expect(result.valid).toBe(true);
  });

  it('an empty hour: a digest listing no log file is valid and keeps the chain', async () => {
    // Prepare
    const chain = chainOf();
    chain.addHour(1);
    chain.addHour(0);
    chain.addHour(1);

    // Act
    const result = await verify(chain);

    // Assess
    expect(formatVerifySummary(result)).toBe('3/3 digest files valid, 2/2 log files valid');
  });

  it('a backfill digest listing a late log file is valid, and the chain goes on past it', async () => {
    // Prepare
    const chain = chainOf();
    chain.addHour(1);
    const late = chain.addLogFile(new Date('2026-03-01T00:30:00Z'));
    const backfill = chain.addDigest([late], { backfill: true });
    chain.addHour(1);

    // Act
    const result = await verify(chain);

    // Assess
    expect(backfill).toMatch(/_backfill\.json\.gz$/);
    expect(result.digests.find((d) => d.digest.key === backfill)).toMatchObject({ valid: true, backfill: true });
    expect(formatVerifySummary(result)).toBe('3/3 digest files valid, 3/3 log files valid');
  });

  it('an organization trail path (AWSLogs/o-…/<account>/) under a prefix', async () => {
    // Prepare
    const chain = chainOf({ organizationId: 'o-a1b2c3d4e5', prefix: 'org-trail' });
    const { digests } = threeHours(chain);

    // Act
    const result = await verify(chain);

    // Assess
    expect(digests[0]).toMatch(/^org-trail\/AWSLogs\/o-a1b2c3d4e5\/111122223333\/CloudTrail-Digest\//);
    expect(formatVerifySummary(result)).toBe('3/3 digest files valid, 7/7 log files valid');
  });
});

describe('integrity: tampering', () => {
  it('one byte of a log file changed: the log file is modified', async () => {
    // Prepare
    const chain = chainOf();
    const { logs } = threeHours(chain);
    const target = logs[1]![0]!;
    const stored = chain.bucket.objects.get(target)!;
    const text = gunzipSync(stored.body);
    text[20] = text[20]! ^ 0x01;
    stored.body = gzipSync(text);

    // Act
    const result = await verify(chain);

    // Assess
    expect(result.logFiles.filter((l) => l.status !== 'valid')).toEqual([expect.objectContaining({ logFile: { bucket: 'trail-bucket', key: target }, status: 'modified' })]);
    expect(formatVerifySummary(result).split('\n')[0]).toBe('3/3 digest files valid, 6/7 log files valid');
    expect(result.valid).toBe(false);
  });

  it('a log file deleted: listed but missing', async () => {
    // Prepare
    const chain = chainOf();
    const { logs } = threeHours(chain);
    chain.bucket.objects.delete(logs[0]![1]!);

    // Act
    const result = await verify(chain);

    // Assess
    expect(result.logFiles.filter((l) => l.status !== 'valid')).toEqual([expect.objectContaining({ logFile: { bucket: 'trail-bucket', key: logs[0]![1] }, status: 'missing' })]);
    expect(result.valid).toBe(false);
  });

  it('a log file added that no digest lists: unlisted', async () => {
    // Prepare
    const chain = chainOf();
    threeHours(chain);
    const injected = chain.addLogFile(new Date('2026-03-01T01:30:00Z'));

    // Act
    const result = await verify(chain);

    // Assess
    expect(result.logFiles.filter((l) => l.status !== 'valid')).toEqual([{ logFile: { bucket: 'trail-bucket', key: injected }, status: 'unlisted' }]);
    expect(formatVerifySummary(result).split('\n')[0]).toBe('3/3 digest files valid, 7/8 log files valid');
  });

  it('a digest modified: its signature fails, and the next digest no longer chains to it', async () => {
    // Prepare
    const chain = chainOf();
    const { digests } = threeHours(chain);
    const stored = chain.bucket.objects.get(digests[1]!)!;
    const body = JSON.parse(gunzipSync(stored.body).toString('utf8')) as { logFiles: unknown[] };
    body.logFiles.pop(); // hide a log file
    stored.body = gzipSync(JSON.stringify(body));

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, digests[1]!)).toEqual(['signature-invalid']);
    expect(problemsOf(result, digests[2]!)).toEqual(['previous-mismatch']);
    expect(result.valid).toBe(false);
  });

  it('a digest deleted mid-chain: the next digest reports the chain broken', async () => {
    // Prepare
    const chain = chainOf();
    const { digests } = threeHours(chain);
    chain.bucket.objects.delete(digests[1]!);

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, digests[2]!)).toEqual(['previous-missing']);
    expect(formatVerifySummary(result).split('\n')[0]).toMatch(/^1\/2 digest files valid/);
  });

  it('a digest signed by the wrong key (its fingerprint kept): signature invalid', async () => {
    // Prepare
    const chain = chainOf();
    chain.addHour(1);
    const forged = chain.addDigest([], { signWith: { privateKey: ATTACKER_KEY.privateKey, publicKey: CLOUDTRAIL_KEY.publicKey } });

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, forged)).toEqual(['signature-invalid']);
  });

  it("a digest signed by the wrong key (the key's own fingerprint): no CloudTrail key has it", async () => {
    // Prepare
    const chain = chainOf();
    chain.addHour(1);
    const forged = chain.addDigest([], { signWith: ATTACKER_KEY });

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, forged)).toEqual(['unknown-key']);
  });

  it('a digest copied to another key: moved', async () => {
    // Prepare
    const chain = chainOf();
    const { digests } = threeHours(chain);
    const copy = digests[2]!.replace('T030017Z', 'T040017Z');
    chain.bucket.objects.set(copy, chain.bucket.objects.get(digests[2]!)!);

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, copy)).toEqual(['moved']);
    expect(problemsOf(result, digests[2]!)).toEqual([]);
  });

  it('a digest whose signature metadata was removed: signature missing', async () => {
    // Prepare
    const chain = chainOf();
    const { digests } = threeHours(chain);
    chain.bucket.objects.get(digests[0]!)!.metadata = {};

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, digests[0]!)).toEqual(['signature-missing']);
    // the next digest recorded the signature that is gone
    expect(problemsOf(result, digests[1]!)).toEqual(['previous-mismatch']);
  });

  it('a digest that is not a digest: malformed, counted invalid', async () => {
    // Prepare
    const chain = chainOf();
    const { digests } = threeHours(chain);
    chain.bucket.objects.get(digests[0]!)!.body = gzipSync('{"hello":"world"}');

    // Act
    const result = await verify(chain);

    // Assess
    expect(problemsOf(result, digests[0]!)).toEqual(['malformed']);
  });
});
