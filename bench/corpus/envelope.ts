/**
 * The common envelope of a CloudTrail management-event record, the callers that make
 * API calls, and the errors calls fail with. Field order follows what CloudTrail writes,
 * so generated files read like real ones.
 */
import type { CloudTrailRecord, UserIdentity } from '../../lib/cloudtrail/types';
import {
  BROWSER_AGENTS,
  CI_ROLE,
  IAM_USERS,
  type RecordContext,
  SERVICE_LINKED_ROLES,
  SSO_ROLES,
  SSM_AGENT,
  WORKLOAD_ROLES,
  assumedRoleIdentity,
  awsServiceIdentity,
  cliAgent,
  documentationIp,
  iamUserIdentity,
  isoSeconds,
  rootIdentity,
  sdkAgent,
  stableIp,
  terraformAgent,
  tlsDetails,
} from './principals';
import type { Rng } from './rng';

export const EVENT_VERSION = '1.11';

/** Per eventSource: SDK/CLI service ids for user agents, the endpoint host, how access denial is spelled. */
interface ServiceInfo {
  readonly sdk: string;
  readonly cli: string;
  /** IAM action prefix, for access-denied messages. */
  readonly iam: string;
  readonly host: (region: string) => string;
  readonly accessDenied: 'AccessDenied' | 'AccessDeniedException' | 'Client.UnauthorizedOperation';
  readonly throttled: readonly [code: string, message: string];
}

const regional = (prefix: string) => (region: string) => `${prefix}.${region}.amazonaws.com`;
const THROTTLED: readonly [string, string] = ['ThrottlingException', 'Rate exceeded'];

export const SERVICES: Readonly<Record<string, ServiceInfo>> = {
  'sts.amazonaws.com': { sdk: 'sts', cli: 'sts', iam: 'sts', host: regional('sts'), accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'kms.amazonaws.com': { sdk: 'kms', cli: 'kms', iam: 'kms', host: regional('kms'), accessDenied: 'AccessDenied', throttled: THROTTLED },
  's3.amazonaws.com': { sdk: 's3', cli: 's3api', iam: 's3', host: regional('s3'), accessDenied: 'AccessDenied', throttled: ['SlowDown', 'Please reduce your request rate.'] },
  'ec2.amazonaws.com': { sdk: 'ec2', cli: 'ec2', iam: 'ec2', host: regional('ec2'), accessDenied: 'Client.UnauthorizedOperation', throttled: ['Client.RequestLimitExceeded', 'Request limit exceeded.'] },
  'logs.amazonaws.com': { sdk: 'cloudwatch-logs', cli: 'logs', iam: 'logs', host: regional('logs'), accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'iam.amazonaws.com': { sdk: 'iam', cli: 'iam', iam: 'iam', host: () => 'iam.amazonaws.com', accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'lambda.amazonaws.com': { sdk: 'lambda', cli: 'lambda', iam: 'lambda', host: regional('lambda'), accessDenied: 'AccessDeniedException', throttled: ['TooManyRequestsException', 'Rate exceeded'] },
  'dynamodb.amazonaws.com': { sdk: 'dynamodb', cli: 'dynamodb', iam: 'dynamodb', host: regional('dynamodb'), accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'monitoring.amazonaws.com': { sdk: 'cloudwatch', cli: 'cloudwatch', iam: 'cloudwatch', host: regional('monitoring'), accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'ssm.amazonaws.com': { sdk: 'ssm', cli: 'ssm', iam: 'ssm', host: regional('ssm'), accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'secretsmanager.amazonaws.com': { sdk: 'secrets-manager', cli: 'secretsmanager', iam: 'secretsmanager', host: regional('secretsmanager'), accessDenied: 'AccessDenied', throttled: THROTTLED },
  'ecr.amazonaws.com': { sdk: 'ecr', cli: 'ecr', iam: 'ecr', host: (r) => `api.ecr.${r}.amazonaws.com`, accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'cloudformation.amazonaws.com': { sdk: 'cloudformation', cli: 'cloudformation', iam: 'cloudformation', host: regional('cloudformation'), accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'autoscaling.amazonaws.com': { sdk: 'auto-scaling', cli: 'autoscaling', iam: 'autoscaling', host: regional('autoscaling'), accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'elasticloadbalancing.amazonaws.com': { sdk: 'elastic-load-balancing-v2', cli: 'elbv2', iam: 'elasticloadbalancing', host: regional('elasticloadbalancing'), accessDenied: 'AccessDenied', throttled: ['Throttling', 'Rate exceeded'] },
  'cloudtrail.amazonaws.com': { sdk: 'cloudtrail', cli: 'cloudtrail', iam: 'cloudtrail', host: regional('cloudtrail'), accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'config.amazonaws.com': { sdk: 'config-service', cli: 'configservice', iam: 'config', host: regional('config'), accessDenied: 'AccessDeniedException', throttled: THROTTLED },
  'guardduty.amazonaws.com': { sdk: 'guardduty', cli: 'guardduty', iam: 'guardduty', host: regional('guardduty'), accessDenied: 'AccessDeniedException', throttled: ['TooManyRequestsException', 'Rate exceeded'] },
  'signin.amazonaws.com': { sdk: 'signin', cli: 'signin', iam: 'signin', host: () => 'signin.aws.amazon.com', accessDenied: 'AccessDenied', throttled: THROTTLED },
};

export function serviceInfo(eventSource: string): ServiceInfo {
  const info = SERVICES[eventSource];
  if (!info) throw new RangeError(`no service info for ${eventSource}`);
  return info;
}

// ---------------------------------------------------------------------------------------
// Callers

/**
 * Who makes a call: a workload role, a service acting "AWS Internal" for a role, a person
 * (Identity Center role, console or CLI), the CI role, an IAM user's access key, a
 * service-linked role sweeping the account, an AWS service principal, or the root user.
 */
export type CallerKind = 'workload' | 'internal' | 'human' | 'ci' | 'iamUser' | 'serviceLinked' | 'service' | 'root';

export interface Caller {
  readonly identity: UserIdentity | null;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  /** Calls AWS makes internally carry no `tlsDetails`. */
  readonly tls: boolean;
  /** Console sessions set `sessionCredentialFromConsole: "true"`. */
  readonly console: boolean;
}

export interface CallerHints {
  readonly eventSource: string;
  readonly eventName: string;
  /** For `service` callers: the principal that calls, e.g. `lambda.amazonaws.com`. */
  readonly servicePrincipal?: string;
}

export function makeCaller(rng: Rng, ctx: RecordContext, kind: CallerKind, hints: CallerHints): Caller {
  const svc = serviceInfo(hints.eventSource);
  switch (kind) {
    case 'workload': {
      const role = rng.pick(WORKLOAD_ROLES);
      const session = rng.pick(role.sessions);
      const agent = role.runtime === 'ec2' && hints.eventSource === 'ssm.amazonaws.com' ? SSM_AGENT : sdkAgent(rng, svc.sdk);
      return { identity: assumedRoleIdentity(rng, ctx, role, { session }), sourceIPAddress: stableIp(`${role.roleName}:${session}`), userAgent: agent, tls: true, console: false };
    }
    case 'internal': {
      const role = rng.pick(WORKLOAD_ROLES);
      return { identity: assumedRoleIdentity(rng, ctx, role, { invokedBy: 'AWS Internal' }), sourceIPAddress: 'AWS Internal', userAgent: 'AWS Internal', tls: false, console: false };
    }
    case 'human': {
      const role = rng.pick(SSO_ROLES);
      const session = rng.pick(role.sessions);
      const console = rng.chance(0.45);
      const userAgent = console ? rng.pick(BROWSER_AGENTS) : cliAgent(rng, svc.cli, hints.eventName);
      return { identity: assumedRoleIdentity(rng, ctx, role, { session }), sourceIPAddress: stableIp(session), userAgent, tls: true, console };
    }
    case 'ci':
      return { identity: assumedRoleIdentity(rng, ctx, CI_ROLE), sourceIPAddress: documentationIp(rng), userAgent: terraformAgent(svc.sdk), tls: true, console: false };
    case 'iamUser': {
      const user = rng.pick(IAM_USERS);
      const userAgent = rng.chance(0.5) ? cliAgent(rng, svc.cli, hints.eventName) : sdkAgent(rng, svc.sdk);
      return { identity: iamUserIdentity(rng, ctx, user), sourceIPAddress: stableIp(user.userName), userAgent, tls: true, console: false };
    }
    case 'serviceLinked': {
      const role = rng.pick(SERVICE_LINKED_ROLES);
      return { identity: assumedRoleIdentity(rng, ctx, role, { invokedBy: role.service }), sourceIPAddress: role.service, userAgent: role.service, tls: false, console: false };
    }
    case 'service': {
      const principal = hints.servicePrincipal ?? 'lambda.amazonaws.com';
      return { identity: awsServiceIdentity(principal), sourceIPAddress: principal, userAgent: principal, tls: false, console: false };
    }
    case 'root':
      return { identity: rootIdentity(rng, ctx), sourceIPAddress: documentationIp(rng), userAgent: rng.pick(BROWSER_AGENTS), tls: true, console: true };
  }
}

// ---------------------------------------------------------------------------------------
// Errors

export interface CallError {
  readonly code: string;
  readonly message: string;
}

/** The access-denied error each service writes, naming the caller as IAM does. */
export function accessDeniedError(eventSource: string, eventName: string, identity: UserIdentity | null | undefined, resource?: string): CallError {
  const svc = serviceInfo(eventSource);
  const action = `${svc.iam}:${eventName.replace(/20\d{6}(v\d)?$/, '')}`;
  const who = identity?.arn ?? 'anonymous';
  if (svc.accessDenied === 'Client.UnauthorizedOperation') {
    return {
      code: svc.accessDenied,
      message: `You are not authorized to perform this operation. User: ${who} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    };
  }
  if (eventSource === 's3.amazonaws.com') return { code: 'AccessDenied', message: 'Access Denied' };
  const on = resource ? ` on resource: ${resource}` : '';
  return { code: svc.accessDenied, message: `User: ${who} is not authorized to perform: ${action}${on} because no identity-based policy allows the ${action} action` };
}

export function throttlingError(eventSource: string): CallError {
  const [code, message] = serviceInfo(eventSource).throttled;
  return { code, message };
}

// ---------------------------------------------------------------------------------------
// The record

export interface ResourceRef {
  readonly accountId?: string;
  readonly type: string;
  readonly ARN: string;
}

/** Everything about one API call that is not who made it. */
export interface ApiCall {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  /** Set for global services (IAM), whose events carry `us-east-1` whatever the trail region. */
  readonly awsRegion?: string;
  readonly host?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly additionalEventData?: Record<string, unknown>;
  readonly resources?: readonly ResourceRef[];
  /** Defaults to a UUID; S3 uses 16 upper-case alphanumerics. */
  readonly requestID?: string | null;
  readonly error?: CallError;
  readonly eventType?: string;
  readonly sharedEventID?: string;
  readonly apiVersion?: string;
}

export function apiCallRecord(rng: Rng, ctx: RecordContext, caller: Caller, call: ApiCall): CloudTrailRecord {
  const region = call.awsRegion ?? ctx.region;
  const r: CloudTrailRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: caller.identity,
    eventTime: isoSeconds(ctx.timeMs),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: region,
    sourceIPAddress: caller.sourceIPAddress,
    userAgent: caller.userAgent,
  };
  if (call.error) {
    r.errorCode = call.error.code;
    r.errorMessage = call.error.message;
  }
  r.requestParameters = call.requestParameters;
  // A failed call returns nothing.
  r.responseElements = call.error ? null : call.responseElements;
  if (call.additionalEventData) r.additionalEventData = call.additionalEventData;
  if (call.requestID !== null) r.requestID = call.requestID ?? rng.uuid();
  r.eventID = rng.uuid();
  r.readOnly = call.readOnly;
  if (call.resources) r.resources = call.resources as unknown as Record<string, unknown>[];
  r.eventType = call.eventType ?? 'AwsApiCall';
  if (call.apiVersion) r.apiVersion = call.apiVersion;
  r.managementEvent = true;
  r.recipientAccountId = ctx.accountId;
  if (call.sharedEventID) r.sharedEventID = call.sharedEventID;
  r.eventCategory = 'Management';
  if (caller.tls) r.tlsDetails = tlsDetails(rng, call.host ?? serviceInfo(call.eventSource).host(region));
  if (caller.console) r.sessionCredentialFromConsole = 'true';
  return r;
}
