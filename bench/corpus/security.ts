/**
 * Security-relevant events the rule pack must catch (CIS AWS Foundations monitoring
 * controls, Security Hub CloudWatch.1–14, and common Sigma CloudTrail rules), shaped as
 * CloudTrail writes them. Each is a named `RecordFactory`, so rule tests can build a
 * positive case and tweak it with overrides for a negative one.
 */
import type { CloudTrailRecord, UserIdentity } from '../../lib/cloudtrail/types';
import { BENIGN_APIS, benignApi, benignRecordAt } from './benign';
import { type ApiCall, type CallerKind, EVENT_VERSION, SERVICES, apiCallRecord, makeCaller } from './envelope';
import { BUCKETS, bucketArn, ec2Id, kmsKeyArn, securityGroupId, trailArn, vpcId } from './estate';
import { type RecordFactory, applyOverrides, defineFactory } from './factory';
import {
  BROWSER_AGENTS,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_EVENT_TIME,
  DEFAULT_REGION,
  IAM_USERS,
  type RecordContext,
  WORKLOAD_ROLES,
  documentationIp,
  isoSeconds,
  javaDate,
  tlsDetails,
  uniqueId,
} from './principals';
import { type Rng, WeightedTable, stableChars } from './rng';

// ---------------------------------------------------------------------------------------
// Console sign-in

type SignInPrincipal = 'Root' | 'IAMUser';

function signInIdentity(ctx: RecordContext, who: SignInPrincipal, userName: string): UserIdentity {
  // ConsoleLogin carries no session yet: an empty accessKeyId, no sessionContext.
  if (who === 'Root') return { type: 'Root', principalId: ctx.accountId, arn: `arn:aws:iam::${ctx.accountId}:root`, accountId: ctx.accountId, accessKeyId: '' };
  return { type: 'IAMUser', principalId: uniqueId('AIDA', `${ctx.accountId}:${userName}`), arn: `arn:aws:iam::${ctx.accountId}:user/${userName}`, accountId: ctx.accountId, accessKeyId: '', userName };
}

function consoleLoginAt(rng: Rng, ctx: RecordContext, who: SignInPrincipal, outcome: 'Success' | 'Failure', mfa: boolean): CloudTrailRecord {
  const userName = who === 'Root' ? 'root' : mfa ? 'alice' : rng.pick(['marketing-uploader', 'legacy-backup']);
  const additionalEventData: Record<string, unknown> = {
    LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${ctx.region}_${rng.hex(16)}`,
    MobileVersion: 'No',
  };
  if (mfa) additionalEventData.MFAIdentifier = who === 'Root' ? `arn:aws:iam::${ctx.accountId}:mfa/root-account-mfa-device` : `arn:aws:iam::${ctx.accountId}:mfa/${userName}`;
  additionalEventData.MFAUsed = mfa ? 'Yes' : 'No';
  const r: CloudTrailRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: signInIdentity(ctx, who, userName),
    eventTime: isoSeconds(ctx.timeMs),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: ctx.region,
    sourceIPAddress: documentationIp(rng),
    userAgent: rng.pick(BROWSER_AGENTS),
  };
  // A failed sign-in has an errorMessage but no errorCode (CloudWatch.6 matches on the message).
  if (outcome === 'Failure') r.errorMessage = 'Failed authentication';
  r.requestParameters = null;
  r.responseElements = { ConsoleLogin: outcome };
  r.additionalEventData = additionalEventData;
  r.eventID = rng.uuid();
  r.readOnly = false;
  r.eventType = 'AwsConsoleSignIn';
  r.managementEvent = true;
  r.recipientAccountId = ctx.accountId;
  r.eventCategory = 'Management';
  r.tlsDetails = tlsDetails(rng, 'signin.aws.amazon.com');
  return r;
}

/** Root signs in to the console, with MFA. Security Hub CloudWatch.1 (root usage). */
export const rootConsoleLogin = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'Root', 'Success', true));
/** Root signs in without MFA. */
export const rootConsoleLoginWithoutMfa = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'Root', 'Success', false));
/** Root password rejected. */
export const rootConsoleLoginFailure = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'Root', 'Failure', false));
/** An IAM user signs in with MFA: the negative case of CloudWatch.3. */
export const consoleLoginWithMfa = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'IAMUser', 'Success', true));
/** An IAM user signs in without MFA: CloudWatch.3. */
export const consoleLoginWithoutMfa = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'IAMUser', 'Success', false));
/** Wrong password for an IAM user: CloudWatch.6. */
export const consoleLoginFailure = defineFactory((rng, ctx) => consoleLoginAt(rng, ctx, 'IAMUser', 'Failure', false));

// ---------------------------------------------------------------------------------------
// Changes made by people or CI

/** Who makes security-relevant changes: mostly admins through Identity Center, some CI, some IAM users. */
const CHANGE_CALLERS = new WeightedTable<CallerKind>([['human', 3], ['ci', 1], ['iamUser', 1]]);

function changeRecord(rng: Rng, ctx: RecordContext, call: Omit<ApiCall, 'readOnly'> & { readOnly?: boolean }, kind?: CallerKind): CloudTrailRecord {
  const caller = makeCaller(rng, ctx, kind ?? CHANGE_CALLERS.pick(rng), { eventSource: call.eventSource, eventName: call.eventName });
  return apiCallRecord(rng, ctx, caller, { readOnly: false, ...call });
}

function s3Change(rng: Rng, ctx: RecordContext, eventName: string, bucket: string, requestParameters: Record<string, unknown>): CloudTrailRecord {
  const host = `${bucket}.s3.${ctx.region}.amazonaws.com`;
  return changeRecord(rng, ctx, {
    eventSource: 's3.amazonaws.com',
    eventName,
    host,
    requestParameters: { bucketName: bucket, Host: host, ...requestParameters },
    responseElements: null,
    additionalEventData: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: rng.int(100, 900), AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': rng.base64(76), bytesTransferredOut: 0 },
    requestID: rng.upperAlnum(16),
    resources: [{ accountId: ctx.accountId, type: 'AWS::S3::Bucket', ARN: bucketArn(bucket) }],
  });
}

function ec2Change(rng: Rng, ctx: RecordContext, eventName: string, requestParameters: Record<string, unknown>, response: (requestId: string) => Record<string, unknown>): CloudTrailRecord {
  const requestId = rng.uuid();
  return changeRecord(rng, ctx, { eventSource: 'ec2.amazonaws.com', eventName, requestID: requestId, requestParameters, responseElements: response(requestId) });
}

const IAM = { eventSource: 'iam.amazonaws.com', awsRegion: 'us-east-1', host: 'iam.amazonaws.com' } as const;

/** Root calls an API from a console session. CloudWatch.1. */
export const rootApiCall = defineFactory((rng, ctx) =>
  benignRecordAt(rng, ctx, { api: benignApi(rng.pick(['ListBuckets', 'DescribeInstances', 'DescribeRegions', 'GetBucketPolicy'])), caller: 'root', errorShare: 0 }),
);

export const createAccessKey = defineFactory(
  (rng, ctx) => {
    const userName = rng.pick(IAM_USERS).userName;
    return changeRecord(rng, ctx, {
      ...IAM,
      eventName: 'CreateAccessKey',
      requestParameters: { userName },
      responseElements: { accessKey: { userName, accessKeyId: `AKIA${rng.upperAlnum(16)}`, status: 'Active', createDate: javaDate(ctx.timeMs) } },
    });
  },
  { global: true },
);

export const createUser = defineFactory(
  (rng, ctx) => {
    const userName = rng.pick(['svc-reporting', 'temp-contractor', 'backup-admin']);
    return changeRecord(rng, ctx, {
      ...IAM,
      eventName: 'CreateUser',
      requestParameters: { userName },
      responseElements: { user: { path: '/', userName, userId: uniqueId('AIDA', `${ctx.accountId}:${userName}`), arn: `arn:aws:iam::${ctx.accountId}:user/${userName}`, createDate: javaDate(ctx.timeMs) } },
    });
  },
  { global: true },
);

/** An inline policy granting everything on S3. CloudWatch.4. */
export const putUserPolicy = defineFactory(
  (rng, ctx) => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    return changeRecord(rng, ctx, {
      ...IAM,
      eventName: 'PutUserPolicy',
      requestParameters: { userName: rng.pick(IAM_USERS).userName, policyName: 'inline-s3-full-access', policyDocument: JSON.stringify(policy) },
      responseElements: null,
    });
  },
  { global: true },
);

/** AdministratorAccess attached to a workload role. CloudWatch.4. */
export const attachRolePolicy = defineFactory(
  (rng, ctx) =>
    changeRecord(rng, ctx, {
      ...IAM,
      eventName: 'AttachRolePolicy',
      requestParameters: { roleName: rng.pick(WORKLOAD_ROLES).roleName, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      responseElements: null,
    }),
  { global: true },
);

export const deactivateMfaDevice = defineFactory(
  (rng, ctx) => {
    const userName = rng.pick(IAM_USERS).userName;
    return changeRecord(rng, ctx, { ...IAM, eventName: 'DeactivateMFADevice', requestParameters: { userName, serialNumber: `arn:aws:iam::${ctx.accountId}:mfa/${userName}` }, responseElements: null });
  },
  { global: true },
);

// --- CloudTrail tampering (CloudWatch.5)

export const stopLogging = defineFactory((rng, ctx) =>
  changeRecord(rng, ctx, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: trailArn(ctx) }, responseElements: null }),
);

export const deleteTrail = defineFactory((rng, ctx) =>
  changeRecord(rng, ctx, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail', requestParameters: { name: trailArn(ctx) }, responseElements: null }),
);

/** Log file validation switched off. */
export const updateTrail = defineFactory((rng, ctx) =>
  changeRecord(rng, ctx, {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    requestParameters: { name: trailArn(ctx), enableLogFileValidation: false },
    responseElements: {
      name: 'management-trail',
      s3BucketName: 'trailwatch-local-trail',
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: true,
      trailARN: trailArn(ctx),
      logFileValidationEnabled: false,
      isOrganizationTrail: false,
    },
  }),
);

// --- KMS (CloudWatch.7)

export const disableKey = defineFactory((rng, ctx) => {
  const key = kmsKeyArn(ctx, rng.int(0, 1));
  return changeRecord(rng, ctx, { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', requestParameters: { keyId: key }, responseElements: null, resources: [{ accountId: ctx.accountId, type: 'AWS::KMS::Key', ARN: key }] });
});

export const scheduleKeyDeletion = defineFactory((rng, ctx) => {
  const key = kmsKeyArn(ctx, rng.int(0, 1));
  return changeRecord(rng, ctx, {
    eventSource: 'kms.amazonaws.com',
    eventName: 'ScheduleKeyDeletion',
    requestParameters: { keyId: key, pendingWindowInDays: 7 },
    responseElements: { keyId: key, deletionDate: javaDate(ctx.timeMs + 7 * 86_400_000), keyState: 'PendingDeletion', pendingWindowInDays: 7 },
    resources: [{ accountId: ctx.accountId, type: 'AWS::KMS::Key', ARN: key }],
  });
});

// --- S3 bucket exposure (CloudWatch.8, Sigma public-access rules)

/** A bucket policy that lets anyone read every object. */
export const putBucketPolicy = defineFactory((rng, ctx) => {
  const bucket = rng.pick(BUCKETS);
  return s3Change(rng, ctx, 'PutBucketPolicy', bucket, {
    bucketPolicy: { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucketArn(bucket)}/*` }] },
    policy: '',
  });
});

export const putBucketAcl = defineFactory((rng, ctx) => s3Change(rng, ctx, 'PutBucketAcl', rng.pick(BUCKETS), { acl: '', 'x-amz-acl': ['public-read'] }));

/** The bucket-level `DeletePublicAccessBlock` API, which CloudTrail names `DeleteBucketPublicAccessBlock`. */
export const deletePublicAccessBlock = defineFactory((rng, ctx) => s3Change(rng, ctx, 'DeleteBucketPublicAccessBlock', rng.pick(BUCKETS), { publicAccessBlock: '' }));

// --- Network changes (CloudWatch.10–14)

/** SSH opened to the world. */
export const authorizeSecurityGroupIngress = defineFactory((rng, ctx) => {
  const groupId = securityGroupId(rng, ctx);
  return ec2Change(
    rng,
    ctx,
    'AuthorizeSecurityGroupIngress',
    { groupId, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, groups: {}, ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'temp debug' }] }, ipv6Ranges: {}, prefixListIds: {} }] } },
    (requestId) => ({
      requestId,
      _return: true,
      securityGroupRuleSet: { items: [{ groupOwnerId: ctx.accountId, groupId, securityGroupRuleId: `sgr-${rng.hex(17)}`, isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', description: 'temp debug' }] },
    }),
  );
});

export const createSecurityGroup = defineFactory((rng, ctx) =>
  ec2Change(
    rng,
    ctx,
    'CreateSecurityGroup',
    { groupName: `debug-${rng.hex(6)}`, groupDescription: 'temporary debugging access', vpcId: vpcId(ctx) },
    (requestId) => ({ requestId, _return: true, groupId: `sg-${rng.hex(17)}` }),
  ),
);

export const createNetworkAclEntry = defineFactory((rng, ctx) =>
  ec2Change(
    rng,
    ctx,
    'CreateNetworkAclEntry',
    { networkAclId: ec2Id(ctx, 'acl', 'prod'), ruleNumber: 90, egress: false, ruleAction: 'allow', icmpTypeCode: {}, protocol: '-1', portRange: {}, cidrBlock: '0.0.0.0/0' },
    (requestId) => ({ requestId, _return: true }),
  ),
);

export const createRoute = defineFactory((rng, ctx) =>
  ec2Change(
    rng,
    ctx,
    'CreateRoute',
    { routeTableId: ec2Id(ctx, 'rtb', 'private'), destinationCidrBlock: '0.0.0.0/0', gatewayId: ec2Id(ctx, 'igw', 'new') },
    (requestId) => ({ requestId, _return: true }),
  ),
);

export const createVpc = defineFactory((rng, ctx) => {
  const id = `vpc-${rng.hex(17)}`;
  const cidr = `10.${rng.int(20, 90)}.0.0/16`;
  return ec2Change(rng, ctx, 'CreateVpc', { cidrBlock: cidr, instanceTenancy: 'default', amazonProvidedIpv6CidrBlock: false }, (requestId) => ({
    requestId,
    vpc: {
      vpcId: id,
      state: 'pending',
      ownerId: ctx.accountId,
      cidrBlock: cidr,
      cidrBlockAssociationSet: { items: [{ cidrBlock: cidr, associationId: `vpc-cidr-assoc-${rng.hex(17)}`, cidrBlockState: { state: 'associated' } }] },
      ipv6CidrBlockAssociationSet: {},
      dhcpOptionsId: ec2Id(ctx, 'dopt', 'default'),
      instanceTenancy: 'default',
      tagSet: {},
      isDefault: false,
    },
  }));
});

export const attachInternetGateway = defineFactory((rng, ctx) =>
  ec2Change(rng, ctx, 'AttachInternetGateway', { internetGatewayId: ec2Id(ctx, 'igw', 'new'), vpcId: vpcId(ctx) }, (requestId) => ({ requestId, _return: true })),
);

// --- Detection turned off (CloudWatch.9, Sigma GuardDuty disruption)

export const stopConfigurationRecorder = defineFactory((rng, ctx) =>
  changeRecord(rng, ctx, { eventSource: 'config.amazonaws.com', eventName: 'StopConfigurationRecorder', requestParameters: { configurationRecorderName: 'default' }, responseElements: null }),
);

export const deleteDetector = defineFactory((rng, ctx) =>
  changeRecord(rng, ctx, {
    eventSource: 'guardduty.amazonaws.com',
    eventName: 'DeleteDetector',
    requestParameters: { detectorId: stableChars(`guardduty:${ctx.accountId}:${ctx.region}`, 'hex', 32) },
    responseElements: null,
  }),
);
/** Alias under the name the rule pack talks about. */
export const guardDutyDeleteDetector = deleteDetector;

// --- Refused calls (CloudWatch.2)

// Reads by people and workloads: a refused write by a service-linked role would read oddly.
const DENIABLE = BENIGN_APIS.filter((api) => api.readOnly && !api.global && !api.caller && SERVICES[api.eventSource]?.accessDenied !== 'Client.UnauthorizedOperation');
const EC2_DENIABLE = BENIGN_APIS.filter((api) => api.eventSource === 'ec2.amazonaws.com' && api.readOnly);
const DENIED_CALLERS = new WeightedTable<CallerKind>([['workload', 3], ['human', 1], ['iamUser', 1], ['ci', 1]]);

/** A call refused with `AccessDenied` / `AccessDeniedException`. */
export const accessDenied = defineFactory((rng, ctx) =>
  benignRecordAt(rng, ctx, { api: rng.pick(DENIABLE), caller: DENIED_CALLERS.pick(rng), error: 'accessDenied' }),
);

/** An EC2 call refused with `Client.UnauthorizedOperation`. */
export const unauthorizedOperation = defineFactory((rng, ctx) =>
  benignRecordAt(rng, ctx, { api: rng.pick(EC2_DENIABLE), caller: DENIED_CALLERS.pick(rng), error: 'accessDenied' }),
);

// ---------------------------------------------------------------------------------------
// CloudTrail Insights

export type InsightType = 'ApiCallRateInsight' | 'ApiErrorRateInsight';

export interface InsightOptions {
  readonly insightType?: InsightType;
  readonly eventSource?: string;
  readonly eventName?: string;
  /** For ApiErrorRateInsight: the error whose rate rose. */
  readonly errorCode?: string;
  /** Minutes between Start and End. */
  readonly durationMinutes?: number;
}

/**
 * One Insights event: a Start and an End record sharing `sharedEventID`. Insights records
 * have no `userIdentity` and no top-level `eventName`/`eventSource`.
 * `overrides` are laid over both records (its `eventTime` sets the Start).
 */
export function insightEventPair(rng: Rng, overrides?: CloudTrailRecord, opts: InsightOptions = {}): [CloudTrailRecord, CloudTrailRecord] {
  const accountId = overrides?.recipientAccountId ?? DEFAULT_ACCOUNT_ID;
  const region = overrides?.awsRegion ?? DEFAULT_REGION;
  const startMs = Date.parse(overrides?.eventTime ?? DEFAULT_EVENT_TIME);
  const insightType = opts.insightType ?? 'ApiCallRateInsight';
  const eventSource = opts.eventSource ?? (insightType === 'ApiCallRateInsight' ? 'ec2.amazonaws.com' : 'kms.amazonaws.com');
  const eventName = opts.eventName ?? (insightType === 'ApiCallRateInsight' ? 'RunInstances' : 'Decrypt');
  const errorCode = insightType === 'ApiErrorRateInsight' ? (opts.errorCode ?? 'AccessDenied') : undefined;
  const duration = opts.durationMinutes ?? 8;
  const sharedEventID = rng.uuid();
  const baselineAverage = Math.round(rng.next() * 0.05 * 1e7) / 1e7;
  const startAverage = rng.int(12, 40);
  const endAverage = Math.round((startAverage * (0.6 + rng.next() * 0.3)) * 1e4) / 1e4;
  const actor = `arn:aws:sts::${accountId}:assumed-role/${WORKLOAD_ROLES[1]?.roleName ?? 'payments-worker-role'}/payments-worker`;
  const usual = `arn:aws:sts::${accountId}:assumed-role/github-actions-deploy/terraform-apply`;

  const record = (state: 'Start' | 'End', timeMs: number, average: number, insightDuration: number): CloudTrailRecord => {
    const details: Record<string, unknown> = { state, eventSource, eventName, insightType };
    if (errorCode) details.errorCode = errorCode;
    details.insightContext = {
      statistics: { baseline: { average: baselineAverage }, insight: { average }, insightDuration, baselineDuration: 10080 },
      attributions: [
        { attribute: 'userIdentityArn', insight: [{ value: actor, average }], baseline: [{ value: usual, average: baselineAverage }] },
        { attribute: 'userAgent', insight: [{ value: 'aws-sdk-go-v2/1.32.3', average }], baseline: [{ value: 'autoscaling.amazonaws.com', average: baselineAverage }] },
        { attribute: 'errorCode', insight: [{ value: errorCode ?? 'null', average }], baseline: [{ value: 'null', average: baselineAverage }] },
      ],
    };
    const r: CloudTrailRecord = {
      eventVersion: EVENT_VERSION,
      eventTime: isoSeconds(timeMs),
      awsRegion: region,
      eventID: rng.uuid(),
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: accountId,
      sharedEventID,
      insightDetails: details,
      eventCategory: 'Insight',
    };
    return overrides ? { ...applyOverrides(r, overrides), eventTime: r.eventTime } : r;
  };
  return [record('Start', startMs, startAverage, 1), record('End', startMs + duration * 60_000, endAverage, duration)];
}

// ---------------------------------------------------------------------------------------
// The security mix

/** Factories drawn when a file asks for a share of security events, weighted by how often each shows up. */
export const SECURITY_FACTORIES: Readonly<Record<string, RecordFactory>> = {
  accessDenied: accessDenied,
  unauthorizedOperation,
  consoleLoginWithMfa,
  consoleLoginWithoutMfa,
  consoleLoginFailure,
  rootConsoleLogin,
  rootConsoleLoginFailure,
  rootApiCall,
  createAccessKey,
  createUser,
  putUserPolicy,
  attachRolePolicy,
  deactivateMfaDevice,
  stopLogging,
  deleteTrail,
  updateTrail,
  disableKey,
  scheduleKeyDeletion,
  putBucketPolicy,
  putBucketAcl,
  deletePublicAccessBlock,
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  createNetworkAclEntry,
  createRoute,
  createVpc,
  attachInternetGateway,
  stopConfigurationRecorder,
  deleteDetector,
};

const SECURITY_WEIGHTS: Readonly<Record<string, number>> = { accessDenied: 12, unauthorizedOperation: 6, consoleLoginWithMfa: 6, consoleLoginFailure: 3, consoleLoginWithoutMfa: 2 };

const ALL_SECURITY = new WeightedTable(Object.entries(SECURITY_FACTORIES).map(([name, f]) => [f, SECURITY_WEIGHTS[name] ?? 1] as const));
const REGIONAL_SECURITY = new WeightedTable(Object.entries(SECURITY_FACTORIES).filter(([, f]) => !f.global).map(([name, f]) => [f, SECURITY_WEIGHTS[name] ?? 1] as const));

export function securityRecordAt(rng: Rng, ctx: RecordContext): CloudTrailRecord {
  return (ctx.region === 'us-east-1' ? ALL_SECURITY : REGIONAL_SECURITY).pick(rng).at(rng, ctx);
}
