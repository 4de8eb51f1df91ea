/**
 * Regenerates the committed samples in events/: `npx tsx bench/corpus/make-samples.ts`.
 * Deterministic (fixed seed, fixed delivery times): running it twice gives the same bytes.
 *
 * Writes, under events/cloudtrail/ (a bucket laid out as CloudTrail and AWS Config fill it):
 *  - us-east-1 09:05Z: ~200 records with an incident in them (failed and root sign-ins,
 *    a sign-in without MFA, a policy attached, a security group opened, the trail stopped,
 *    refused calls);
 *  - us-east-1 09:10Z: 150 benign records (nothing a CIS rule should flag);
 *  - eu-west-1 09:05Z: 120 records, a few security events among them;
 *  - the hourly digest (10:00:00Z), one Insights Start/End pair, AWS Config's probe file;
 * and next to them the trigger events that name those objects.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import { digestDocument } from './digest';
import { type WrittenFile, gzipJson, writeLogFile, writeRecordsFile } from './files';
import { cloudTrailKey, configWritabilityCheckKey, digestKey, insightKey, uniqueSuffix } from './keys';
import {
  type StoredObject,
  cloudTrailSnsEvent,
  eventBridgeObjectCreated,
  md5Hex,
  s3Event,
  snsS3Event,
  sqsEvent,
  storedAt,
} from './notifications';
import { type RecordContext, isoSeconds } from './principals';
import {
  type RecordFactory,
  accessDenied,
  attachRolePolicy,
  authorizeSecurityGroupIngress,
  benignRecordAt,
  consoleLoginFailure,
  consoleLoginWithoutMfa,
  createRng,
  createSecurityGroup,
  insightEventPair,
  rootApiCall,
  rootConsoleLogin,
  stopLogging,
  unauthorizedOperation,
} from './records';
import type { Rng } from './rng';

export const SAMPLE_SEED = 20261124;
export const SAMPLE_BUCKET = 'trailwatch-local-trail';
export const SAMPLE_ACCOUNT = '111122223333';
export const SAMPLE_REGION = 'us-east-1';
const TRAIL_NAME = 'management-trail';

export const EVENTS_DIR = path.resolve(__dirname, '..', '..', 'events');

const at = (hh: number, mm: number, ss = 0): Date => new Date(Date.UTC(2026, 10, 24, hh, mm, ss));

/** Where the incident's records go among the file's 200 slots. */
const INCIDENT: ReadonlyArray<readonly [slot: number, factory: RecordFactory | 'rootFollowUp']> = [
  [23, consoleLoginFailure],
  [31, rootConsoleLogin],
  [38, 'rootFollowUp'],
  [58, consoleLoginWithoutMfa],
  [61, accessDenied],
  [77, attachRolePolicy],
  [92, accessDenied],
  [102, createSecurityGroup],
  [104, authorizeSecurityGroupIngress],
  [120, unauthorizedOperation],
  [131, stopLogging],
  [150, accessDenied],
  [171, accessDenied],
];

/** ~200 records over 09:00–09:05 with the incident at fixed slots, everyday calls elsewhere. */
function incidentRecords(rng: Rng, start: Date): CloudTrailRecord[] {
  const slots = 200;
  const specials = new Map(INCIDENT);
  const records: CloudTrailRecord[] = [];
  let rootLogin: CloudTrailRecord | undefined;
  for (let i = 0; i < slots; i++) {
    const timeMs = start.getTime() + Math.floor((i * 300) / slots) * 1000;
    const ctx: RecordContext = { accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, timeMs };
    const special = specials.get(i);
    if (special === 'rootFollowUp') {
      // Root goes on to use the console from the address it signed in from, in the session it opened.
      const call = rootApiCall(rng, { eventTime: isoSeconds(timeMs), recipientAccountId: SAMPLE_ACCOUNT, awsRegion: SAMPLE_REGION, sourceIPAddress: rootLogin?.sourceIPAddress, userAgent: rootLogin?.userAgent });
      const attributes = (call.userIdentity?.sessionContext as { attributes?: Record<string, unknown> } | undefined)?.attributes;
      if (attributes && rootLogin?.eventTime) attributes.creationDate = rootLogin.eventTime;
      records.push(call);
    } else if (special) {
      const record = special.at(rng, ctx);
      if (special === rootConsoleLogin) rootLogin = record;
      records.push(record);
    } else {
      records.push(benignRecordAt(rng, ctx, { errorShare: 0.02 }));
    }
  }
  return records;
}

export interface Delivered {
  readonly object: StoredObject;
  readonly written?: WrittenFile;
}

/**
 * Writes the samples below `eventsDir` (default: the repository's events/) and returns
 * the objects written. The bucket folder `<eventsDir>/cloudtrail` is replaced.
 */
export async function makeSamples(eventsDir = EVENTS_DIR): Promise<Delivered[]> {
  const bucketDir = path.join(eventsDir, 'cloudtrail');
  const stored = (key: string, deliveredAt: Date, writer: StoredObject['writer'] = 'cloudtrail.amazonaws.com'): StoredObject => {
    const bytes = readFileSync(path.join(bucketDir, key));
    return { bucket: SAMPLE_BUCKET, key, size: bytes.length, eTag: md5Hex(bytes), createdAt: storedAt(deliveredAt, key), writer };
  };
  const ensureDir = (key: string): string => {
    const file = path.join(bucketDir, key);
    mkdirSync(path.dirname(file), { recursive: true });
    return file;
  };
  const writeJson = (name: string, doc: unknown): void => writeFileSync(path.join(eventsDir, name), `${JSON.stringify(doc, null, 2)}\n`);

  const rng = createRng(SAMPLE_SEED);
  // Keys draw from their own generator: changing what a file holds never renames it.
  const keyRng = createRng(SAMPLE_SEED + 100);
  const [uniqueA, uniqueB, uniqueC, uniqueInsight] = [uniqueSuffix(keyRng), uniqueSuffix(keyRng), uniqueSuffix(keyRng), uniqueSuffix(keyRng)];
  const scene = { accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION };
  rmSync(bucketDir, { recursive: true, force: true });

  // 1. The incident file.
  const deliveredA = at(9, 5);
  const keyA = cloudTrailKey({ accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, deliveredAt: deliveredA, unique: uniqueA });
  const writtenA = await writeRecordsFile(ensureDir(keyA), incidentRecords(rng, at(9, 0)));

  // 2. The next delivery: benign only.
  const deliveredB = at(9, 10);
  const keyB = cloudTrailKey({ accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, deliveredAt: deliveredB, unique: uniqueB });
  const writtenB = await writeLogFile(ensureDir(keyB), { seed: SAMPLE_SEED + 1, accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, start: at(9, 5), recordCount: 150, securityEventShare: 0, errorShare: 0 });

  // 3. Another region of the same multi-region trail.
  const keyC = cloudTrailKey({ accountId: SAMPLE_ACCOUNT, region: 'eu-west-1', deliveredAt: deliveredA, unique: uniqueC });
  const writtenC = await writeLogFile(ensureDir(keyC), { seed: SAMPLE_SEED + 2, accountId: SAMPLE_ACCOUNT, region: 'eu-west-1', start: at(9, 0), recordCount: 120, securityEventShare: 0.04 });

  // 4. The hourly digest for us-east-1, listing the two files delivered in 09:00–10:00.
  const digestEnd = at(10, 0);
  const keyDigest = digestKey({ accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, trailName: TRAIL_NAME, homeRegion: SAMPLE_REGION, endTime: digestEnd });
  const digest = digestDocument(rng, {
    accountId: SAMPLE_ACCOUNT,
    bucket: SAMPLE_BUCKET,
    key: keyDigest,
    startTime: at(9, 0),
    endTime: digestEnd,
    // the first digest of its chain, so that `npm start` can show it valid (signed at run time)
    previousKey: null,
    logFiles: [
      { bucket: SAMPLE_BUCKET, key: keyA, ...writtenA },
      { bucket: SAMPLE_BUCKET, key: keyB, ...writtenB },
    ],
  });
  writeFileSync(ensureDir(keyDigest), gzipJson(digest));

  // 5. One Insights event: Start and End of a RunInstances call-rate spike.
  const deliveredInsight = at(9, 15);
  const keyInsight = insightKey({ accountId: SAMPLE_ACCOUNT, region: SAMPLE_REGION, deliveredAt: deliveredInsight, unique: uniqueInsight });
  const writtenInsight = await writeRecordsFile(ensureDir(keyInsight), insightEventPair(rng, { eventTime: '2026-11-24T09:06:00Z', recipientAccountId: SAMPLE_ACCOUNT, awsRegion: SAMPLE_REGION }));

  // 6. AWS Config's writability probe: an empty object (reported as 0 bytes by users who list it).
  const keyConfig = configWritabilityCheckKey({ accountId: SAMPLE_ACCOUNT });
  writeFileSync(ensureDir(keyConfig), '');

  const delivered: Delivered[] = [
    { object: stored(keyA, deliveredA), written: writtenA },
    { object: stored(keyB, deliveredB), written: writtenB },
    { object: stored(keyC, deliveredA), written: writtenC },
    { object: stored(keyDigest, digestEnd) },
    { object: stored(keyInsight, deliveredInsight), written: writtenInsight },
    { object: stored(keyConfig, at(8, 47), 'config.amazonaws.com') },
  ];
  const [a, b] = delivered.map((d) => d.object) as [StoredObject, StoredObject];

  // Trigger events, each drawn from its own seed so editing one leaves the others unchanged.
  const triggerRng = (n: number) => createRng(SAMPLE_SEED * 10 + n);
  writeJson('s3-put.json', s3Event(triggerRng(1), [a], scene));
  writeJson('s3-put-batch.json', s3Event(triggerRng(2), delivered.map((d) => d.object), scene));
  writeJson('sqs-s3.json', sqsEvent(triggerRng(3), [a, b], scene));
  writeJson('sns-s3.json', snsS3Event(triggerRng(4), a, scene));
  writeJson('eventbridge-object-created.json', eventBridgeObjectCreated(triggerRng(5), a, scene));
  writeJson('cloudtrail-sns.json', cloudTrailSnsEvent(triggerRng(6), SAMPLE_BUCKET, [a.key], new Date(a.createdAt.getTime() + 1_200), scene));
  return delivered;
}

if (require.main === module) {
  makeSamples()
    .then((delivered) => {
      for (const { object, written } of delivered) {
        const records = written ? String(written.records).padStart(4) : '   -';
        console.log(`${String(object.size).padStart(7)} B  ${records} records  ${object.key}`);
      }
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
