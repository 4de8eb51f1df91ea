import { asList } from './policy';
import { accountOf, mergeReach, NOWHERE, organizationOf, type Reach } from './trust';

/**
 * Sharing changes that are not policies: who an attribute change, a Lambda permission or
 * an S3 ACL lets in, read from the record's requestParameters. Pure, never throws.
 */

/**
 * An attribute sharing change:
 * - EC2 `launchPermission` (ModifyImageAttribute) / `createVolumePermission`
 *   (ModifySnapshotAttribute): `{ add: { items: [{ userId }, { group: "all" },
 *   { organizationArn }, { organizationalUnitArn }] } }` — only `add` grants;
 * - a list of ids, as RDS `valuesToAdd` (ModifyDB(Cluster)SnapshotAttribute), SNS
 *   AddPermission `aWSAccountId` or EC2's flat `userIds`: `all` (or `*`) is everyone.
 */
export function sharingReach(value: unknown): Reach {
  if (value === undefined || value === null) return NOWHERE;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const add = (value as Record<string, unknown>).add;
    if (typeof add !== 'object' || add === null) return NOWHERE;
    const items = (add as Record<string, unknown>).items;
    const list = Array.isArray(items) ? items : [items];
    return mergeReach(list.map(itemReach));
  }
  return idsReach(asList(value));
}

function itemReach(item: unknown): Reach {
  if (typeof item !== 'object' || item === null) return NOWHERE;
  const i = item as Record<string, unknown>;
  const orgs = [i.organizationArn, i.organizationalUnitArn].filter((v): v is string => typeof v === 'string');
  return {
    public: i.group === 'all',
    accounts: typeof i.userId === 'string' || typeof i.userId === 'number' ? [String(i.userId)] : [],
    // an organization ARN whose id cannot be read counts as an unknown (untrusted) organization
    organizations: orgs.map((arn) => organizationOf(arn) ?? arn),
  };
}

function idsReach(ids: readonly string[]): Reach {
  const accounts: string[] = [];
  let everyone = false;
  for (const id of ids) {
    if (id.toLowerCase() === 'all' || id === '*') everyone = true;
    else {
      const account = accountOf(id);
      if (account === '*') everyone = true;
      else accounts.push(account ?? id);
    }
  }
  return { public: everyone, accounts, organizations: [] };
}

/**
 * A Lambda AddPermission (`requestParameters`: principal, sourceAccount, sourceArn,
 * principalOrgID): `*` is everyone unless sourceAccount, sourceArn (its account; an ARN
 * without one, an S3 bucket, restricts to nobody nameable) or principalOrgID limit it;
 * an account or ARN principal is that account; a service principal reaches the account in
 * sourceAccount / sourceArn when given, else nobody outside (not judged).
 */
export function permissionReach(params: unknown): Reach {
  if (typeof params !== 'object' || params === null) return NOWHERE;
  const p = params as Record<string, unknown>;
  const principal = typeof p.principal === 'string' ? p.principal : undefined;
  if (principal === undefined) return NOWHERE;
  const sourceAccount = typeof p.sourceAccount === 'string' ? p.sourceAccount : undefined;
  const sourceArn = typeof p.sourceArn === 'string' ? p.sourceArn : undefined;
  const org = typeof p.principalOrgID === 'string' ? p.principalOrgID : undefined;
  const limitedTo = (): Reach | undefined => {
    if (sourceAccount !== undefined) return { public: false, accounts: [sourceAccount], organizations: [] };
    if (sourceArn !== undefined) {
      const account = accountOf(sourceArn);
      if (account === '*') return undefined;
      return { public: false, accounts: account === undefined ? [] : [account], organizations: [] };
    }
    if (org !== undefined) return { public: false, accounts: [], organizations: [org] };
    return undefined;
  };
  if (principal === '*') return limitedTo() ?? { public: true, accounts: [], organizations: [] };
  if (/\.amazonaws\.com(\.cn)?$/.test(principal)) return limitedTo() ?? NOWHERE;
  const account = accountOf(principal);
  if (account === '*') return limitedTo() ?? { public: true, accounts: [], organizations: [] };
  return { public: false, accounts: account === undefined ? [] : [account], organizations: [] };
}

const PUBLIC_CANNED = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const PUBLIC_GROUP = /\/groups\/global\/(AllUsers|AuthenticatedUsers)\b/;
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

/**
 * An S3 ACL change (PutBucketAcl / CreateBucket `requestParameters`) that grants everyone
 * or every AWS account holder: a canned `x-amz-acl`, an `AccessControlPolicy` grant to the
 * AllUsers / AuthenticatedUsers group, or the same group in an `x-amz-grant-*` header.
 */
export function aclIsPublic(params: unknown): boolean {
  if (typeof params !== 'object' || params === null) return false;
  const p = params as Record<string, unknown>;
  if (asList(p['x-amz-acl']).some((acl) => PUBLIC_CANNED.has(acl))) return true;
  if (GRANT_HEADERS.some((h) => asList(p[h]).some((v) => PUBLIC_GROUP.test(v)))) return true;
  const acl = (p.AccessControlPolicy as { AccessControlList?: { Grant?: unknown } } | undefined)?.AccessControlList?.Grant;
  const grants = Array.isArray(acl) ? acl : [acl];
  return grants.some((g) => {
    const uri = (g as { Grantee?: { URI?: unknown } } | undefined)?.Grantee?.URI;
    return typeof uri === 'string' && PUBLIC_GROUP.test(uri);
  });
}
