/**
 * Who calls AWS in the corpus: a fixed cast of principals per account (workload roles,
 * people signing in through IAM Identity Center, a CI role, IAM users, service-linked
 * roles), with stable ids, plus their user agents, source IPs and TLS details.
 *
 * Source IPs come only from the documentation ranges of RFC 5737 (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24), so no sample names a real host.
 */
import type { UserIdentity } from '../../lib/cloudtrail/types';
import { type Rng, hashSeed, stableChars } from './rng';

/** Where and when a record happens; every factory derives its fields from it. */
export interface RecordContext {
  readonly accountId: string;
  readonly region: string;
  /** Epoch milliseconds of `eventTime`. */
  readonly timeMs: number;
}

export const DEFAULT_ACCOUNT_ID = '111122223333';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_EVENT_TIME = '2026-11-24T09:02:30Z';

/** CloudTrail's time format: ISO 8601 in UTC, whole seconds (`2026-11-24T09:02:30Z`). */
export function isoSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Java-style date some services put in responseElements (`Nov 24, 2026, 10:02:11 AM`). */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

const DOC_PREFIXES = ['192.0.2', '198.51.100', '203.0.113'] as const;

export function documentationIp(rng: Rng): string {
  return `${rng.pick(DOC_PREFIXES)}.${rng.int(1, 254)}`;
}

/** A documentation-range IP that depends only on `name`: a person's office, a NAT gateway. */
export function stableIp(name: string): string {
  const h = hashSeed(name);
  return `${DOC_PREFIXES[h % 3]}.${1 + ((h >>> 8) % 254)}`;
}

/** IAM unique ids: a 4-letter prefix and 17 upper-case alphanumerics (21 chars). */
export function uniqueId(prefix: 'AROA' | 'AIDA' | 'AGPA' | 'ANPA', name: string): string {
  return prefix + stableChars(`${prefix}:${name}`, 'upperAlnum', 17);
}

/** Access key ids: `AKIA` (long-term) or `ASIA` (temporary) and 16 characters. */
export function accessKeyId(rng: Rng, kind: 'AKIA' | 'ASIA' = 'ASIA'): string {
  return kind + rng.upperAlnum(16);
}

// ---------------------------------------------------------------------------------------
// User agents

const SDK_AGENTS = [
  'aws-sdk-js/3.621.0 ua/2.1 os/linux#5.10.225-213.878.amzn2.x86_64 lang/js md/nodejs#20.16.0 exec-env/AWS_Lambda_nodejs20.x api/{service}#3.621.0',
  'aws-sdk-js/3.693.0 ua/2.1 os/linux#5.10.227-219.884.amzn2.x86_64 lang/js md/nodejs#22.11.0 exec-env/AWS_Lambda_nodejs22.x api/{service}#3.693.0 m/E',
  'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226-234.882.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36',
  'aws-sdk-java/2.28.16 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
  'aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/{service}#1.40.0',
] as const;

const CLI_AGENTS = [
  'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}',
  'aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#{command}',
] as const;

const TERRAFORM_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/{service}#1.40.0';

export const BROWSER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
] as const;

export const SSM_AGENT = 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0';

/** `DescribeInstances` → `describe-instances`, for the CLI's `md/command#ec2.describe-instances`. */
function kebab(name: string): string {
  return name
    .replace(/20\d{6}(v\d)?$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function sdkAgent(rng: Rng, service: string): string {
  return rng.pick(SDK_AGENTS).replace('{service}', service);
}

export function cliAgent(rng: Rng, service: string, eventName: string): string {
  return rng.pick(CLI_AGENTS).replace('{command}', `${service}.${kebab(eventName)}`);
}

export function terraformAgent(service: string): string {
  return TERRAFORM_AGENT.replace('{service}', service);
}

// ---------------------------------------------------------------------------------------
// TLS

const TLS_13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] as const;
const TLS_12 = ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384'] as const;

export function tlsDetails(rng: Rng, host: string): Record<string, unknown> {
  const v13 = rng.chance(0.8);
  return {
    tlsVersion: v13 ? 'TLSv1.3' : 'TLSv1.2',
    cipherSuite: v13 ? rng.pick(TLS_13) : rng.pick(TLS_12),
    clientProvidedHostHeader: host,
  };
}

// ---------------------------------------------------------------------------------------
// The cast

export type WorkloadRuntime = 'lambda' | 'ecs' | 'ec2';

export interface RolePrincipal {
  readonly roleName: string;
  /** Session names this role is used with; for Lambda the function name, for EC2 the instance id. */
  readonly sessions: readonly string[];
  readonly runtime?: WorkloadRuntime;
}

export interface UserPrincipal {
  readonly userName: string;
}

/** Workload roles: Lambda functions, ECS tasks, EC2 instances. */
export const WORKLOAD_ROLES: readonly RolePrincipal[] = [
  { roleName: 'orders-api-lambda-role', sessions: ['orders-api', 'orders-api-authorizer'], runtime: 'lambda' },
  { roleName: 'payments-worker-role', sessions: ['payments-worker'], runtime: 'lambda' },
  { roleName: 'ingest-pipeline-role', sessions: ['ingest-s3-trigger', 'ingest-compactor'], runtime: 'lambda' },
  { roleName: 'catalog-service-task-role', sessions: ['3f9c2b7e41d84a0f9e8b1c2d3a4b5c6d', '8a1b2c3d4e5f40718293a4b5c6d7e8f9'], runtime: 'ecs' },
  { roleName: 'eks-node-group-role', sessions: ['i-0a1b2c3d4e5f60718', 'i-0f9e8d7c6b5a40312', 'i-05c4d3e2f1a0b9c8d'], runtime: 'ec2' },
  { roleName: 'bastion-instance-role', sessions: ['i-0123456789abcdef0'], runtime: 'ec2' },
];

/** People signing in through IAM Identity Center: the AWSReservedSSO_* roles. */
export const SSO_ROLES: readonly RolePrincipal[] = [
  { roleName: 'AWSReservedSSO_AdministratorAccess_5e1a2b3c4d5e6f70', sessions: ['alice@example.com', 'dmitri@example.com'] },
  { roleName: 'AWSReservedSSO_PowerUserAccess_0a9b8c7d6e5f4a3b', sessions: ['bob@example.com', 'carol@example.com', 'erin@example.com'] },
  { roleName: 'AWSReservedSSO_ReadOnlyAccess_7c6d5e4f3a2b1c0d', sessions: ['frank@example.com', 'grace@example.com'] },
];

export const CI_ROLE: RolePrincipal = { roleName: 'github-actions-deploy', sessions: ['GitHubActions', 'terraform-apply'] };

export const IAM_USERS: readonly UserPrincipal[] = [
  { userName: 'alice' },
  { userName: 'deploy-bot' },
  { userName: 'legacy-backup' },
  { userName: 'marketing-uploader' },
];

/** Service-linked roles that sweep the account with read calls all day long. */
export const SERVICE_LINKED_ROLES: readonly (RolePrincipal & { service: string })[] = [
  { roleName: 'AWSServiceRoleForConfig', sessions: ['AWSConfig-Describe'], service: 'config.amazonaws.com' },
  { roleName: 'AWSServiceRoleForSecurityHub', sessions: ['securityhub'], service: 'securityhub.amazonaws.com' },
  { roleName: 'AWSServiceRoleForTrustedAdvisor', sessions: ['TrustedAdvisor-Refresh'], service: 'trustedadvisor.amazonaws.com' },
];

function sessionIssuer(accountId: string, roleName: string, path = '/'): Record<string, unknown> {
  return {
    type: 'Role',
    principalId: uniqueId('AROA', `${accountId}:${roleName}`),
    arn: `arn:aws:iam::${accountId}:role${path}${roleName}`,
    accountId,
    userName: roleName,
  };
}

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** Session credentials were issued some minutes to an hour before the call. */
function creationDate(rng: Rng, ctx: RecordContext): string {
  return isoSeconds(ctx.timeMs - rng.int(30, 3500) * 1000);
}

export function assumedRoleIdentity(
  rng: Rng,
  ctx: RecordContext,
  role: RolePrincipal,
  opts: { session?: string; mfa?: boolean; invokedBy?: string; path?: string } = {},
): UserIdentity {
  const session = opts.session ?? rng.pick(role.sessions);
  const path = opts.path ?? (role.roleName.startsWith('AWSServiceRoleFor') ? '/aws-service-role/' : role.roleName.startsWith('AWSReservedSSO_') ? '/aws-reserved/sso.amazonaws.com/' : '/');
  const sessionContext: Record<string, unknown> = {
    sessionIssuer: sessionIssuer(ctx.accountId, role.roleName, path),
    attributes: { creationDate: creationDate(rng, ctx), mfaAuthenticated: opts.mfa ? 'true' : 'false' },
  };
  if (role.runtime === 'ec2') sessionContext.ec2RoleDelivery = '2.0';
  const identity: UserIdentity = {
    type: 'AssumedRole',
    principalId: `${uniqueId('AROA', `${ctx.accountId}:${role.roleName}`)}:${session}`,
    arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${role.roleName}/${session}`,
    accountId: ctx.accountId,
    accessKeyId: accessKeyId(rng, 'ASIA'),
    sessionContext,
  };
  if (opts.invokedBy) identity.invokedBy = opts.invokedBy;
  return identity;
}

export function iamUserIdentity(
  rng: Rng,
  ctx: RecordContext,
  user: UserPrincipal,
  opts: { console?: boolean; mfa?: boolean } = {},
): UserIdentity {
  const identity: UserIdentity = {
    type: 'IAMUser',
    principalId: uniqueId('AIDA', `${ctx.accountId}:${user.userName}`),
    arn: `arn:aws:iam::${ctx.accountId}:user/${user.userName}`,
    accountId: ctx.accountId,
    // Console sessions use temporary keys; programmatic calls the user's long-term key.
    accessKeyId: opts.console ? accessKeyId(rng, 'ASIA') : `AKIA${stableChars(`key:${ctx.accountId}:${user.userName}`, 'upperAlnum', 16)}`,
    userName: user.userName,
  };
  if (opts.console) {
    identity.sessionContext = { attributes: { creationDate: creationDate(rng, ctx), mfaAuthenticated: opts.mfa ? 'true' : 'false' } };
  }
  return identity;
}

export function rootIdentity(rng: Rng, ctx: RecordContext, opts: { mfa?: boolean } = {}): UserIdentity {
  return {
    type: 'Root',
    principalId: ctx.accountId,
    arn: `arn:aws:iam::${ctx.accountId}:root`,
    accountId: ctx.accountId,
    accessKeyId: accessKeyId(rng, 'ASIA'),
    sessionContext: { attributes: { creationDate: creationDate(rng, ctx), mfaAuthenticated: opts.mfa === false ? 'false' : 'true' } },
  };
}

export function awsServiceIdentity(service: string): UserIdentity {
  return { type: 'AWSService', invokedBy: service };
}
