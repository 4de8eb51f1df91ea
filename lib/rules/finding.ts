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
 * What a finding shows of its first record, read and resolved when the record matches: the
 * engine keeps this for a finding it may still list instead of the whole record, so a file's
 * up to 500 matches per rule do not keep their records (request and response elements,
 * resources) alive until the file ends (issue 15: peak memory with rules on).
 *
 * One flat object of strings (empty and non-string values already left out, the account and
 * principal already resolved as `findingFor` resolves them), not a copy of the record's
 * nesting: a kept finding used to hold facts, identity facts and, for an assumed role, two
 * more objects for `sessionContext.sessionIssuer` — each copied by the young-generation
 * collector until the file ends (p15-engine7). `findingFromFacts(rule, findingFacts(r), …)`
 * equals `findingFor(rule, r, …)`, key order included (test/unit/rules/finding-facts.test.ts).
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

/** `findingFor` over what `findingFacts` kept of the record (undefined: not an object). */
export function findingFromFacts(
  rule: CompiledRule,
  kept: FindingFacts | undefined,
  object: ObjectRef,
  facts: { readonly count: number; readonly dedupKey: string; readonly details?: Readonly<Record<string, unknown>> },
): Finding {
  const finding: Record<string, unknown> = {};
  // the same keys in the same order as `findingFor`, each set once (no `delete`)
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
      // as `principalOf`: only the defined ones, in its order
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
