import { accountOf, mergeReach, NOWHERE, organizationOf, type Reach } from './trust';

/**
 * Reading an IAM resource policy (S3 bucket, SQS queue, SNS topic, ECR repository, KMS key,
 * Secrets Manager secret, OpenSearch domain, Glacier vault) for who it lets in: pure, and
 * never throws — a policy it cannot read is reported as `unreadable`, which the rule
 * functions treat as exposed (a policy nobody can judge must not pass silently).
 *
 * Only Allow statements grant. A statement reaches:
 * - everyone: `Principal: "*"`, `{AWS: "*"}` (also inside a list), an ARN whose account is
 *   a wildcard, or `NotPrincipal` — unless a condition restricts it (below);
 * - the accounts its `AWS` principals name (`123456789012`, `arn:aws:iam::123456789012:…`),
 *   whatever its conditions say (the account is let in, conditions only narrow when);
 * - nobody outside for `Service`, `Federated` and `CanonicalUser` principals (not judged).
 *
 * A condition restricts a `*` principal when its operator is positive (StringEquals,
 * StringLike, StringEqualsIgnoreCase, ArnEquals, ArnLike, IpAddress, also with the
 * ForAnyValue: prefix) — not …IfExists or ForAllValues:, which hold when the key is absent,
 * and not the negated operators — its key is one of the keys below, and its values are not
 * bare wildcards (`*`, `0.0.0.0/0`, `::/0`). Keys are case-insensitive, as in IAM.
 */

/** Limit `*` to accounts: the grant reaches those accounts. */
const ACCOUNT_KEYS = new Set(['aws:principalaccount', 'aws:sourceaccount', 'aws:sourceowner', 'kms:calleraccount']);
/** Limit `*` to ARNs: the grant reaches their accounts (or nobody outside, for ARNs without one: S3 buckets). */
const ARN_KEYS = new Set(['aws:sourcearn', 'aws:principalarn']);
/** Limit `*` to organizations or OU paths. */
const ORG_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths']);
/** Limit `*` to a network: not public; which accounts sit behind it is not knowable here. */
const NETWORK_KEYS = new Set(['aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceip']);

const POSITIVE_OPERATORS = new Set(['stringequals', 'stringlike', 'stringequalsignorecase', 'arnequals', 'arnlike', 'ipaddress']);
const OPEN_VALUES = new Set(['*', '0.0.0.0/0', '::/0']);

export interface PolicyReach extends Reach {
  /** The value looks like a policy but cannot be read (JSON object text that does not parse). */
  readonly unreadable: boolean;
}

const NOTHING: PolicyReach = Object.freeze({ ...NOWHERE, unreadable: false });
const UNREADABLE: PolicyReach = Object.freeze({ ...NOWHERE, unreadable: true });

/** Who a policy (an object, or JSON text as SQS, SNS, ECR, KMS… record it) lets in. Absent or empty: nobody. */
export function policyReach(value: unknown): PolicyReach {
  if (value === undefined || value === null || value === '') return NOTHING;
  let doc: unknown = value;
  if (typeof value === 'string') {
    // SNS SetTopicAttributes carries every attribute in one field (DisplayName, DeliveryPolicy):
    // only text that looks like a JSON object is taken for a policy
    if (!value.trimStart().startsWith('{')) return NOTHING;
    try {
      doc = JSON.parse(value);
    } catch {
      return UNREADABLE;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return UNREADABLE;
  const statements = (doc as Record<string, unknown>).Statement;
  // an object without Statement is not a policy (an SNS DeliveryPolicy, Glacier's { policy: "…" } wrapper)
  if (statements === undefined) return NOTHING;
  const list = Array.isArray(statements) ? statements : [statements];
  return { ...mergeReach(list.map(statementReach)), unreadable: false };
}

function statementReach(statement: unknown): Reach {
  if (typeof statement !== 'object' || statement === null) return NOWHERE;
  const s = statement as Record<string, unknown>;
  if (s.Effect !== 'Allow') return NOWHERE;
  const principals = 'NotPrincipal' in s ? { everyone: true, accounts: [] } : principalsOf(s.Principal);
  if (!principals.everyone) return { public: false, accounts: principals.accounts, organizations: [] };
  const limit = conditionLimit(s.Condition);
  if (limit === undefined) return { public: true, accounts: principals.accounts, organizations: [] };
  return { public: false, accounts: [...principals.accounts, ...limit.accounts], organizations: limit.organizations };
}

function principalsOf(principal: unknown): { everyone: boolean; accounts: string[] } {
  if (principal === '*') return { everyone: true, accounts: [] };
  // ECR and SNS accept a bare ARN or account id as the principal
  const aws = typeof principal === 'string' ? principal : typeof principal === 'object' && principal !== null ? (principal as Record<string, unknown>).AWS : undefined;
  let everyone = false;
  const accounts: string[] = [];
  for (const v of asList(aws)) {
    const account = accountOf(v);
    if (account === '*') everyone = true;
    else if (account !== undefined) accounts.push(account);
  }
  return { everyone, accounts };
}

/**
 * What the conditions limit a `*` principal to, or undefined when nothing restricts it.
 * Conditions are ANDed: accounts (the narrowest) win over organizations, which win over a
 * network limit (not public, nobody outside that can be named).
 */
function conditionLimit(condition: unknown): { accounts: string[]; organizations: string[] } | undefined {
  if (typeof condition !== 'object' || condition === null) return undefined;
  let restricted = false;
  const accounts: string[] = [];
  const organizations: string[] = [];
  let accountLimited = false;
  for (const [operatorText, block] of Object.entries(condition)) {
    const operator = operatorText.toLowerCase().replace(/^foranyvalue:/, '');
    if (!POSITIVE_OPERATORS.has(operator) || typeof block !== 'object' || block === null) continue;
    for (const [keyText, raw] of Object.entries(block)) {
      const key = keyText.toLowerCase();
      const values = asList(raw);
      if (values.length === 0 || values.some((v) => OPEN_VALUES.has(v))) continue;
      if (ACCOUNT_KEYS.has(key)) {
        if (values.some((v) => /[*?]/.test(v))) continue;
        restricted = accountLimited = true;
        for (const v of values) accounts.push(v);
      } else if (ARN_KEYS.has(key)) {
        const owners = values.map(accountOf);
        if (owners.includes('*')) continue;
        restricted = true;
        const named = owners.filter((a): a is string => a !== undefined);
        if (named.length > 0) {
          accountLimited = true;
          for (const a of named) accounts.push(a);
        }
      } else if (ORG_KEYS.has(key)) {
        const orgs = values.map(organizationOf);
        if (orgs.includes(undefined)) continue;
        restricted = true;
        for (const o of orgs as string[]) organizations.push(o);
      } else if (NETWORK_KEYS.has(key)) {
        restricted = true;
      }
    }
  }
  if (!restricted) return undefined;
  if (accountLimited) return { accounts, organizations: [] };
  return { accounts: [], organizations };
}

/** A policy value as strings: `"x"` → [x], `["x", "y"]` → [x, y]; numbers as their text. */
export function asList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}
