import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  S3EventNotificationEventBridgeSchema,
  S3Schema,
  S3SqsEventNotificationSchema,
  SnsSchema,
} from '@aws-lambda-powertools/parser/schemas';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import { generateCorpus, parseSize } from '../../../bench/corpus/generate';
import { RecordsFileWriter, writeLogFile } from '../../../bench/corpus/files';
import { cloudTrailKey, digestKey, insightKey } from '../../../bench/corpus/keys';
import { EVENTS_DIR, SAMPLE_BUCKET, makeSamples } from '../../../bench/corpus/make-samples';
import { s3EncodeKey } from '../../../bench/corpus/notifications';
import {
  BENIGN_APIS,
  SECURITY_FACTORIES,
  WeightedTable,
  accessDenied,
  attachRolePolicy,
  benignCall,
  benignRecord,
  consoleLoginFailure,
  consoleLoginWithMfa,
  consoleLoginWithoutMfa,
  createRng,
  insightEventPair,
  mixedRecordAt,
  rootApiCall,
  rootConsoleLogin,
  unauthorizedOperation,
} from '../../../bench/corpus/records';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DOC_IP = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(\d{1,3})$/;
const LOG_KEY =
  /^(?:[^/]+(?:\/[^/]+)*\/)?AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'corpus-test-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The fields every management-event record carries as CloudTrail writes it. */
function expectManagementRecord(r: CloudTrailRecord): void {
  expect(r.eventVersion).toBe('1.11');
  expect(r.eventTime).toMatch(EVENT_TIME);
  expect(r.eventSource).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
  expect(typeof r.eventName).toBe('string');
  expect(r.awsRegion).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
  expect(r.userIdentity?.type).toEqual(expect.any(String));
  const ip = r.sourceIPAddress ?? '';
  const doc = DOC_IP.exec(ip);
  expect(doc !== null ? Number(doc[2]) >= 1 && Number(doc[2]) <= 254 : ip === 'AWS Internal' || ip.endsWith('.amazonaws.com')).toBe(true);
  expect(typeof r.userAgent).toBe('string');
  expect(r).toHaveProperty('requestParameters');
  expect(r).toHaveProperty('responseElements');
  expect(r.eventID).toMatch(UUID_V4);
  expect(typeof r.readOnly).toBe('boolean');
  expect(r.eventType).toMatch(/^Aws(ApiCall|ConsoleSignIn|ServiceEvent)$/);
  expect(r.managementEvent).toBe(true);
  expect(r.recipientAccountId).toMatch(/^\d{12}$/);
  expect(r.eventCategory).toBe('Management');
  if (r.errorCode !== undefined) expect(r.responseElements).toBeNull();
  // Calls AWS makes internally carry no TLS details; everything else does.
  if (ip === 'AWS Internal' || ip.endsWith('.amazonaws.com')) expect(r).not.toHaveProperty('tlsDetails');
  else expect(r.tlsDetails).toEqual({ tlsVersion: expect.stringMatching(/^TLSv1\.[23]$/), cipherSuite: expect.any(String), clientProvidedHostHeader: expect.any(String) });
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}

function gunzipRecords(file: string): CloudTrailRecord[] {
  const doc = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: CloudTrailRecord[] };
  expect(Object.keys(doc)).toEqual(['Records']);
  return doc.Records;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('Rng', () => {
  it('repeats its sequence for a seed and draws v4 UUIDs', () => {
    // Prepare
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);

    // Act
    const drawsA = Array.from({ length: 50 }, () => a.uuid());
    const drawsB = Array.from({ length: 50 }, () => b.uuid());
    const drawsC = Array.from({ length: 50 }, () => c.uuid());

    // Assess
    expect(drawsA).toEqual(drawsB);
    expect(drawsA).not.toEqual(drawsC);
    for (const id of drawsA) expect(id).toMatch(UUID_V4);
    expect(new Set(drawsA).size).toBe(50);
  });

  it('draws from a weighted table in proportion and never a zero weight', () => {
    // Prepare
    const table = new WeightedTable([['a', 3], ['never', 0], ['b', 1]] as const);
    const rng = createRng(1);

    // Act
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 4000; i++) counts[table.pick(rng)]++;

    // Assess
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });
});

describe('record factories', () => {
  it('give the same records for the same seed and other records for another', () => {
    // Prepare
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return JSON.stringify([...Array.from({ length: 30 }, () => benignRecord(rng)), ...Object.values(SECURITY_FACTORIES).map((f) => f(rng)), ...insightEventPair(rng)]);
    };

    // Act
    const first = draw(11);
    const again = draw(11);
    const other = draw(12);

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('build every API of the everyday mix as a complete record, by any of its callers', () => {
    // Prepare
    const rng = createRng(3);
    const names = BENIGN_APIS.map((api) => api.eventName);

    // Act
    const records = names.flatMap((name) => Array.from({ length: 4 }, () => benignCall(rng, name)));

    // Assess
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(40);
    for (const r of records) expectManagementRecord(r);
    expect(new Set(records.map((r) => r.eventName))).toEqual(new Set(names));
  });

  it('draw the everyday mix by weight, read calls first, with a few failures', () => {
    // Prepare
    const rng = createRng(8);

    // Act
    const records = Array.from({ length: 3000 }, () => benignRecord(rng));

    // Assess
    const count = (name: string) => records.filter((r) => r.eventName === name).length;
    expect(count('Decrypt')).toBeGreaterThan(count('DescribeInstances'));
    expect(count('DescribeInstances')).toBeGreaterThan(count('RunInstances'));
    expect(records.filter((r) => r.readOnly).length / records.length).toBeGreaterThan(0.8);
    const failed = records.filter((r) => r.errorCode !== undefined).length / records.length;
    expect(failed).toBeGreaterThan(0.015);
    expect(failed).toBeLessThan(0.05);
  });

  it('build each security event as a complete record with its event name', () => {
    // Prepare
    const rng = createRng(5);
    const expected: Record<string, [string, string]> = {
      consoleLoginWithMfa: ['signin.amazonaws.com', 'ConsoleLogin'],
      createAccessKey: ['iam.amazonaws.com', 'CreateAccessKey'],
      createUser: ['iam.amazonaws.com', 'CreateUser'],
      putUserPolicy: ['iam.amazonaws.com', 'PutUserPolicy'],
      attachRolePolicy: ['iam.amazonaws.com', 'AttachRolePolicy'],
      deactivateMfaDevice: ['iam.amazonaws.com', 'DeactivateMFADevice'],
      stopLogging: ['cloudtrail.amazonaws.com', 'StopLogging'],
      deleteTrail: ['cloudtrail.amazonaws.com', 'DeleteTrail'],
      updateTrail: ['cloudtrail.amazonaws.com', 'UpdateTrail'],
      disableKey: ['kms.amazonaws.com', 'DisableKey'],
      scheduleKeyDeletion: ['kms.amazonaws.com', 'ScheduleKeyDeletion'],
      putBucketPolicy: ['s3.amazonaws.com', 'PutBucketPolicy'],
      putBucketAcl: ['s3.amazonaws.com', 'PutBucketAcl'],
      deletePublicAccessBlock: ['s3.amazonaws.com', 'DeleteBucketPublicAccessBlock'],
      authorizeSecurityGroupIngress: ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
      createSecurityGroup: ['ec2.amazonaws.com', 'CreateSecurityGroup'],
      createNetworkAclEntry: ['ec2.amazonaws.com', 'CreateNetworkAclEntry'],
      createRoute: ['ec2.amazonaws.com', 'CreateRoute'],
      createVpc: ['ec2.amazonaws.com', 'CreateVpc'],
      attachInternetGateway: ['ec2.amazonaws.com', 'AttachInternetGateway'],
      stopConfigurationRecorder: ['config.amazonaws.com', 'StopConfigurationRecorder'],
      deleteDetector: ['guardduty.amazonaws.com', 'DeleteDetector'],
    };

    for (const [name, factory] of Object.entries(SECURITY_FACTORIES)) {
      // Act
      const r = factory(rng, { awsRegion: 'eu-west-1' });

      // Assess
      expectManagementRecord(r);
      const want = expected[name];
      if (want) expect([r.eventSource, r.eventName]).toEqual(want);
      // Global services are recorded in us-east-1 only; the factory reports it.
      if (r.eventSource === 'iam.amazonaws.com') expect(factory.global).toBe(true);
      if (!factory.global) expect(r.awsRegion).toBe('eu-west-1');
    }
  });

  it('shape console sign-ins as the CIS metric filters expect', () => {
    // Prepare
    const rng = createRng(9);

    // Act
    const withoutMfa = consoleLoginWithoutMfa(rng);
    const withMfa = consoleLoginWithMfa(rng);
    const failure = consoleLoginFailure(rng);
    const root = rootConsoleLogin(rng);

    // Assess
    expect(withoutMfa).toMatchObject({ eventType: 'AwsConsoleSignIn', userIdentity: { type: 'IAMUser' }, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No', MobileVersion: 'No', LoginTo: expect.any(String) } });
    expect(withMfa.additionalEventData).toMatchObject({ MFAUsed: 'Yes' });
    expect(failure).toMatchObject({ errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' } });
    expect(failure).not.toHaveProperty('errorCode');
    expect(root.userIdentity).toMatchObject({ type: 'Root', arn: 'arn:aws:iam::111122223333:root' });
    expect(root.userIdentity).not.toHaveProperty('invokedBy');
  });

  it('make root API calls and refused calls match their CIS patterns', () => {
    // Prepare
    const rng = createRng(13);

    // Act
    const rootCalls = Array.from({ length: 10 }, () => rootApiCall(rng));
    const denied = Array.from({ length: 30 }, () => accessDenied(rng));
    const unauthorized = Array.from({ length: 10 }, () => unauthorizedOperation(rng));

    // Assess
    for (const r of rootCalls) {
      expect(r.userIdentity?.type).toBe('Root');
      expect(r.userIdentity).not.toHaveProperty('invokedBy');
      expect(r.eventType).not.toBe('AwsServiceEvent');
      expect(r.sessionCredentialFromConsole).toBe('true');
    }
    for (const r of denied) expect(r.errorCode).toMatch(/^AccessDenied/);
    for (const r of unauthorized) expect(r.errorCode).toMatch(/UnauthorizedOperation$/);
  });

  it('derive nested fields from overridden account, region and time, and drop fields overridden with undefined', () => {
    // Prepare
    const rng = createRng(21);

    // Act
    const r = attachRolePolicy(rng, { recipientAccountId: '444455556666', eventTime: '2027-01-02T03:04:05Z', userAgent: undefined });
    const d = benignCall(rng, 'DescribeInstances', { awsRegion: 'ap-southeast-2' }, { caller: 'human' });

    // Assess
    expect(r.recipientAccountId).toBe('444455556666');
    expect(r.userIdentity?.accountId).toBe('444455556666');
    expect(r.userIdentity?.arn).toContain(':444455556666:');
    expect(r.eventTime).toBe('2027-01-02T03:04:05Z');
    expect(r).not.toHaveProperty('userAgent');
    expect(d.awsRegion).toBe('ap-southeast-2');
    expect(d.tlsDetails).toMatchObject({ clientProvidedHostHeader: 'ec2.ap-southeast-2.amazonaws.com' });
    expect(d.userIdentity?.arn).toMatch(/^arn:aws:sts::111122223333:assumed-role\/AWSReservedSSO_/);
  });

  it('leave global services out of other regions', () => {
    // Prepare
    const rng = createRng(4);
    const ctx = { accountId: '111122223333', region: 'eu-west-1', timeMs: Date.UTC(2026, 10, 24, 9) };

    // Act
    const records = Array.from({ length: 3000 }, () => mixedRecordAt(rng, ctx, { securityEventShare: 0.2 }));

    // Assess
    expect(records.filter((r) => r.awsRegion !== 'eu-west-1')).toEqual([]);
  });

  it('make an Insights Start/End pair without user identity or top-level event name', () => {
    // Prepare
    const rng = createRng(2);

    // Act
    const [start, end] = insightEventPair(rng, { eventTime: '2026-11-24T09:06:00Z' }, { insightType: 'ApiErrorRateInsight', durationMinutes: 5 });

    // Assess
    for (const r of [start, end]) {
      expect(r).toMatchObject({ eventVersion: '1.11', eventType: 'AwsCloudTrailInsight', eventCategory: 'Insight', recipientAccountId: '111122223333' });
      expect(r).not.toHaveProperty('userIdentity');
      expect(r).not.toHaveProperty('eventName');
      expect(r.eventID).toMatch(UUID_V4);
    }
    expect(start.sharedEventID).toBe(end.sharedEventID);
    expect(start.insightDetails).toMatchObject({ state: 'Start', insightType: 'ApiErrorRateInsight', errorCode: 'AccessDenied', insightContext: { statistics: { baseline: { average: expect.any(Number) }, insight: { average: expect.any(Number) }, insightDuration: 1, baselineDuration: 10080 } } });
    expect(end.insightDetails).toMatchObject({ state: 'End', insightContext: { statistics: { insightDuration: 5 } } });
    expect(end.eventTime).toBe('2026-11-24T09:11:00Z');
    const attributions = (start.insightDetails as { insightContext: { attributions: { attribute: string }[] } }).insightContext.attributions;
    expect(attributions.map((a) => a.attribute)).toEqual(['userIdentityArn', 'userAgent', 'errorCode']);
  });
});

describe('cloudTrailKey', () => {
  it('lays out keys exactly as CloudTrail does, with optional prefix and organization', () => {
    // Prepare
    const deliveredAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 59));

    // Act
    const plain = cloudTrailKey({ accountId: '111122223333', region: 'eu-west-1', deliveredAt, unique: 'AbCdEfGh12345678' });
    const org = cloudTrailKey({ prefix: 'org/trails', orgId: 'o-a1b2c3d4e5', accountId: '111122223333', region: 'eu-west-1', deliveredAt, unique: 'AbCdEfGh12345678' });

    // Assess
    expect(plain).toBe('AWSLogs/111122223333/CloudTrail/eu-west-1/2026/01/02/111122223333_CloudTrail_eu-west-1_20260102T0304Z_AbCdEfGh12345678.json.gz');
    expect(org).toBe('org/trails/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2026/01/02/111122223333_CloudTrail_eu-west-1_20260102T0304Z_AbCdEfGh12345678.json.gz');
    expect(plain).toMatch(LOG_KEY);
    expect(org).toMatch(LOG_KEY);
  });

  it('names digest and Insights files in their sibling folders', () => {
    // Prepare
    const at = new Date(Date.UTC(2026, 10, 24, 10, 0, 0));

    // Act
    const digest = digestKey({ accountId: '111122223333', region: 'us-east-1', trailName: 'management-trail', homeRegion: 'us-east-1', endTime: at });
    const insight = insightKey({ accountId: '111122223333', region: 'us-east-1', deliveredAt: at, unique: 'x'.repeat(16) });

    // Assess
    expect(digest).toBe('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/24/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20261124T100000Z.json.gz');
    expect(insight).toBe('AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/24/111122223333_CloudTrail-Insight_us-east-1_20261124T1000Z_xxxxxxxxxxxxxxxx.json.gz');
  });

  it.each([
    ['a short unique suffix', { unique: 'abc' }],
    ['a unique suffix with punctuation', { unique: 'abcdefgh-2345678' }],
    ['an account id that is not 12 digits', { accountId: '12345' }],
    ['an organization id without o-', { orgId: 'a1b2c3d4e5' }],
    ['a prefix with a trailing slash', { prefix: 'logs/' }],
  ])('rejects %s', (_name, bad) => {
    // Prepare
    const parts = { accountId: '111122223333', region: 'us-east-1', deliveredAt: new Date(0), unique: 'AbCdEfGh12345678', ...bad };

    // Act
    const build = () => cloudTrailKey(parts);

    // Assess
    expect(build).toThrow(RangeError);
  });
});

describe('writeLogFile', () => {
  const base = { accountId: '111122223333', region: 'us-east-1', start: new Date(Date.UTC(2026, 10, 24, 9, 0)) };

  it('writes a gzip {"Records":[...]} file with the requested count, its sizes and hash', async () => {
    // Prepare
    const file = path.join(tmp, 'count.json.gz');

    // Act
    const out = await writeLogFile(file, { ...base, seed: 1, recordCount: 321, securityEventShare: 0.1 });

    // Assess
    const raw = gunzipSync(readFileSync(file));
    const records = gunzipRecords(file);
    expect(records).toHaveLength(321);
    expect(out.records).toBe(321);
    expect(out.uncompressedBytes).toBe(raw.length);
    expect(out.compressedBytes).toBe(statSync(file).size);
    expect(out.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    for (const r of records) expectManagementRecord(r);
    const times = records.map((r) => Date.parse(r.eventTime ?? ''));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(base.start.getTime());
    expect(Math.max(...times)).toBeLessThan(base.start.getTime() + 5 * 60_000);
    expect(out.oldestEventTime).toBe(new Date(Math.min(...times)).toISOString().replace('.000', ''));
    // Roughly chronological: most neighbours in order, not all.
    const inOrder = times.slice(1).filter((t, i) => t >= (times[i] as number)).length;
    expect(inOrder / (times.length - 1)).toBeGreaterThan(0.8);
    expect(inOrder).toBeLessThan(times.length - 1);
  });

  it('gives the same bytes for the same seed and other bytes for another', async () => {
    // Prepare
    const [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(tmp, `det-${n}.json.gz`)) as [string, string, string];

    // Act
    await writeLogFile(a, { ...base, seed: 99, targetUncompressedBytes: 100_000 });
    await writeLogFile(b, { ...base, seed: 99, targetUncompressedBytes: 100_000 });
    await writeLogFile(c, { ...base, seed: 100, targetUncompressedBytes: 100_000 });

    // Assess
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(c).equals(readFileSync(a))).toBe(false);
  });

  it.each([20_000, 300_000, 2_000_000])('meets a target of %d uncompressed bytes within 5 %%', async (target) => {
    // Prepare
    const file = path.join(tmp, `size-${target}.json.gz`);

    // Act
    const out = await writeLogFile(file, { ...base, seed: target, targetUncompressedBytes: target });

    // Assess
    expect(Math.abs(out.uncompressedBytes - target) / target).toBeLessThan(0.05);
    expect(gunzipRecords(file)).toHaveLength(out.records);
  });

  it('counts bytes, not characters, for records it is given', async () => {
    // Prepare
    const file = path.join(tmp, 'utf8.json.gz');
    const writer = new RecordsFileWriter(file);

    // Act
    await writer.addRecord({ eventName: 'Café', eventTime: '2026-11-24T09:00:00Z' });
    const bytesBeforeClose = writer.bytes;
    const out = await writer.close();

    // Assess
    expect(out.uncompressedBytes).toBe(gunzipSync(readFileSync(file)).length);
    expect(bytesBeforeClose + 2).toBe(out.uncompressedBytes);
    expect(gunzipRecords(file)).toEqual([{ eventName: 'Café', eventTime: '2026-11-24T09:00:00Z' }]);
  });

  it('rejects a request for neither a count nor a size', async () => {
    // Prepare
    const opts = { ...base, seed: 1, recordCount: -1 };

    // Act
    const write = writeLogFile(path.join(tmp, 'never.json.gz'), opts);

    // Assess
    await expect(write).rejects.toThrow(RangeError);
  });
});

describe('generateCorpus', () => {
  it('writes one file per size under the CloudTrail layout, each within 5 % of its size', async () => {
    // Prepare
    const out = path.join(tmp, 'corpus');
    const sizes = ['40KB', '0.25MB'].map(parseSize);

    // Act
    const files = await generateCorpus({ out, sizes, seed: 5, accountId: '111122223333', region: 'us-east-1' });

    // Assess
    expect(sizes).toEqual([40 * 1024, 256 * 1024]);
    expect(files).toHaveLength(2);
    files.forEach((f, i) => {
      expect(f.key).toMatch(LOG_KEY);
      expect(Math.abs(f.uncompressedBytes - (sizes[i] as number)) / (sizes[i] as number)).toBeLessThan(0.05);
      expect(gunzipRecords(path.join(out, f.key))).toHaveLength(f.records);
    });
  });
});

describe('committed samples in events/', () => {
  const bucketDir = path.join(EVENTS_DIR, 'cloudtrail');
  const json = (name: string) => JSON.parse(readFileSync(path.join(EVENTS_DIR, name), 'utf8')) as unknown;
  const keys = listFiles(bucketDir);
  const logKeys = keys.filter((k) => /\/CloudTrail\//.test(k));
  const incidentKey = logKeys.find((k) => k.includes('us-east-1_20261124T0905Z')) as string;
  const benignKey = logKeys.find((k) => k.includes('us-east-1_20261124T0910Z')) as string;

  it('hold the objects a CloudTrail bucket holds, each small', () => {
    // Assess
    expect(logKeys).toHaveLength(3);
    for (const k of logKeys) expect(k).toMatch(LOG_KEY);
    expect(keys).toContain('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/24/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20261124T100000Z.json.gz');
    expect(keys.some((k) => /CloudTrail-Insight\/us-east-1\/2026\/11\/24\/111122223333_CloudTrail-Insight_us-east-1_20261124T0915Z_[A-Za-z0-9]{16}\.json\.gz$/.test(k))).toBe(true);
    expect(keys).toContain('AWSLogs/111122223333/Config/ConfigWritabilityCheckFile');
    expect(logKeys.some((k) => k.includes('/eu-west-1/'))).toBe(true);
    for (const k of keys) expect(statSync(path.join(bucketDir, k)).size).toBeLessThan(50 * 1024);
  });

  it('put the incident in the first us-east-1 file and nothing alarming in the second', () => {
    // Act
    const incident = gunzipRecords(path.join(bucketDir, incidentKey));
    const benign = gunzipRecords(path.join(bucketDir, benignKey));

    // Assess
    expect(incident.length).toBeGreaterThanOrEqual(190);
    const has = (pred: (r: CloudTrailRecord) => boolean) => incident.some(pred);
    expect(has((r) => r.eventName === 'ConsoleLogin' && r.userIdentity?.type === 'Root')).toBe(true);
    expect(has((r) => r.eventName === 'ConsoleLogin' && r.userIdentity?.type === 'IAMUser' && r.additionalEventData?.MFAUsed === 'No' && r.responseElements?.ConsoleLogin === 'Success')).toBe(true);
    for (const name of ['AttachRolePolicy', 'StopLogging', 'AuthorizeSecurityGroupIngress', 'CreateSecurityGroup']) expect(has((r) => r.eventName === name)).toBe(true);
    expect(incident.filter((r) => /^AccessDenied/.test(r.errorCode ?? '')).length).toBeGreaterThanOrEqual(3);
    expect(benign).toHaveLength(150);
    expect(benign.filter((r) => r.errorCode !== undefined || r.errorMessage !== undefined || r.userIdentity?.type === 'Root')).toEqual([]);
  });

  it('are trigger events Powertools accepts, naming the committed objects by size and ETag', () => {
    // Prepare
    const direct = S3Schema.parse(json('s3-put.json'));
    const batch = S3Schema.parse(json('s3-put-batch.json'));
    const sqs = S3SqsEventNotificationSchema.parse(json('sqs-s3.json'));
    const sns = SnsSchema.parse(json('sns-s3.json'));
    const eventBridge = S3EventNotificationEventBridgeSchema.parse(json('eventbridge-object-created.json'));
    const trailSns = SnsSchema.parse(json('cloudtrail-sns.json'));

    // Act
    const s3Records = [...direct.Records, ...batch.Records, ...sqs.Records.flatMap((r) => r.body.Records), ...S3Schema.parse(JSON.parse(sns.Records[0]!.Sns.Message)).Records];
    const trailMessage = JSON.parse(trailSns.Records[0]!.Sns.Message) as { s3Bucket: string; s3ObjectKey: string[] };

    // Assess
    for (const r of s3Records) {
      const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
      const bytes = readFileSync(path.join(bucketDir, key));
      expect(r.s3.bucket.name).toBe(SAMPLE_BUCKET);
      expect(r.s3.object.size).toBe(bytes.length);
      expect(r.s3.object.eTag).toBe(createHash('md5').update(bytes).digest('hex'));
    }
    expect(batch.Records.map((r) => decodeURIComponent(r.s3.object.key)).sort()).toEqual(keys);
    expect(sqs.Records.map((r) => r.body.Records[0]?.s3.object.key).sort()).toEqual([incidentKey, benignKey].sort());
    expect(direct.Records.map((r) => r.s3.object.key)).toEqual([s3EncodeKey(incidentKey)]);
    expect(eventBridge.detail.object.key).toBe(incidentKey);
    expect(trailMessage).toEqual({ s3Bucket: SAMPLE_BUCKET, s3ObjectKey: [incidentKey] });
  });

  it('are what make-samples writes today', async () => {
    // Prepare
    const dir = path.join(tmp, 'samples');

    // Act
    await makeSamples(dir);

    // Assess
    const regenerated = listFiles(path.join(dir, 'cloudtrail'));
    expect(regenerated).toEqual(keys);
    // Compare content, not gzip bytes: another zlib may compress the same JSON differently.
    for (const k of keys.filter((key) => key.endsWith('.gz'))) {
      expect(gunzipSync(readFileSync(path.join(dir, 'cloudtrail', k))).equals(gunzipSync(readFileSync(path.join(bucketDir, k))))).toBe(true);
    }
    expect(listFiles(dir).filter((f) => f.endsWith('.json'))).toEqual(listFiles(EVENTS_DIR).filter((f) => f.endsWith('.json') && path.dirname(f) === '.'));
  });
});
