import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../bin/trailwatch';
import { DigestChain, makeSigningKey, MemoryBucket } from '../../../testkit/digest-chain';
import { listPublicKeysJson, writeBucketToDirectory } from '../../../testkit/write-chain';

const KEY = makeSigningKey();
let dir: string;
let keysFile: string;
let chain: DigestChain;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trailwatch-verify-'));
  chain = new DigestChain({ bucket: new MemoryBucket('trail-bucket'), key: KEY });
  chain.addHour(2);
  chain.addHour(0);
  chain.addHour(3);
  await writeBucketToDirectory(chain.bucket, path.join(dir, 'bucket'));
  keysFile = path.join(dir, 'keys.json');
  await writeFile(keysFile, listPublicKeysJson([KEY.publicKey]));
});

afterEach(() => rm(dir, { recursive: true, force: true }));

async function verify(...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ['verify', '--bucket', 'trail-bucket', '--dir', path.join(dir, 'bucket'), '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-02T00:00:00Z', '--public-keys', keysFile, ...extra],
    (l) => void out.push(l),
    (l) => void err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('trailwatch verify', () => {
  it('prints the summary and exits 0 on a valid chain', async () => {
    const { code, out } = await verify();
    expect(out).toBe('3/3 digest files valid, 5/5 log files valid');
    expect(code).toBe(0);
  });

  it('exits 1 and names the file when a log file is deleted', async () => {
    // Prepare
    await unlink(path.join(dir, 'bucket', ...chain.logKeys[3]!.split('/')));

    // Act
    const { code, out } = await verify();

    // Assess
    expect(out.split('\n')).toEqual(['3/3 digest files valid, 4/5 log files valid', `INVALID log file s3://trail-bucket/${chain.logKeys[3]}: missing`]);
    expect(code).toBe(1);
  });

  it('exits 1 when a digest is deleted mid-chain', async () => {
    await unlink(path.join(dir, 'bucket', ...chain.digestKeys[1]!.split('/')));
    const { code, out } = await verify();
    expect(out).toMatch(/^1\/2 digest files valid, 5\/5 log files valid\nINVALID digest .*previous-missing/);
    expect(code).toBe(1);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['verify', '--bucket', 'b'], (l) => void out.push(l), (l) => void err.push(l));
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--from is required[\s\S]*trailwatch verify --bucket/);
  });
});
