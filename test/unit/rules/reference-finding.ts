import type { ObjectRef } from '../../../lib/cloudtrail/types';
import type { Finding, Principal } from '../../../lib/findings';
import type { CompiledRule } from '../../../lib/rules/rule';

// The finding as the engine built it before p15-engine7, read from the whole matching record
// at the end of the file: the reference lib/rules/finding.ts's findingFacts + findingFromFacts
// (what the engine keeps of a record now) are checked against (finding-facts.test.ts).

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
  // only defined values, set once: `delete` would turn each of a storm's findings into a slow
  // dictionary object. Written out rather than through a helper closure: a file's findings
  // are built here one by one (up to 500 per rule), and a closure per finding showed in profiles.
  finding.ruleId = rule.id;
  finding.title = rule.title;
  finding.severity = rule.severity;
  finding.source = rule.source;
  if (rule.description !== undefined) finding.description = rule.description;
  if (rule.runbook !== undefined) finding.runbook = rule.runbook;
  if (rule.references !== undefined) finding.references = rule.references;
  let v: string | undefined;
  if ((v = text(r?.eventID)) !== undefined) finding.eventID = v;
  if ((v = text(r?.eventTime)) !== undefined) finding.eventTime = v;
  if ((v = text(r?.eventName)) !== undefined) finding.eventName = v;
  if ((v = text(r?.eventSource)) !== undefined) finding.eventSource = v;
  if ((v = text(r?.recipientAccountId) ?? text(identity?.accountId)) !== undefined) finding.accountId = v;
  if ((v = text(r?.awsRegion)) !== undefined) finding.region = v;
  const principal = principalOf(identity);
  if (principal !== undefined) finding.principal = principal;
  if ((v = text(r?.sourceIPAddress)) !== undefined) finding.sourceIPAddress = v;
  if ((v = text(r?.userAgent)) !== undefined) finding.userAgent = v;
  if ((v = text(r?.errorCode)) !== undefined) finding.errorCode = v;
  finding.object = { bucket: object.bucket, key: object.key, ...(object.versionId === undefined ? {} : { versionId: object.versionId }) };
  finding.count = facts.count;
  finding.dedupKey = facts.dedupKey;
  if (facts.details !== undefined) finding.details = facts.details;
  return finding as unknown as Finding;
}

/**
 * Type and ARN, plus a name where CloudTrail gives one: the IAM user name, the role behind
 * an assumed-role session, or the service that acted (`invokedBy`).
 */
function principalOf(identity: Record<string, unknown> | undefined): Principal | undefined {
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

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
