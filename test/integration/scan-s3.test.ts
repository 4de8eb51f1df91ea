/**
 * Issue 14: `trailwatch scan s3://bucket/prefix --from --to` against s3rver (behind the fault
 * proxy, which logs every request): the accounts (one under an organisation) and Regions are
 * found by delimiter listings, only the day folders [from, to) touches are listed, only the
 * objects delivered in the range are read, and S3's refusals are one line with exit 3.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main } from '../../bin/trailwatch';
import { FaultProxy, serviceErrors } from '../../testkit/fault-proxy';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';

jest.setTimeout(120_000);

const BUCKET = 'scan-trail';
const ORG = 'o-abc1234567';

function logKey(root: string, account: string, region: string, stamp: string, folder = 'CloudTrail'): string {
  const day = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  const kind = folder === 'CloudTrail-Insight' ? 'CloudTrail-Insight' : 'CloudTrail';
  return `${root}${account}/${folder}/${region}/${day}/${account}_${kind}_${region}_${stamp}_a1b2c3d4.json.gz`;
}

/** In [2026-11-20T00:00Z, 2026-11-22T00:00Z): the scan must read exactly these. */
const INSIDE = [
  logKey('AWSLogs/', '111122223333', 'us-east-1', '20261120T0005Z'),
  logKey('AWSLogs/', '111122223333', 'us-east-1', '20261121T2355Z'),
  logKey('AWSLogs/', '111122223333', 'us-west-2', '20261121T1200Z'),
  logKey(`AWSLogs/${ORG}/`, '222233334444', 'eu-west-1', '20261120T0930Z'),
];
/** Outside the days, or in another folder: never listed, never read. */
const OUTSIDE = [
  logKey('AWSLogs/', '111122223333', 'us-east-1', '20261119T2355Z'),
  logKey('AWSLogs/', '111122223333', 'us-east-1', '20261122T0000Z'),
  logKey(`AWSLogs/${ORG}/`, '222233334444', 'eu-west-1', '20261018T0930Z'),
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T000500Z.json.gz',
];

function trailFile(key: string): Buffer {
  const [, account, region] = /(\d{12})_CloudTrail_([a-z0-9-]+)_/.exec(key) ?? [];
  const record = {
    eventVersion: '1.09',
    eventTime: '2026-11-20T12:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    awsRegion: region ?? 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account ?? '111122223333'}:user/alice` },
    eventID: key,
    readOnly: true,
    recipientAccountId: account ?? '111122223333',
  };
  return gzipSync(JSON.stringify({ Records: [record] }));
}

describe('scan s3://… --from --to against s3rver', () => {
  let stack: LocalStack;
  let proxy: FaultProxy;
  let s3: S3Client;

  beforeAll(async () => {
    stack = await startLocalStack({ buckets: [BUCKET] });
    proxy = await FaultProxy.start(stack.s3Endpoint);
    s3 = new S3Client({ ...stack.clientConfig, endpoint: proxy.endpoint, forcePathStyle: true });
    for (const key of [...INSIDE, ...OUTSIDE]) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: trailFile(key) }));
  });
  afterAll(async () => {
    s3?.destroy();
    await proxy?.stop();
    await stack?.stop();
  });
  beforeEach(() => proxy.reset());

  async function scan(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['scan', ...args, '--fail-on', 'none'], (l) => out.push(l), (l) => err.push(l), { s3 }, { progress: { isTTY: false, write: () => true }, processEnv: {} });
    return { code, out, err };
  }

  /** The S3 requests the scan made: ListObjectsV2 (prefix, delimiter) and GetObject keys. */
  function requests(): { lists: Array<{ prefix: string; delimiter: string | null }>; gets: string[] } {
    const lists: Array<{ prefix: string; delimiter: string | null }> = [];
    const gets: string[] = [];
    for (const r of proxy.requests()) {
      const url = new URL(r.url, 'http://proxy');
      if (r.method !== 'GET') continue;
      if (url.searchParams.get('list-type') === '2') lists.push({ prefix: url.searchParams.get('prefix') ?? '', delimiter: url.searchParams.get('delimiter') });
      else gets.push(decodeURIComponent(url.pathname.slice(`/${BUCKET}/`.length)));
    }
    return { lists, gets };
  }

  it('lists only the days asked, in every account and Region, and reads only the files delivered in [from, to)', async () => {
    // Act
    const { code, err } = await scan([`s3://${BUCKET}/AWSLogs/`, '--from', '2026-11-20', '--to', '2026-11-22']);

    // Assess
    expect({ code, err: err.filter((l) => l.startsWith('error:'))}).toEqual({ code: 0, err: [] });
    const { lists, gets } = requests();
    expect([...gets].sort()).toEqual([...INSIDE].sort());
    // every full listing is one day folder asked; nothing is listed without the delimiter above a day
    const full = lists.filter((l) => l.delimiter === null).map((l) => l.prefix);
    expect(full.length).toBeGreaterThan(0);
    for (const prefix of full) expect(prefix).toMatch(/\/2026\/11\/2[01]\/$/);
    expect(full).toEqual(expect.arrayContaining(['AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/', `AWSLogs/${ORG}/222233334444/CloudTrail/eu-west-1/2026/11/21/`]));
    expect(err.join('\n')).toMatch(/4 file\(s\)|files: 4|4 files/);
  });

  it('narrows to one account and Region when the prefix names them', async () => {
    // Act
    const { code } = await scan([`s3://${BUCKET}/AWSLogs/111122223333/CloudTrail/us-east-1/`, '--from', '2026-11-21T00:00Z', '--to', '2026-11-23T00:00Z']);

    // Assess
    expect(code).toBe(0);
    const { lists, gets } = requests();
    expect(lists.every((l) => l.delimiter === null)).toBe(true);
    expect(gets.sort()).toEqual([INSIDE[1], OUTSIDE[1]].sort());
  });

  it('a bucket that does not exist: one line naming it, exit 3', async () => {
    // Act
    const { code, out, err } = await scan(['s3://no-such-trail-bucket/AWSLogs/', '--from', '2026-11-20', '--to', '2026-11-21']);

    // Assess
    expect(code).toBe(3);
    expect(out).toEqual([]);
    const errors = err.filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('s3://no-such-trail-bucket/AWSLogs/: NoSuchBucket');
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('access denied on the listing: one line naming the bucket and the permission, exit 3', async () => {
    // Prepare
    proxy.injectFault((r) => (r.url.includes('list-type=2') ? serviceErrors.s3Error(403, 'AccessDenied', 'Access Denied') : undefined));

    // Act
    const { code, err } = await scan([`s3://${BUCKET}/AWSLogs/`, '--from', '2026-11-20', '--to', '2026-11-21']);

    // Assess
    expect(code).toBe(3);
    const errors = err.filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`s3://${BUCKET}/AWSLogs/: AccessDenied`);
    expect(errors[0]).toContain('s3:ListBucket');
  });

  it('an S3 URL without --from is a usage error (exit 2): the scan would have to list every day', async () => {
    const { code, err } = await scan([`s3://${BUCKET}/AWSLogs/`]);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('needs --from');
  });
});
