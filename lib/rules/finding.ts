import type { ObjectRef } from '../cloudtrail/types';
import type { Finding } from '../findings';
import type { CompiledRule } from './rule';

/**
 * What a finding shows of its first record, read and resolved when the record matches: the
 * engine keeps this for a finding it may still list instead of the whole record, so a file's
 * up to 500 matches per rule do not keep their records (request and response elements,
 * resources) alive until the file ends (issue 15: peak memory with rules on).
 *
 * One flat object of strings (empty and non-string values already left out, the account and
 * principal already resolved), not a copy of the record's
 * nesting: a kept finding used to hold facts, identity facts and, for an assumed role, two
 * more objects for `sessionContext.sessionIssuer` — each copied by the young-generation
 * collector until the file ends (p15-engine7). `findingFromFacts(rule, findingFacts(r), …)`
 * equals the finding the reference in test/unit/rules/reference-finding.ts reads from the
 * whole record, key order included (test/unit/rules/finding-facts.test.ts).
 *
 * Records are untrusted and any field may be absent, null or of another type (Insights
 * records have no eventName or userIdentity): only non-empty strings are taken.
 */
export interface FindingFacts {
  readonly eventID: string | undefined;
  readonly eventTime: string | undefined;
  readonly eventName: string | undefined;
  readonly eventSource: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  /** userIdentity was an object: the finding has a principal if one of the four is defined. */
  readonly principalType: string | undefined;
  readonly principalArn: string | undefined;
  readonly principalUserName: string | undefined;
  readonly principalAccountId: string | undefined;
  readonly sourceIPAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly errorCode: string | undefined;
}

export function findingFacts(record: unknown): FindingFacts | undefined {
  const r = asObject(record);
  if (r === undefined) return undefined;
  const identity = asObject(r.userIdentity);
  const identityAccount = identity === undefined ? undefined : text(identity.accountId);
  // one literal, one shape whatever the record holds: read by fixed names
  return {
    eventID: text(r.eventID),
    eventTime: text(r.eventTime),
    eventName: text(r.eventName),
    eventSource: text(r.eventSource),
    accountId: text(r.recipientAccountId) ?? identityAccount,
    region: text(r.awsRegion),
    principalType: identity === undefined ? undefined : text(identity.type),
    principalArn: identity === undefined ? undefined : text(identity.arn),
    principalUserName:
      identity === undefined ? undefined : (text(identity.userName) ?? text(asObject(asObject(identity.sessionContext)?.sessionIssuer)?.userName) ?? text(identity.invokedBy)),
    principalAccountId: identityAccount,
    sourceIPAddress: text(r.sourceIPAddress),
    userAgent: text(r.userAgent),
    errorCode: text(r.errorCode),
  };
}

/**
 * The facts an on-call person needs, from what `findingFacts` kept of the matching record
 * (undefined: not an object, or no record, as for an expired exception's finding).
 */
export function findingFromFacts(
  rule: CompiledRule,
  kept: FindingFacts | undefined,
  object: ObjectRef,
  facts: { readonly count: number; readonly dedupKey: string; readonly details?: Readonly<Record<string, unknown>> },
): Finding {
  const finding: Record<string, unknown> = {};
  // only defined values, each set once: `delete` would turn each of a storm's findings into
  // a slow dictionary object
  finding.ruleId = rule.id;
  finding.title = rule.title;
  finding.severity = rule.severity;
  finding.source = rule.source;
  if (rule.description !== undefined) finding.description = rule.description;
  if (rule.runbook !== undefined) finding.runbook = rule.runbook;
  if (rule.references !== undefined) finding.references = rule.references;
  if (kept !== undefined) {
    if (kept.eventID !== undefined) finding.eventID = kept.eventID;
    if (kept.eventTime !== undefined) finding.eventTime = kept.eventTime;
    if (kept.eventName !== undefined) finding.eventName = kept.eventName;
    if (kept.eventSource !== undefined) finding.eventSource = kept.eventSource;
    if (kept.accountId !== undefined) finding.accountId = kept.accountId;
    if (kept.region !== undefined) finding.region = kept.region;
    const { principalType: type, principalArn: arn, principalUserName: userName, principalAccountId: accountId } = kept;
    if (type !== undefined || arn !== undefined || userName !== undefined || accountId !== undefined) {
      // type and ARN, plus a name where CloudTrail gives one (the IAM user name, the role
      // behind an assumed-role session, or the service that acted); only the defined ones
      const principal: Record<string, string> = {};
      if (type !== undefined) principal.type = type;
      if (arn !== undefined) principal.arn = arn;
      if (userName !== undefined) principal.userName = userName;
      if (accountId !== undefined) principal.accountId = accountId;
      finding.principal = principal;
    }
    if (kept.sourceIPAddress !== undefined) finding.sourceIPAddress = kept.sourceIPAddress;
    if (kept.userAgent !== undefined) finding.userAgent = kept.userAgent;
    if (kept.errorCode !== undefined) finding.errorCode = kept.errorCode;
  }
  finding.object = { bucket: object.bucket, key: object.key, ...(object.versionId === undefined ? {} : { versionId: object.versionId }) };
  finding.count = facts.count;
  finding.dedupKey = facts.dedupKey;
  if (facts.details !== undefined) finding.details = facts.details;
  return finding as unknown as Finding;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Strings only, and not empty (ConsoleLogin's `accessKeyId: ""` says nothing). */
function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
