/**
 * S3 key layouts CloudTrail delivers to (AWS-FACTS.md "CloudTrail delivery"):
 *
 *   [prefix/]AWSLogs/[o-orgid/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
 *   [prefix/]AWSLogs/[o-orgid/]<acct>/CloudTrail-Insight/<region>/YYYY/MM/DD/<acct>_CloudTrail-Insight_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
 *   [prefix/]AWSLogs/[o-orgid/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_YYYYMMDDTHHmmssZ.json.gz
 */
import type { Rng } from './rng';

export interface LogKeyParts {
  /** The trail's S3 key prefix, without slashes at either end. */
  readonly prefix?: string;
  /** Organization trails add the organization id, `o-` and 10–32 lower-case alphanumerics. */
  readonly orgId?: string;
  readonly accountId: string;
  readonly region: string;
  readonly deliveredAt: Date;
  /** 16 alphanumeric characters CloudTrail appends to keep names unique. */
  readonly unique: string;
}

export interface DigestKeyParts {
  readonly prefix?: string;
  readonly orgId?: string;
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
  readonly homeRegion: string;
  /** The end of the hour the digest covers. */
  readonly endTime: Date;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function datePath(d: Date): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** `YYYYMMDDTHHmmZ`, or with seconds for digests. */
function stamp(d: Date, seconds: boolean): string {
  const base = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  return `${base}${seconds ? pad(d.getUTCSeconds()) : ''}Z`;
}

function root(parts: { prefix?: string; orgId?: string; accountId: string }): string {
  if (!/^\d{12}$/.test(parts.accountId)) throw new RangeError(`account id must be 12 digits: ${parts.accountId}`);
  if (parts.orgId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(parts.orgId)) throw new RangeError(`organization id must look like o-xxxxxxxxxx: ${parts.orgId}`);
  if (parts.prefix !== undefined && (parts.prefix === '' || parts.prefix.startsWith('/') || parts.prefix.endsWith('/'))) {
    throw new RangeError(`prefix must be non-empty, without a leading or trailing slash: ${parts.prefix}`);
  }
  return `${parts.prefix ? `${parts.prefix}/` : ''}AWSLogs/${parts.orgId ? `${parts.orgId}/` : ''}${parts.accountId}`;
}

function checkUnique(unique: string): void {
  if (!/^[A-Za-z0-9]{16}$/.test(unique)) throw new RangeError(`unique suffix must be 16 alphanumeric characters: ${unique}`);
}

function fileKey(folder: 'CloudTrail' | 'CloudTrail-Insight', p: LogKeyParts): string {
  checkUnique(p.unique);
  return `${root(p)}/${folder}/${p.region}/${datePath(p.deliveredAt)}/${p.accountId}_${folder}_${p.region}_${stamp(p.deliveredAt, false)}_${p.unique}.json.gz`;
}

export function cloudTrailKey(parts: LogKeyParts): string {
  return fileKey('CloudTrail', parts);
}

export function insightKey(parts: LogKeyParts): string {
  return fileKey('CloudTrail-Insight', parts);
}

export function digestKey(p: DigestKeyParts): string {
  return `${root(p)}/CloudTrail-Digest/${p.region}/${datePath(p.endTime)}/${p.accountId}_CloudTrail-Digest_${p.region}_${p.trailName}_${p.homeRegion}_${stamp(p.endTime, true)}.json.gz`;
}

/** AWS Config's bucket-writability probe, which lands in the same buckets as trails. */
export function configWritabilityCheckKey(p: { prefix?: string; orgId?: string; accountId: string }): string {
  return `${root(p)}/Config/ConfigWritabilityCheckFile`;
}

export function uniqueSuffix(rng: Rng): string {
  return rng.alnum(16);
}
