/**
 * The unit Insights measures: one API of one service (`eventSource` + `eventName`), per
 * account and Region. Both names come from untrusted log records.
 */
export interface ApiRef {
  readonly eventSource: string;
  readonly eventName: string;
}

export const INSIGHT_TYPES = ['ApiCallRateInsight', 'ApiErrorRateInsight'] as const;
export type InsightType = (typeof INSIGHT_TYPES)[number];

export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/** Longer names are not real AWS API names; they are counted under one overflow id. */
export const MAX_NAME_LENGTH = 128;
const AWS_SUFFIX = '.amazonaws.com';

/**
 * A short, stable id for an API: `ec2/DescribeInstances`. It names DynamoDB attributes, and
 * item size is what DynamoDB bills writes by (1 KB write units), so the constant
 * `.amazonaws.com` is dropped. `|` separates parts of attribute names and is replaced.
 */
export function apiId(api: ApiRef): string {
  const source = api.eventSource.endsWith(AWS_SUFFIX) ? api.eventSource.slice(0, -AWS_SUFFIX.length) : `${api.eventSource}!`;
  return `${clean(source)}/${clean(api.eventName)}`;
}

export function apiLabel(api: ApiRef): string {
  return `${api.eventSource} ${api.eventName}`;
}

function clean(part: string): string {
  return part.replace(/\|/g, '_');
}

/** Is this a plausible API name pair to count under its own id? */
export function isCountableName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}

export function insightKey(type: InsightType, api: ApiRef): string {
  return `${type === 'ApiCallRateInsight' ? 'C' : 'E'}|${apiId(api)}`;
}
