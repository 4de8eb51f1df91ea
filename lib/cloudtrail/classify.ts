/**
 * What an object in a CloudTrail bucket is, from its (decoded) key alone, so the pipeline
 * reads only files of event records and logs a reason for everything else.
 *
 * Layout (CloudTrail user guide, "Finding your CloudTrail log files"):
 *   [prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/
 *     <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
 * Sibling folders: CloudTrail-Insight (same record format, read), CloudTrail-Digest,
 * CloudTrail-NetworkActivity, CloudTrail-Aggregated (not read); AWS Config shares buckets
 * and writes `ConfigWritabilityCheckFile` probes and its own `Config/` files.
 *
 * Pure and total: any string gives a KeyClass, never an exception. Linear time: one split,
 * one backward scan, and only anchored regular expressions without nested ambiguous
 * quantifiers, each applied to one path part (S3 keys are up to 1,024 bytes, but callers
 * may pass anything).
 */

export type KeyKind = 'log' | 'insight' | 'digest' | 'network-activity' | 'aggregated' | 'config-check' | 'other';

export interface KeyClass {
  kind: KeyKind;
  /** Whether the pipeline reads this object's records. True for 'log' and 'insight' only. */
  process: boolean;
  /** Human-readable reason, always set: why processed or why skipped. */
  reason: string;
  /** Everything before `/AWSLogs/`, so `${prefix}/AWSLogs/…` is the key; absent when the key starts at AWSLogs/. */
  prefix?: string;
  organizationId?: string;
  accountId?: string;
  region?: string;
  /** Delivery time from the file name (UTC), when the name carries it. */
  deliveredAt?: Date;
}

const ANCHOR = 'AWSLogs';
const CONFIG_PROBE = 'ConfigWritabilityCheckFile';
const SUFFIX = '.json.gz';

const ACCOUNT_ID = /^\d{12}$/;
/** Organizations ID: `o-` and 10 to 32 lower-case letters or digits. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** us-east-1, us-gov-west-1, cn-northwest-1, us-isob-east-1, … */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const YEAR = /^\d{4}$/;
const MONTH_OR_DAY = /^\d{2}$/;
/** Log and Insights file names: minute precision. */
const MINUTE_STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/;
/** Digest file names: second precision. */
const SECOND_STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Folders under AWSLogs/[o-…/]<account>/. A Map, so a folder named `constructor` finds nothing. */
const FOLDERS = new Map<string, Exclude<KeyKind, 'config-check' | 'other'>>([
  ['CloudTrail', 'log'],
  ['CloudTrail-Insight', 'insight'],
  ['CloudTrail-Digest', 'digest'],
  ['CloudTrail-NetworkActivity', 'network-activity'],
  ['CloudTrail-Aggregated', 'aggregated'],
]);

const SKIP_REASON: Record<'digest' | 'network-activity' | 'aggregated', string> = {
  digest: 'CloudTrail digest file (CloudTrail-Digest/): integrity hashes of log files, no event records',
  'network-activity': 'CloudTrail network activity events (CloudTrail-NetworkActivity/): not read by trailwatch',
  aggregated: 'CloudTrail aggregated events (CloudTrail-Aggregated/): a different format, not read by trailwatch',
};

/** Where the key's AWSLogs/ part puts it. */
interface Location {
  prefix?: string;
  organizationId?: string;
  accountId: string;
  folder: string;
  /** Path parts after the folder. */
  rest: string[];
}

export function classifyKey(key: string): KeyClass {
  const parts = key.split('/');
  const location = locate(parts);
  const where = location === undefined ? {} : whereFields(location);

  // Config probes appear both as …/AWSLogs/<account>/Config/ConfigWritabilityCheckFile and bare under a prefix.
  if (parts[parts.length - 1] === CONFIG_PROBE) {
    return { kind: 'config-check', process: false, reason: 'AWS Config write probe (ConfigWritabilityCheckFile), not a CloudTrail file', ...where };
  }
  if (location === undefined) {
    return other(
      parts.includes(ANCHOR)
        ? 'AWSLogs/ is not followed by <account>/<folder>/ (a 12-digit account ID, optionally after an o-… organization ID)'
        : 'no AWSLogs/ folder in the key: not a CloudTrail delivery path',
    );
  }
  if (location.folder === 'Config') {
    return other('AWS Config delivery (AWSLogs/<account>/Config/), not CloudTrail', where);
  }
  const kind = FOLDERS.get(location.folder);
  if (kind === undefined) {
    return other(`folder ${quote(location.folder)} after AWSLogs/<account>/ is not a CloudTrail folder`, where);
  }
  if (kind === 'log' || kind === 'insight') return classifyRecordFile(kind, location, where);
  return { kind, process: false, reason: SKIP_REASON[kind], ...where, ...looseDetails(location) };
}

/**
 * The tail of a CloudTrail key is fixed, so the last AWSLogs part followed by an account ID
 * is the anchor; a prefix may itself contain `AWSLogs`.
 */
function locate(parts: readonly string[]): Location | undefined {
  for (let index = parts.length - 1; index >= 0; index -= 1) {
    if (parts[index] !== ANCHOR) continue;
    let next = index + 1;
    const organizationId = parts[next];
    const hasOrganization = organizationId !== undefined && ORGANIZATION_ID.test(organizationId);
    if (hasOrganization) next += 1;
    const accountId = parts[next];
    const folder = parts[next + 1];
    if (accountId === undefined || !ACCOUNT_ID.test(accountId) || folder === undefined) continue;
    return {
      ...(index > 0 ? { prefix: parts.slice(0, index).join('/') } : {}),
      ...(hasOrganization ? { organizationId } : {}),
      accountId,
      folder,
      rest: parts.slice(next + 2),
    };
  }
  return undefined;
}

function whereFields({ prefix, organizationId, accountId }: Location): Partial<KeyClass> {
  return {
    ...(prefix === undefined ? {} : { prefix }),
    ...(organizationId === undefined ? {} : { organizationId }),
    accountId,
  };
}

/**
 * Log and Insights files are read, so every part of the path must agree: the folder and the
 * file name name the same account, region and day, and the file is gzipped JSON.
 */
function classifyRecordFile(kind: 'log' | 'insight', location: Location, where: Partial<KeyClass>): KeyClass {
  const folder = location.folder;
  const { rest, accountId } = location;
  if (rest.length !== 5) {
    return other(`expected <region>/YYYY/MM/DD/<file> after ${folder}/, found ${rest.length} path part(s)`, where);
  }
  const [region, year, month, day, file] = rest as [string, string, string, string, string];
  if (!REGION.test(region)) return other(`region folder ${quote(region)} is not an AWS Region code`, where);
  if (!YEAR.test(year) || !MONTH_OR_DAY.test(month) || !MONTH_OR_DAY.test(day)) {
    return other(`date folders ${quote(`${year}/${month}/${day}`)} are not YYYY/MM/DD`, where, { region });
  }
  if (!file.endsWith(SUFFIX)) return other(`file name ${quote(file)} does not end in ${SUFFIX}`, where, { region });

  // <account>_<folder>_<region>_<stamp>_<unique>; only the unique part could hold more underscores.
  const fields = file.slice(0, -SUFFIX.length).split('_');
  const [fileAccount, fileFolder, fileRegion, stamp] = fields;
  const unique = fields.slice(4).join('_');
  const shape = `<account>_${folder}_<region>_<YYYYMMDDTHHmmZ>_<unique>${SUFFIX}`;
  if (fileAccount === undefined || fileFolder === undefined || fileRegion === undefined || stamp === undefined || unique === '') {
    return other(`file name ${quote(file)} is not ${shape}`, where, { region });
  }
  if (fileFolder !== folder) return other(`file name ${quote(file)} is not ${shape}`, where, { region });
  if (fileAccount !== accountId) {
    return other(`account in the file name (${quote(fileAccount)}) differs from the folder's (${accountId})`, where, { region });
  }
  if (fileRegion !== region) {
    return other(`region in the file name (${quote(fileRegion)}) differs from the folder's (${region})`, where, { region });
  }
  const time = MINUTE_STAMP.exec(stamp);
  if (time === null) return other(`time in the file name (${quote(stamp)}) is not YYYYMMDDTHHmmZ`, where, { region });
  const [, fileYear, fileMonth, fileDay, hour, minute] = time as unknown as [string, string, string, string, string, string];
  if (fileYear !== year || fileMonth !== month || fileDay !== day) {
    return other(`date in the file name (${fileYear}/${fileMonth}/${fileDay}) differs from the date folders (${year}/${month}/${day})`, where, { region });
  }
  const deliveredAt = utcDate(fileYear, fileMonth, fileDay, hour, minute, '00');
  if (deliveredAt === undefined) return other(`time in the file name (${quote(stamp)}) is not a valid UTC time`, where, { region });

  const what = kind === 'log' ? 'CloudTrail log file' : 'CloudTrail Insights events file';
  return { kind, process: true, reason: `${what} of account ${accountId} in ${region}`, ...where, region, deliveredAt };
}

/** Region and delivery time of a file that is skipped anyway: taken where present, never required. */
function looseDetails({ rest }: Location): Pick<KeyClass, 'region' | 'deliveredAt'> {
  const region = rest[0] !== undefined && REGION.test(rest[0]) ? rest[0] : undefined;
  const file = rest.length > 0 ? (rest[rest.length - 1] ?? '') : '';
  let deliveredAt: Date | undefined;
  if (file.endsWith(SUFFIX)) {
    // From the end: a digest name ends in its time, and a trail name before it may look like one.
    for (const field of file.slice(0, -SUFFIX.length).split('_').reverse()) {
      const minute = MINUTE_STAMP.exec(field);
      const second = minute === null ? SECOND_STAMP.exec(field) : null;
      const time = minute ?? second;
      if (time === null) continue;
      deliveredAt = utcDate(time[1] ?? '', time[2] ?? '', time[3] ?? '', time[4] ?? '', time[5] ?? '', time[6] ?? '00');
      if (deliveredAt !== undefined) break;
    }
  }
  return { ...(region === undefined ? {} : { region }), ...(deliveredAt === undefined ? {} : { deliveredAt }) };
}

/** A UTC date from digit strings, or undefined when any part is out of range (2025-02-30, 24:00, …). */
function utcDate(year: string, month: string, day: string, hour: string, minute: string, second: string): Date | undefined {
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 30 February over into March: reject instead.
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

function other(reason: string, where: Partial<KeyClass> = {}, extra: Partial<KeyClass> = {}): KeyClass {
  return { kind: 'other', process: false, reason, ...where, ...extra };
}

/** A path part in a reason: quoted, escaped (keys may hold control characters) and cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
