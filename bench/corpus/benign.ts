/**
 * Everyday management-event traffic: ~60 APIs weighted roughly as real accounts see them
 * (KMS and STS calls from workloads dominate, then service-linked roles sweeping the
 * account with Describe and Get calls, then people and CI), each with request and response
 * shapes as CloudTrail writes them. None of these is a CIS-monitored change, so a file of
 * benign records with `errorShare: 0` trips no CIS rule.
 */
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import {
  type ApiCall,
  type CallError,
  type Caller,
  type CallerKind,
  type ResourceRef,
  accessDeniedError,
  apiCallRecord,
  makeCaller,
  serviceInfo,
  throttlingError,
} from './envelope';
import {
  BUCKETS,
  FUNCTIONS,
  LOG_GROUPS,
  PARAMETERS,
  SECRETS,
  STACKS,
  TABLES,
  bucketArn,
  ec2Id,
  functionArn,
  instanceId,
  privateIp,
  randomKeyArn,
  secretArn,
  securityGroupId,
  subnetId,
  trailArn,
  vpcId,
} from './estate';
import {
  type RecordContext,
  CI_ROLE,
  IAM_USERS,
  WORKLOAD_ROLES,
  SSM_AGENT,
  accessKeyId,
  assumedRoleIdentity,
  documentationIp,
  isoSeconds,
  javaDate,
  roleArn,
  stableIp,
  uniqueId,
} from './principals';
import { type Rng, WeightedTable } from './rng';

/** What an API returns, given the context; the envelope adds who called and when. */
type CallShape = Omit<ApiCall, 'eventSource' | 'eventName' | 'readOnly' | 'awsRegion' | 'error'> & {
  /** The resource an access-denied message names. */
  readonly target?: string;
};

export interface BenignApi {
  readonly eventSource: string;
  readonly eventName: string;
  /** Relative share of traffic. */
  readonly weight: number;
  readonly readOnly: boolean;
  /** IAM: recorded in us-east-1 only, whatever region the trail file is for. */
  readonly global?: boolean;
  readonly callers: Partial<Record<CallerKind, number>>;
  readonly servicePrincipals?: readonly string[];
  /** A caller that no generic kind describes (SSM agent on an instance, a GitHub OIDC token). */
  readonly caller?: (rng: Rng, ctx: RecordContext) => Caller;
  readonly shape: (rng: Rng, ctx: RecordContext) => CallShape;
  /** The not-found error this API answers for a missing resource. */
  readonly notFound?: (shape: CallShape) => CallError;
}

// ---------------------------------------------------------------------------------------
// Shape helpers

function s3Shape(rng: Rng, ctx: RecordContext, bucket: string | null, subresource: string): CallShape {
  const host = bucket ? `${bucket}.s3.${ctx.region}.amazonaws.com` : `s3.${ctx.region}.amazonaws.com`;
  const requestParameters: Record<string, unknown> = bucket ? { bucketName: bucket, Host: host, [subresource]: '' } : { Host: host };
  return {
    host,
    target: bucket ? bucketArn(bucket) : undefined,
    requestParameters,
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.base64(76),
      bytesTransferredOut: rng.int(200, 4000),
    },
    // S3 request ids are 16 upper-case alphanumerics, not UUIDs.
    requestID: rng.upperAlnum(16),
    resources: bucket ? [{ accountId: ctx.accountId, type: 'AWS::S3::Bucket', ARN: bucketArn(bucket) }] : undefined,
  };
}

function kmsResource(ctx: RecordContext, arn: string): ResourceRef[] {
  return [{ accountId: ctx.accountId, type: 'AWS::KMS::Key', ARN: arn }];
}

function encryptionContext(rng: Rng, ctx: RecordContext): Record<string, unknown> {
  switch (rng.int(0, 2)) {
    case 0:
      return { 'aws:lambda:FunctionArn': functionArn(ctx, rng.pick(FUNCTIONS)) };
    case 1: {
      const bucket = rng.pick(BUCKETS);
      return { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${rng.pick(['exports', 'raw', 'assets'])}/2026/11/24/${rng.hex(12)}.parquet` };
    }
    default: {
      const secret = rng.pick(SECRETS);
      return { SecretARN: secretArn(ctx, secret), SecretVersionId: rng.uuid() };
    }
  }
}

function temporaryCredentials(rng: Rng, ctx: RecordContext): Record<string, unknown> {
  return {
    accessKeyId: accessKeyId(rng, 'ASIA'),
    // Real session tokens run to several hundred characters; a shorter one keeps files lean.
    sessionToken: `IQoJb3JpZ2luX2VjE${rng.base64(240)}`,
    expiration: javaDate(ctx.timeMs + 3600_000),
  };
}

function ec2Write(rng: Rng): { requestId: string; requestID: string } {
  const id = rng.uuid();
  return { requestId: id, requestID: id };
}

const filterByVpc = (ctx: RecordContext) => ({ items: [{ name: 'vpc-id', valueSet: { items: [{ value: vpcId(ctx) }] } }] });

const ec2Instance = (rng: Rng, ctx: RecordContext): string => instanceId(rng, ctx);

// ---------------------------------------------------------------------------------------
// Special callers

function ssmAgentCaller(rng: Rng, ctx: RecordContext): Caller {
  const role = rng.pick(WORKLOAD_ROLES.filter((r) => r.runtime === 'ec2'));
  const session = rng.pick(role.sessions);
  return { identity: assumedRoleIdentity(rng, ctx, role, { session }), sourceIPAddress: stableIp(session), userAgent: SSM_AGENT, tls: true, console: false };
}

const GITHUB_SUBJECT = 'repo:acme/orders-api:ref:refs/heads/main';

function githubOidcCaller(rng: Rng, ctx: RecordContext): Caller {
  const provider = `arn:aws:iam::${ctx.accountId}:oidc-provider/token.actions.githubusercontent.com`;
  return {
    identity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${GITHUB_SUBJECT}`, userName: GITHUB_SUBJECT, identityProvider: provider },
    sourceIPAddress: documentationIp(rng),
    userAgent: 'aws-sdk-js/3.693.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.693.0 configure-aws-credentials-for-github-actions',
    tls: true,
    console: false,
  };
}

// ---------------------------------------------------------------------------------------
// The catalog

const NOT_FOUND = (code: string, message: string) => () => ({ code, message });

export const BENIGN_APIS: readonly BenignApi[] = [
  // --- STS
  {
    eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', weight: 10, readOnly: true,
    callers: { service: 5, workload: 2, human: 1, ci: 1 },
    servicePrincipals: ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'],
    shape: (rng, ctx) => {
      const role = rng.pick(WORKLOAD_ROLES);
      const session = rng.pick(role.sessions);
      const arn = roleArn(ctx.accountId, role.roleName);
      return {
        target: arn,
        requestParameters: { roleArn: arn, roleSessionName: session, durationSeconds: 3600 },
        responseElements: {
          credentials: temporaryCredentials(rng, ctx),
          assumedRoleUser: { assumedRoleId: `${uniqueId('AROA', `${ctx.accountId}:${role.roleName}`)}:${session}`, arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${role.roleName}/${session}` },
        },
        resources: [{ accountId: ctx.accountId, type: 'AWS::IAM::Role', ARN: arn }],
      };
    },
  },
  {
    eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', weight: 5, readOnly: true,
    callers: { workload: 4, ci: 2, human: 1.5, iamUser: 1 },
    shape: () => ({ requestParameters: null, responseElements: null }),
  },
  {
    eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithWebIdentity', weight: 0.8, readOnly: true,
    callers: { ci: 1 }, caller: githubOidcCaller,
    shape: (rng, ctx) => {
      const arn = roleArn(ctx.accountId, CI_ROLE.roleName);
      return {
        target: arn,
        requestParameters: { roleArn: arn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
        responseElements: {
          credentials: temporaryCredentials(rng, ctx),
          subjectFromWebIdentityToken: GITHUB_SUBJECT,
          assumedRoleUser: { assumedRoleId: `${uniqueId('AROA', `${ctx.accountId}:${CI_ROLE.roleName}`)}:GitHubActions`, arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${CI_ROLE.roleName}/GitHubActions` },
          provider: `arn:aws:iam::${ctx.accountId}:oidc-provider/token.actions.githubusercontent.com`,
          audience: 'sts.amazonaws.com',
        },
        resources: [{ accountId: ctx.accountId, type: 'AWS::IAM::Role', ARN: arn }],
      };
    },
  },
  // --- KMS
  {
    eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', weight: 14, readOnly: true,
    callers: { workload: 5, internal: 4, human: 0.3 },
    shape: (rng, ctx) => {
      const key = randomKeyArn(rng, ctx);
      return { target: key, requestParameters: { encryptionContext: encryptionContext(rng, ctx), encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, responseElements: null, resources: kmsResource(ctx, key) };
    },
  },
  {
    eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', weight: 8, readOnly: true,
    callers: { workload: 4, internal: 4 },
    shape: (rng, ctx) => {
      const key = randomKeyArn(rng, ctx);
      return { target: key, requestParameters: { keyId: rng.chance(0.5) ? key : 'alias/aws/s3', encryptionContext: encryptionContext(rng, ctx), keySpec: 'AES_256' }, responseElements: null, resources: kmsResource(ctx, key) };
    },
  },
  {
    eventSource: 'kms.amazonaws.com', eventName: 'DescribeKey', weight: 1, readOnly: true,
    callers: { serviceLinked: 2, human: 1, ci: 1 },
    shape: (rng, ctx) => {
      const key = randomKeyArn(rng, ctx);
      return { target: key, requestParameters: { keyId: key }, responseElements: null, resources: kmsResource(ctx, key) };
    },
  },
  {
    eventSource: 'kms.amazonaws.com', eventName: 'ListAliases', weight: 0.6, readOnly: true,
    callers: { serviceLinked: 1, human: 1, ci: 1 },
    shape: () => ({ requestParameters: null, responseElements: null }),
  },
  // --- S3 (bucket-level management events only: no data events in a management trail)
  {
    eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', weight: 2, readOnly: true,
    callers: { human: 2, ci: 1, iamUser: 1, serviceLinked: 1, workload: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, null, ''),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketAcl', weight: 2, readOnly: true,
    callers: { serviceLinked: 4, human: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'acl'),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketLocation', weight: 1.5, readOnly: true,
    callers: { serviceLinked: 2, workload: 1, ci: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'location'),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketEncryption', weight: 1, readOnly: true,
    callers: { serviceLinked: 3, ci: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'encryption'),
    notFound: NOT_FOUND('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found'),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketPolicy', weight: 1, readOnly: true,
    callers: { serviceLinked: 3, ci: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'policy'),
    notFound: NOT_FOUND('NoSuchBucketPolicy', 'The bucket policy does not exist'),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketPublicAccessBlock', weight: 0.8, readOnly: true,
    callers: { serviceLinked: 3 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'publicAccessBlock'),
    notFound: NOT_FOUND('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'),
  },
  {
    eventSource: 's3.amazonaws.com', eventName: 'GetBucketVersioning', weight: 0.6, readOnly: true,
    callers: { serviceLinked: 2, ci: 1 },
    shape: (rng, ctx) => s3Shape(rng, ctx, rng.pick(BUCKETS), 'versioning'),
  },
  // --- EC2
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', weight: 6, readOnly: true,
    callers: { serviceLinked: 2, workload: 2, human: 1, ci: 1, iamUser: 0.3 },
    shape: (rng, ctx) => {
      const byId = rng.chance(0.4);
      return {
        requestParameters: byId
          ? { instancesSet: { items: [{ instanceId: ec2Instance(rng, ctx) }] }, filterSet: {} }
          : rng.chance(0.5)
            ? { instancesSet: {}, filterSet: {} }
            : { maxResults: 1000, instancesSet: {}, filterSet: { items: [{ name: 'tag:eks:cluster-name', valueSet: { items: [{ value: 'prod' }] } }] } },
        responseElements: null,
      };
    },
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeSecurityGroups', weight: 2, readOnly: true,
    callers: { serviceLinked: 3, human: 1, ci: 1 },
    shape: (rng, ctx) => ({
      requestParameters: rng.chance(0.5) ? { securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: securityGroupId(rng, ctx) }] }, filterSet: {} } : { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: filterByVpc(ctx) },
      responseElements: null,
    }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeVpcs', weight: 1, readOnly: true,
    callers: { serviceLinked: 2, ci: 1, human: 0.5 },
    shape: () => ({ requestParameters: { vpcSet: {}, filterSet: {} }, responseElements: null }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeSubnets', weight: 1.2, readOnly: true,
    callers: { serviceLinked: 2, workload: 1, ci: 1 },
    shape: (_rng, ctx) => ({ requestParameters: { subnetSet: {}, filterSet: filterByVpc(ctx) }, responseElements: null }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeNetworkInterfaces', weight: 2, readOnly: true,
    callers: { serviceLinked: 2, workload: 1, service: 1 },
    servicePrincipals: ['lambda.amazonaws.com', 'elasticloadbalancing.amazonaws.com'],
    shape: (rng, ctx) => ({
      requestParameters: { networkInterfaceIdSet: {}, filterSet: { items: [{ name: 'subnet-id', valueSet: { items: [{ value: subnetId(rng, ctx) }] } }] } },
      responseElements: null,
    }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeRegions', weight: 1, readOnly: true,
    callers: { workload: 1, human: 1, ci: 1 },
    shape: () => ({ requestParameters: { regionSet: {} }, responseElements: null }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeAvailabilityZones', weight: 0.8, readOnly: true,
    callers: { workload: 1, ci: 1, serviceLinked: 1 },
    shape: () => ({ requestParameters: { availabilityZoneSet: {}, availabilityZoneIdSet: {} }, responseElements: null }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DescribeVolumes', weight: 1, readOnly: true,
    callers: { serviceLinked: 2, human: 0.5 },
    shape: () => ({ requestParameters: { volumeSet: {}, filterSet: {} }, responseElements: null }),
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'CreateTags', weight: 0.6, readOnly: false,
    callers: { service: 1, ci: 2, human: 1 },
    servicePrincipals: ['autoscaling.amazonaws.com'],
    shape: (rng, ctx) => {
      const { requestId, requestID } = ec2Write(rng);
      return {
        requestID,
        requestParameters: { resourcesSet: { items: [{ resourceId: ec2Instance(rng, ctx) }] }, tagSet: { items: [{ key: 'Name', value: rng.pick(['catalog-worker', 'eks-prod-ng', 'bastion']) }] } },
        responseElements: { requestId, _return: true },
      };
    },
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', weight: 0.15, readOnly: false,
    callers: { service: 2, ci: 1 },
    servicePrincipals: ['autoscaling.amazonaws.com'],
    shape: (rng, ctx) => {
      const { requestId, requestID } = ec2Write(rng);
      const id = ec2Instance(rng, ctx);
      const subnet = subnetId(rng, ctx);
      const az = `${ctx.region}${rng.pick(['a', 'b', 'c'])}`;
      const ip = privateIp(rng);
      return {
        requestID,
        requestParameters: {
          instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
          blockDeviceMapping: {},
          availabilityZone: az,
          monitoring: { enabled: false },
          subnetId: subnet,
          disableApiTermination: false,
          disableApiStop: false,
          clientToken: rng.uuid(),
          launchTemplate: { launchTemplateId: ec2Id(ctx, 'lt', 'eks-prod-ng'), version: '7' },
        },
        responseElements: {
          requestId,
          reservationId: `r-${rng.hex(17)}`,
          ownerId: ctx.accountId,
          groupSet: {},
          instancesSet: {
            items: [{
              instanceId: id,
              imageId: ec2Id(ctx, 'ami', 'eks-al2023'),
              currentInstanceBootMode: 'legacy-bios',
              instanceState: { code: 0, name: 'pending' },
              privateDnsName: `ip-${ip.replace(/\./g, '-')}.ec2.internal`,
              amiLaunchIndex: 0,
              productCodes: {},
              instanceType: 'm6i.large',
              launchTime: ctx.timeMs,
              placement: { availabilityZone: az, tenancy: 'default' },
              monitoring: { state: 'disabled' },
              subnetId: subnet,
              vpcId: vpcId(ctx),
              privateIpAddress: ip,
              stateReason: { code: 'pending', message: 'pending' },
              architecture: 'x86_64',
              rootDeviceType: 'ebs',
              rootDeviceName: '/dev/xvda',
              blockDeviceMapping: {},
              virtualizationType: 'hvm',
              hypervisor: 'xen',
              groupSet: { items: [{ groupId: securityGroupId(rng, ctx), groupName: 'eks-cluster-sg-prod' }] },
              sourceDestCheck: true,
              ebsOptimized: true,
              enaSupport: true,
              cpuOptions: { coreCount: 1, threadsPerCore: 2 },
              capacityReservationSpecification: { capacityReservationPreference: 'open' },
              enclaveOptions: { enabled: false },
              metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
              maintenanceOptions: { autoRecovery: 'default' },
            }],
          },
          requesterId: '940372691376',
        },
      };
    },
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'TerminateInstances', weight: 0.1, readOnly: false,
    callers: { service: 2, ci: 1 },
    servicePrincipals: ['autoscaling.amazonaws.com'],
    shape: (rng, ctx) => {
      const { requestId, requestID } = ec2Write(rng);
      const id = ec2Instance(rng, ctx);
      return {
        requestID,
        requestParameters: { instancesSet: { items: [{ instanceId: id }] } },
        responseElements: { requestId, instancesSet: { items: [{ instanceId: id, currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } },
      };
    },
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'CreateNetworkInterface', weight: 0.3, readOnly: false,
    callers: { service: 1 },
    servicePrincipals: ['lambda.amazonaws.com'],
    shape: (rng, ctx) => {
      const { requestId, requestID } = ec2Write(rng);
      const subnet = subnetId(rng, ctx);
      const sg = securityGroupId(rng, ctx);
      const ip = privateIp(rng);
      const description = `AWS Lambda VPC ENI-${rng.pick(FUNCTIONS)}-${rng.uuid()}`;
      return {
        requestID,
        requestParameters: { subnetId: subnet, description, groupSet: { items: [{ groupId: sg }] }, privateIpAddressesSet: {}, ipv6AddressCount: 0, clientToken: rng.uuid() },
        responseElements: {
          requestId,
          networkInterface: {
            networkInterfaceId: `eni-${rng.hex(17)}`,
            subnetId: subnet,
            vpcId: vpcId(ctx),
            availabilityZone: `${ctx.region}a`,
            description,
            ownerId: ctx.accountId,
            requesterId: `${uniqueId('AROA', `${ctx.accountId}:AWSServiceRoleForLambda`)}:${rng.pick(FUNCTIONS)}`,
            requesterManaged: true,
            status: 'pending',
            macAddress: `0e:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`,
            privateIpAddress: ip,
            sourceDestCheck: true,
            interfaceType: 'lambda',
            groupSet: { items: [{ groupId: sg, groupName: 'lambda-egress' }] },
            privateIpAddressesSet: { item: [{ privateIpAddress: ip, primary: true }] },
            ipv6AddressesSet: {},
            tagSet: {},
          },
        },
      };
    },
  },
  {
    eventSource: 'ec2.amazonaws.com', eventName: 'DeleteNetworkInterface', weight: 0.2, readOnly: false,
    callers: { service: 1 },
    servicePrincipals: ['lambda.amazonaws.com'],
    shape: (rng) => {
      const { requestId, requestID } = ec2Write(rng);
      return { requestID, requestParameters: { networkInterfaceId: `eni-${rng.hex(17)}` }, responseElements: { requestId, _return: true } };
    },
  },
  // --- CloudWatch Logs
  {
    eventSource: 'logs.amazonaws.com', eventName: 'DescribeLogStreams', weight: 3, readOnly: true,
    callers: { workload: 2, human: 1 },
    shape: (rng) => ({ requestParameters: { logGroupName: rng.pick(LOG_GROUPS), orderBy: 'LastEventTime', descending: true, limit: 50 }, responseElements: null }),
    notFound: NOT_FOUND('ResourceNotFoundException', 'The specified log group does not exist.'),
  },
  {
    eventSource: 'logs.amazonaws.com', eventName: 'DescribeLogGroups', weight: 1.5, readOnly: true,
    callers: { human: 1, serviceLinked: 2, ci: 1 },
    shape: (rng) => ({ requestParameters: rng.chance(0.5) ? { logGroupNamePrefix: '/aws/lambda/' } : null, responseElements: null }),
  },
  {
    eventSource: 'logs.amazonaws.com', eventName: 'CreateLogStream', weight: 1, readOnly: false,
    callers: { workload: 1 },
    shape: (rng, ctx) => ({
      requestParameters: { logGroupName: rng.pick(LOG_GROUPS), logStreamName: `${isoSeconds(ctx.timeMs).slice(0, 10).replace(/-/g, '/')}/[$LATEST]${rng.hex(32)}` },
      responseElements: null,
    }),
  },
  {
    eventSource: 'logs.amazonaws.com', eventName: 'FilterLogEvents', weight: 0.6, readOnly: true,
    callers: { human: 2, workload: 1 },
    shape: (rng, ctx) => ({
      requestParameters: { logGroupName: rng.pick(LOG_GROUPS), startTime: ctx.timeMs - 3600_000, endTime: ctx.timeMs, filterPattern: '"ERROR"', interleaved: true },
      responseElements: null,
    }),
    notFound: NOT_FOUND('ResourceNotFoundException', 'The specified log group does not exist.'),
  },
  // --- IAM (global: recorded in us-east-1)
  {
    eventSource: 'iam.amazonaws.com', eventName: 'GetRole', weight: 1.5, readOnly: true, global: true,
    callers: { serviceLinked: 2, ci: 2, human: 1 },
    shape: (rng, ctx) => {
      const role = rng.pick(WORKLOAD_ROLES).roleName;
      return { target: roleArn(ctx.accountId, role), requestParameters: { roleName: role }, responseElements: null };
    },
    notFound: (s) => ({ code: 'NoSuchEntityException', message: `The role with name ${String(s.requestParameters?.roleName)} cannot be found.` }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', weight: 0.6, readOnly: true, global: true,
    callers: { serviceLinked: 2, human: 1 },
    shape: () => ({ requestParameters: null, responseElements: null }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'GetPolicy', weight: 0.6, readOnly: true, global: true,
    callers: { serviceLinked: 2, ci: 1 },
    shape: (rng, ctx) => ({ requestParameters: { policyArn: `arn:aws:iam::${ctx.accountId}:policy/${rng.pick(['orders-api-access', 'payments-kms-use', 'ci-deploy-boundary'])}` }, responseElements: null }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'GetPolicyVersion', weight: 0.5, readOnly: true, global: true,
    callers: { serviceLinked: 2, ci: 1 },
    shape: (rng, ctx) => ({ requestParameters: { policyArn: `arn:aws:iam::${ctx.accountId}:policy/${rng.pick(['orders-api-access', 'payments-kms-use'])}`, versionId: `v${rng.int(1, 6)}` }, responseElements: null }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'ListAttachedRolePolicies', weight: 1, readOnly: true, global: true,
    callers: { serviceLinked: 2, ci: 2 },
    shape: (rng) => ({ requestParameters: { roleName: rng.pick(WORKLOAD_ROLES).roleName }, responseElements: null }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'GetUser', weight: 0.4, readOnly: true, global: true,
    callers: { serviceLinked: 1, iamUser: 1 },
    shape: (rng) => ({ requestParameters: { userName: rng.pick(IAM_USERS).userName }, responseElements: null }),
  },
  {
    eventSource: 'iam.amazonaws.com', eventName: 'ListAccessKeys', weight: 0.4, readOnly: true, global: true,
    callers: { serviceLinked: 1 },
    shape: (rng) => ({ requestParameters: { userName: rng.pick(IAM_USERS).userName }, responseElements: null }),
  },
  // --- Lambda (event names carry the API version, as CloudTrail writes them)
  {
    eventSource: 'lambda.amazonaws.com', eventName: 'ListFunctions20150331', weight: 0.8, readOnly: true,
    callers: { serviceLinked: 2, human: 1, ci: 1 },
    shape: () => ({ requestParameters: null, responseElements: null }),
  },
  {
    eventSource: 'lambda.amazonaws.com', eventName: 'GetFunction20150331v2', weight: 0.8, readOnly: true,
    callers: { ci: 2, human: 1, serviceLinked: 1 },
    shape: (rng) => ({ requestParameters: { functionName: rng.pick(FUNCTIONS) }, responseElements: null }),
    notFound: (s) => ({ code: 'ResourceNotFoundException', message: `Function not found: ${String(s.requestParameters?.functionName)}` }),
  },
  {
    eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionCode20150331v2', weight: 0.05, readOnly: false,
    callers: { ci: 1 },
    shape: (rng, ctx) => {
      const name = rng.pick(FUNCTIONS);
      return {
        requestParameters: { functionName: name, publish: false, dryRun: false },
        responseElements: {
          functionName: name,
          functionArn: functionArn(ctx, name),
          runtime: 'nodejs22.x',
          role: roleArn(ctx.accountId, 'orders-api-lambda-role'),
          handler: 'index.handler',
          codeSize: rng.int(40_000, 900_000),
          description: '',
          timeout: 30,
          memorySize: 1024,
          lastModified: `${new Date(ctx.timeMs).toISOString().slice(0, 23)}+0000`,
          codeSha256: `${rng.base64(43)}=`,
          version: '$LATEST',
          tracingConfig: { mode: 'PassThrough' },
          revisionId: rng.uuid(),
          state: 'Active',
          lastUpdateStatus: 'InProgress',
          lastUpdateStatusReason: 'The function is being created.',
          lastUpdateStatusReasonCode: 'Creating',
          packageType: 'Zip',
          architectures: ['arm64'],
          ephemeralStorage: { size: 512 },
          snapStart: { applyOn: 'None', optimizationStatus: 'Off' },
          loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'INFO', systemLogLevel: 'INFO', logGroup: `/aws/lambda/${name}` },
        },
      };
    },
  },
  // --- DynamoDB
  {
    eventSource: 'dynamodb.amazonaws.com', eventName: 'DescribeTable', weight: 2, readOnly: true,
    callers: { workload: 2, serviceLinked: 1, ci: 1 },
    shape: (rng) => ({ requestParameters: { tableName: rng.pick(TABLES) }, responseElements: null }),
    notFound: (s) => ({ code: 'ResourceNotFoundException', message: `Requested resource not found: Table: ${String(s.requestParameters?.tableName)} not found` }),
  },
  {
    eventSource: 'dynamodb.amazonaws.com', eventName: 'ListTables', weight: 0.5, readOnly: true,
    callers: { serviceLinked: 1, human: 1 },
    shape: () => ({ requestParameters: null, responseElements: null }),
  },
  // --- CloudWatch
  {
    eventSource: 'monitoring.amazonaws.com', eventName: 'DescribeAlarms', weight: 1.2, readOnly: true,
    callers: { serviceLinked: 2, human: 1, ci: 1 },
    shape: (rng) => ({ requestParameters: rng.chance(0.5) ? { maxRecords: 100 } : { alarmNames: [`${rng.pick(FUNCTIONS)}-errors`] }, responseElements: null }),
  },
  {
    eventSource: 'monitoring.amazonaws.com', eventName: 'PutMetricAlarm', weight: 0.05, readOnly: false,
    callers: { ci: 1 },
    shape: (rng, ctx) => {
      const fn = rng.pick(FUNCTIONS);
      return {
        requestParameters: {
          alarmName: `${fn}-errors`, actionsEnabled: true, alarmActions: [`arn:aws:sns:${ctx.region}:${ctx.accountId}:ops-alerts`], metricName: 'Errors', namespace: 'AWS/Lambda',
          statistic: 'Sum', dimensions: [{ name: 'FunctionName', value: fn }], period: 60, evaluationPeriods: 5, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching',
        },
        responseElements: null,
      };
    },
  },
  // --- Systems Manager
  {
    eventSource: 'ssm.amazonaws.com', eventName: 'UpdateInstanceInformation', weight: 3, readOnly: false,
    callers: { workload: 1 }, caller: ssmAgentCaller,
    shape: (rng, ctx) => {
      const ip = privateIp(rng);
      const az = rng.pick(['a', 'b', 'c']);
      return {
        requestParameters: {
          instanceId: ec2Instance(rng, ctx), agentVersion: '3.3.987.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023',
          iPAddress: ip, computerName: `ip-${ip.replace(/\./g, '-')}.ec2.internal`, agentName: 'amazon-ssm-agent', availabilityZone: `${ctx.region}${az}`, availabilityZoneId: `use1-az${rng.int(1, 6)}`, ssmConnectionChannel: 'ssmmessages',
        },
        responseElements: null,
      };
    },
  },
  {
    eventSource: 'ssm.amazonaws.com', eventName: 'GetParameter', weight: 2.5, readOnly: true,
    callers: { workload: 4, ci: 1 },
    shape: (rng, ctx) => {
      const name = rng.pick(PARAMETERS);
      return { target: `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter${name}`, requestParameters: { name, withDecryption: rng.chance(0.5) }, responseElements: null };
    },
    notFound: () => ({ code: 'ParameterNotFound', message: '' }),
  },
  {
    eventSource: 'ssm.amazonaws.com', eventName: 'GetParameters', weight: 1, readOnly: true,
    callers: { workload: 2, ci: 1 },
    shape: (rng) => ({ requestParameters: { names: [rng.pick(PARAMETERS), rng.pick(PARAMETERS)], withDecryption: false }, responseElements: null }),
  },
  {
    eventSource: 'ssm.amazonaws.com', eventName: 'GetParametersByPath', weight: 0.6, readOnly: true,
    callers: { workload: 1 },
    shape: (rng) => ({ requestParameters: { path: rng.pick(['/orders/prod/', '/payments/prod/', '/catalog/prod/']), recursive: true, withDecryption: true }, responseElements: null }),
  },
  {
    eventSource: 'ssm.amazonaws.com', eventName: 'DescribeInstanceInformation', weight: 0.4, readOnly: true,
    callers: { serviceLinked: 1, human: 1 },
    shape: () => ({ requestParameters: { maxResults: 50 }, responseElements: null }),
  },
  // --- Secrets Manager
  {
    eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', weight: 2, readOnly: true,
    callers: { workload: 5, human: 0.3 },
    shape: (rng, ctx) => {
      const arn = secretArn(ctx, rng.pick(SECRETS));
      return { target: arn, requestParameters: { secretId: arn }, responseElements: null };
    },
    notFound: NOT_FOUND('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
  },
  // --- ECR
  {
    eventSource: 'ecr.amazonaws.com', eventName: 'GetAuthorizationToken', weight: 1.2, readOnly: true,
    callers: { workload: 2, ci: 1 },
    shape: (_rng, ctx) => ({ requestParameters: { registryIds: [ctx.accountId] }, responseElements: null }),
  },
  {
    eventSource: 'ecr.amazonaws.com', eventName: 'BatchGetImage', weight: 0.5, readOnly: true,
    callers: { workload: 1 },
    shape: (rng, ctx) => ({
      requestParameters: {
        registryId: ctx.accountId, repositoryName: 'catalog-service', imageIds: [{ imageTag: `v1.${rng.int(30, 48)}.${rng.int(0, 9)}` }],
        acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'],
      },
      responseElements: null,
      resources: [{ accountId: ctx.accountId, type: 'AWS::ECR::Repository', ARN: `arn:aws:ecr:${ctx.region}:${ctx.accountId}:repository/catalog-service` }],
    }),
  },
  // --- CloudFormation, Auto Scaling, ELB
  {
    eventSource: 'cloudformation.amazonaws.com', eventName: 'DescribeStacks', weight: 0.6, readOnly: true,
    callers: { ci: 2, human: 1, serviceLinked: 1 },
    shape: (rng) => ({ requestParameters: { stackName: rng.pick(STACKS) }, responseElements: null }),
  },
  {
    eventSource: 'autoscaling.amazonaws.com', eventName: 'DescribeAutoScalingGroups', weight: 0.5, readOnly: true,
    callers: { workload: 1, serviceLinked: 1 },
    shape: () => ({ requestParameters: { maxRecords: 100 }, responseElements: null }),
  },
  {
    eventSource: 'elasticloadbalancing.amazonaws.com', eventName: 'DescribeTargetHealth', weight: 0.6, readOnly: true,
    callers: { workload: 1, serviceLinked: 1 },
    shape: (_rng, ctx) => ({
      requestParameters: { targetGroupArn: `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:targetgroup/k8s-catalog-svc-3f9c2b7e41/8a1b2c3d4e5f4071` },
      responseElements: null,
    }),
  },
  // --- CloudTrail and Config (reads and Config's evaluations only; changes are security events)
  {
    eventSource: 'cloudtrail.amazonaws.com', eventName: 'DescribeTrails', weight: 0.3, readOnly: true,
    callers: { serviceLinked: 1 },
    shape: () => ({ requestParameters: { trailNameList: [], includeShadowTrails: true }, responseElements: null }),
  },
  {
    eventSource: 'cloudtrail.amazonaws.com', eventName: 'GetTrailStatus', weight: 0.3, readOnly: true,
    callers: { serviceLinked: 1 },
    shape: (_rng, ctx) => ({ requestParameters: { name: trailArn(ctx) }, responseElements: null }),
  },
  {
    eventSource: 'cloudtrail.amazonaws.com', eventName: 'LookupEvents', weight: 0.2, readOnly: true,
    callers: { human: 1 },
    shape: (rng) => ({ requestParameters: { maxResults: 50, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: rng.pick(['RunInstances', 'ConsoleLogin', 'DeleteBucket']) }] }, responseElements: null }),
  },
  {
    eventSource: 'config.amazonaws.com', eventName: 'PutEvaluations', weight: 0.6, readOnly: false,
    callers: { serviceLinked: 1 },
    shape: (rng, ctx) => ({
      requestParameters: {
        evaluations: [{ complianceResourceType: 'AWS::EC2::SecurityGroup', complianceResourceId: securityGroupId(rng, ctx), complianceType: rng.chance(0.9) ? 'COMPLIANT' : 'NON_COMPLIANT', orderingTimestamp: javaDate(ctx.timeMs - 60_000) }],
        resultToken: `eyJ${rng.base64(120)}`,
        testMode: false,
      },
      responseElements: { failedEvaluations: [] },
    }),
  },
];

// ---------------------------------------------------------------------------------------
// Drawing from the catalog

function callerTable(api: BenignApi): WeightedTable<CallerKind> {
  return new WeightedTable(Object.entries(api.callers) as [CallerKind, number][]);
}

const CALLER_TABLES = new Map<BenignApi, WeightedTable<CallerKind>>(BENIGN_APIS.map((api) => [api, callerTable(api)]));
const ALL_APIS = new WeightedTable(BENIGN_APIS.map((api) => [api, api.weight] as const));
/** Outside us-east-1, global services (IAM) do not appear in a trail's regional files. */
const REGIONAL_APIS = new WeightedTable(BENIGN_APIS.filter((api) => !api.global).map((api) => [api, api.weight] as const));

export function benignApi(eventName: string): BenignApi {
  const api = BENIGN_APIS.find((a) => a.eventName === eventName);
  if (!api) throw new RangeError(`no benign API named ${eventName}`);
  return api;
}

export interface BenignOptions {
  /** Share of calls that fail (access denied, throttled, not found). Default 0.03. */
  readonly errorShare?: number;
  /** Force this API instead of a weighted draw. */
  readonly api?: BenignApi;
  /** Force this caller kind instead of the API's usual callers. */
  readonly caller?: CallerKind;
  /** Force this error. */
  readonly error?: 'accessDenied' | 'throttled' | 'notFound';
}

export const DEFAULT_ERROR_SHARE = 0.03;

export function benignRecordAt(rng: Rng, ctx: RecordContext, opts: BenignOptions = {}): CloudTrailRecord {
  const api = opts.api ?? (ctx.region === 'us-east-1' ? ALL_APIS : REGIONAL_APIS).pick(rng);
  const kind = opts.caller ?? (CALLER_TABLES.get(api) as WeightedTable<CallerKind>).pick(rng);
  const caller = api.caller && !opts.caller
    ? api.caller(rng, ctx)
    : makeCaller(rng, ctx, kind, { eventSource: api.eventSource, eventName: api.eventName, servicePrincipal: api.servicePrincipals ? rng.pick(api.servicePrincipals) : undefined });
  const shape = api.shape(rng, ctx);
  let error: CallError | undefined;
  const errorKind = opts.error ?? (rng.chance(opts.errorShare ?? DEFAULT_ERROR_SHARE) ? rng.pick(['accessDenied', 'accessDenied', 'throttled', 'notFound'] as const) : undefined);
  if (errorKind === 'notFound' && api.notFound) error = api.notFound(shape);
  else if (errorKind === 'throttled') error = throttlingError(api.eventSource);
  else if (errorKind) error = accessDeniedError(api.eventSource, api.eventName, caller.identity, shape.target);
  const { target: _target, ...call } = shape;
  return apiCallRecord(rng, ctx, caller, {
    ...call,
    eventSource: api.eventSource,
    eventName: api.eventName,
    readOnly: api.readOnly,
    awsRegion: api.global ? 'us-east-1' : undefined,
    host: call.host ?? serviceInfo(api.eventSource).host(api.global ? 'us-east-1' : ctx.region),
    error,
  });
}
