import type { ObjectRef } from '../cloudtrail/types';
import type { Finding, Principal } from '../findings';
import type { CompiledRule } from './rule';

/**
 * The facts an on-call person needs, read from one matching record. Records are untrusted
 * and any field may be absent, null or of another type (Insights records have no
 * eventName or userIdentity): only strings are taken, everything else is left out.
 */
export function findingFor(
  rule: CompiledRule,
  record: unknown,
  object: ObjectRef,
  facts: { readonly count: number; readonly dedupKey: string; readonly details?: Readonly<Record<string, unknown>> },
): Finding {
  const r = asObject(record);
  const identity = asObject(r?.userIdentity);
  const finding: Record<string, unknown> = {};
  // only defined values, set once: `delete` would turn each of a storm's findings into a slow dictionary object
  const put = (key: keyof Finding, value: unknown): void => {
    if (value !== undefined) finding[key] = value;
  };
  put('ruleId', rule.id);
  put('title', rule.title);
  put('severity', rule.severity);
  put('source', rule.source);
  put('description', rule.description);
  put('runbook', rule.runbook);
  put('references', rule.references);
  put('eventID', text(r?.eventID));
  put('eventTime', text(r?.eventTime));
  put('eventName', text(r?.eventName));
  put('eventSource', text(r?.eventSource));
  put('accountId', text(r?.recipientAccountId) ?? text(identity?.accountId));
  put('region', text(r?.awsRegion));
  put('principal', principalOf(identity));
  put('sourceIPAddress', text(r?.sourceIPAddress));
  put('userAgent', text(r?.userAgent));
  put('errorCode', text(r?.errorCode));
  put('object', { bucket: object.bucket, key: object.key, ...(object.versionId === undefined ? {} : { versionId: object.versionId }) });
  put('count', facts.count);
  put('dedupKey', facts.dedupKey);
  put('details', facts.details);
  return finding as unknown as Finding;
}

/**
 * What `findingFor` reads from a record, copied: the engine keeps this for a finding it may
 * still list instead of the whole record, so a file's up to 500 matches per rule do not keep
 * their records (request and response elements, resources) alive until the file ends
 * (issue 15: peak memory with rules on). Only strings are copied, as `findingFor` reads
 * only strings; `findingFor(rule, findingFacts(r), …)` equals `findingFor(rule, r, …)`.
 */
export function findingFacts(record: unknown): Record<string, unknown> | undefined {
  const r = asObject(record);
  if (r === undefined) return undefined;
  const facts: Record<string, unknown> = {};
  for (const key of RECORD_FIELDS) if (typeof r[key] === 'string') facts[key] = r[key];
  const identity = asObject(r.userIdentity);
  if (identity !== undefined) {
    const copy: Record<string, unknown> = {};
    for (const key of IDENTITY_FIELDS) if (typeof identity[key] === 'string') copy[key] = identity[key];
    const issuerName = asObject(asObject(identity.sessionContext)?.sessionIssuer)?.userName;
    if (typeof issuerName === 'string') copy.sessionContext = { sessionIssuer: { userName: issuerName } };
    facts.userIdentity = copy;
  }
  return facts;
}

/** The record's own fields `findingFor` reads; keep in step with it. */
const RECORD_FIELDS = ['eventID', 'eventTime', 'eventName', 'eventSource', 'recipientAccountId', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode'] as const;
/** userIdentity's fields `principalOf` reads (besides sessionContext.sessionIssuer.userName). */
const IDENTITY_FIELDS = ['type', 'arn', 'userName', 'invokedBy', 'accountId'] as const;

/**
 * Type and ARN, plus a name where CloudTrail gives one: the IAM user name, the role behind
 * an assumed-role session, or the service that acted (`invokedBy`).
 */
export function principalOf(identity: Record<string, unknown> | undefined): Principal | undefined {
  if (identity === undefined) return undefined;
  const issuer = asObject(asObject(identity.sessionContext)?.sessionIssuer);
  const principal: Record<string, string> = {};
  const type = text(identity.type);
  const arn = text(identity.arn);
  const userName = text(identity.userName) ?? text(issuer?.userName) ?? text(identity.invokedBy);
  const accountId = text(identity.accountId);
  if (type !== undefined) principal.type = type;
  if (arn !== undefined) principal.arn = arn;
  if (userName !== undefined) principal.userName = userName;
  if (accountId !== undefined) principal.accountId = accountId;
  return Object.keys(principal).length > 0 ? principal : undefined;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Strings only, and not empty (ConsoleLogin's `accessKeyId: ""` says nothing). */
function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
