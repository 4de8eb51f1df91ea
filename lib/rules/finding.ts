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
