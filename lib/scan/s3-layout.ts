import { classifyKey } from '../cloudtrail/classify';
import type { ObjectSource } from '../cloudtrail/source';
import type { ObjectLister } from '../replay/reprocess';
import { selectForReprocess } from '../replay/reprocess';
import { ScanInputError } from './errors';
import type { ScanItem } from './inputs';

/**
 * `scan s3://bucket/prefix --from --to`: walks CloudTrail's key layout
 *   [prefix/]AWSLogs/[o-org/]<account>/CloudTrail[-Insight]/<region>/YYYY/MM/DD/
 * with one-level (delimiter) listings to find the organisation, accounts and Regions, then
 * lists only the day folders that [from, to) touches: a week of one trail is a few hundred
 * list calls, never a listing of the whole bucket. Pure: S3 is behind the two ports.
 */

/** Port: the sub-folders of a prefix, one level (ListObjectsV2 with Delimiter `/`). */
export interface FolderLister {
  folders(bucket: string, prefix: string): AsyncIterable<string>;
}

export interface S3Location {
  readonly bucket: string;
  /** '' or ending in `/`: the scan treats it as a folder. */
  readonly prefix: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** The folders under an account that hold event records (the Lambda reads both). */
const RECORD_FOLDERS = ['CloudTrail', 'CloudTrail-Insight'] as const;
const DAY_MS = 86_400_000;

export function isS3Url(text: string): boolean {
  return text.startsWith('s3://');
}

export function parseS3Url(text: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
  if (!match) throw new ScanInputError(`${text}: not an S3 URL of a bucket (expected s3://bucket or s3://bucket/prefix)`);
  const raw = match[2] ?? '';
  return { bucket: match[1] as string, prefix: raw === '' || raw.endsWith('/') ? raw : `${raw}/` };
}

/** The UTC day folders (`YYYY/MM/DD`) that [from, to) touches, oldest first. */
export function dayFolders(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = to.getTime() - 1;
  for (let t = Math.floor(from.getTime() / DAY_MS) * DAY_MS; t <= last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, '/'));
  return days;
}

export interface S3ScanCounts {
  /** Day folders listed. */
  dayFolders: number;
  /** Objects in those folders delivered outside [from, to) (by the time in the file name): not read. */
  outsideRange: number;
}

/**
 * The objects to scan, in key order (so the in-memory anomaly baseline sees each account's
 * and Region's files oldest first), pulled lazily as the scan's pool frees up.
 */
export async function* s3ScanItems(
  where: S3Location,
  range: { readonly from: Date; readonly to: Date },
  lister: FolderLister & ObjectLister,
  source: ObjectSource,
  counts: S3ScanCounts = { dayFolders: 0, outsideRange: 0 },
): AsyncGenerator<ScanItem> {
  const { bucket } = where;
  const parts = where.prefix.split('/').filter((p) => p !== '');
  const anchor = parts.lastIndexOf('AWSLogs');
  let base: string;
  let rest: string[];
  if (anchor >= 0) {
    base = `${parts.slice(0, anchor + 1).join('/')}/`;
    rest = parts.slice(anchor + 1);
  } else {
    base = `${where.prefix}AWSLogs/`;
    rest = [];
    let found = false;
    for await (const folder of lister.folders(bucket, where.prefix)) if (folder === base) found = true;
    if (!found) throw new ScanInputError(`s3://${bucket}/${where.prefix}: no AWSLogs/ folder there; give the trail's key prefix (the part before AWSLogs/) or a path below AWSLogs/`);
  }
  const days = dayFolders(range.from, range.to);
  let seen = 0;
  for await (const region of regionFolders(lister, bucket, base, rest)) {
    const below = rest.slice(regionDepth(rest));
    for (const day of days) {
      const dayParts = day.split('/');
      // a prefix given below the Region (…/2026/11/) narrows the days to those under it
      if (!below.slice(0, 3).every((p, i) => p === dayParts[i])) continue;
      const prefix = below.length > 3 ? `${region}${below.join('/')}/` : `${region}${day}/`;
      counts.dayFolders++;
      for await (const object of lister.list(bucket, prefix)) {
        seen++;
        if (selectForReprocess(object.key, range.from, range.to) === 'outside-range') {
          counts.outsideRange++;
          continue;
        }
        yield {
          ref: { bucket, key: object.key },
          name: `s3://${bucket}/${object.key}`,
          ...(object.size === undefined ? {} : { size: object.size }),
          source,
          trailKey: classifyKey(object.key).kind !== 'other',
        };
      }
    }
  }
  if (seen === 0) throw new ScanInputError(`s3://${bucket}/${where.prefix}: no CloudTrail files delivered between ${range.from.toISOString()} and ${range.to.toISOString()} (${counts.dayFolders} day folder(s) listed)`);
}

/** How many of the given parts below AWSLogs/ name the organisation, account, folder and Region. */
function regionDepth(rest: readonly string[]): number {
  return rest[0] !== undefined && ORGANIZATION_ID.test(rest[0]) ? 4 : 3;
}

/** `…/AWSLogs/[o-org/]<account>/CloudTrail[-Insight]/<region>/` folders, given parts fixed, the others listed. */
async function* regionFolders(lister: FolderLister, bucket: string, base: string, rest: readonly string[]): AsyncGenerator<string> {
  const fixedOr = async function* (prefix: string, part: string | undefined, keep: (name: string) => boolean): AsyncGenerator<string> {
    if (part !== undefined) {
      yield `${prefix}${part}/`;
      return;
    }
    for await (const folder of lister.folders(bucket, prefix)) if (keep(folder.slice(prefix.length, -1))) yield folder;
  };
  for await (const top of fixedOr(base, rest[0], (n) => ACCOUNT_ID.test(n) || ORGANIZATION_ID.test(n))) {
    const topName = top.slice(base.length, -1);
    const org = ORGANIZATION_ID.test(topName);
    const accounts = org ? fixedOr(top, rest[1], (n) => ACCOUNT_ID.test(n)) : single(top);
    const more = org ? rest.slice(2) : rest.slice(1);
    for await (const account of accounts) {
      const folders = more[0] !== undefined ? [more[0]] : RECORD_FOLDERS;
      for (const folder of folders) yield* fixedOr(`${account}${folder}/`, more[1], (n) => REGION.test(n));
    }
  }
}

async function* single<T>(value: T): AsyncGenerator<T> {
  yield value;
}
