/**
 * Who counts as "ours" when a rule function judges a grant: the account that wrote the
 * record (`recipientAccountId`, else `userIdentity.accountId`), the configured trusted
 * accounts, and the configured trusted organizations. Everything else is outside.
 */
export interface Trust {
  /** 12-digit account ids (TRUSTED_ACCOUNTS). */
  readonly accounts: readonly string[];
  /** Organization ids `o-…` (TRUSTED_ORGANIZATIONS). */
  readonly organizations: readonly string[];
}

export const NO_TRUST: Trust = Object.freeze({ accounts: Object.freeze([]), organizations: Object.freeze([]) });

/** What a grant reaches, as far as the record shows. */
export interface Reach {
  /** Anyone (`*` with no restricting condition, group `all`, AllUsers). */
  readonly public: boolean;
  /** Account ids named by the grant (principals, or the accounts a condition limits `*` to). */
  readonly accounts: readonly string[];
  /** Organization ids the grant is limited to (aws:PrincipalOrgID, an AMI's organizationArn). */
  readonly organizations: readonly string[];
}

export const NOWHERE: Reach = Object.freeze({ public: false, accounts: Object.freeze([]), organizations: Object.freeze([]) });

/** The account that owns the record's resource: trusted without configuration. */
export function recordAccount(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as { recipientAccountId?: unknown; userIdentity?: { accountId?: unknown } };
  if (typeof r.recipientAccountId === 'string') return r.recipientAccountId;
  const id = typeof r.userIdentity === 'object' && r.userIdentity !== null ? r.userIdentity.accountId : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** True if the reach is public or includes an account or organization that is not trusted. */
export function reachesOutside(reach: Reach, trust: Trust, record: unknown): boolean {
  if (reach.public) return true;
  const own = recordAccount(record);
  if (reach.accounts.some((a) => a !== own && !trust.accounts.includes(a))) return true;
  return reach.organizations.some((o) => !trust.organizations.includes(o));
}

export function mergeReach(reaches: readonly Reach[]): Reach {
  return {
    public: reaches.some((r) => r.public),
    accounts: [...new Set(reaches.flatMap((r) => r.accounts))],
    organizations: [...new Set(reaches.flatMap((r) => r.organizations))],
  };
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * The account an account id or ARN names: `123456789012`, `arn:aws:iam::123456789012:root`,
 * `arn:aws:sts::123456789012:assumed-role/x/y`. `'*'` when the account part is a wildcard
 * (`arn:aws:iam::*:root` is everyone); undefined when it names none (S3 ARNs, service names).
 */
export function accountOf(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  if (!value.startsWith('arn:')) return value === '*' ? '*' : undefined;
  const account = value.split(':')[4];
  if (account === undefined || account === '') return undefined;
  if (ACCOUNT_ID.test(account)) return account;
  return /[*?]/.test(account) ? '*' : undefined;
}

/** `arn:aws:organizations::111122223333:organization/o-abc` → `o-abc`; an `o-…` id as it is. */
export function organizationOf(value: string): string | undefined {
  const m = /(?:^|\/)(o-[a-z0-9]{10,32})(?:\/|$)/.exec(value);
  return m?.[1];
}
