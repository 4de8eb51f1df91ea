import { compileFilterPattern } from '../../../../lib/rules/filter-pattern';
import {
  apiCall,
  assumedRole,
  consoleLogin,
  deniedCall,
  iamUser,
  insightRecord,
  rootUser,
  serviceEvent,
} from './cloudtrail-records';

/**
 * The 14 CIS AWS Foundations metric-filter patterns exactly as Security Hub published them
 * (AWS-FACTS.md, CloudWatch.1–14), each against CloudTrail records that must and must not
 * match — near misses included, so a wrong operator, case rule or wildcard rule shows up.
 */
type LogRecord = ReturnType<typeof apiCall>;
interface Control {
  readonly id: string;
  readonly pattern: string;
  readonly fields: readonly string[];
  readonly match: readonly (readonly [string, LogRecord])[];
  readonly noMatch: readonly (readonly [string, LogRecord])[];
}

const names = (source: string, list: readonly string[]) =>
  list.map((name) => [`${source} ${name}`, apiCall(source, name)] as const);

const IAM_POLICY_CHANGES = [
  'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
  'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy',
  'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy',
];
const TRAIL_CHANGES = ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'];
const BUCKET_POLICY_CHANGES = [
  'PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle', 'PutBucketReplication',
  'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication',
];
const CONFIG_CHANGES = ['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'];
const SECURITY_GROUP_CHANGES = [
  'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup',
];
const NACL_CHANGES = [
  'CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry',
  'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation',
];
const GATEWAY_CHANGES = [
  'CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway',
  'DeleteInternetGateway', 'DetachInternetGateway',
];
const ROUTE_CHANGES = [
  'CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable',
  'DeleteRoute', 'DisassociateRouteTable',
];
const VPC_CHANGES = [
  'CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection',
  'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc',
  'DisableVpcClassicLink', 'EnableVpcClassicLink',
];

/** `{($.eventName=A) || ($.eventName=B) || …}` as CIS writes it. */
const anyEventName = (list: readonly string[]) => list.map((n) => `($.eventName=${n})`).join(' || ');

const CONTROLS: readonly Control[] = [
  {
    id: 'CloudWatch.1 root user usage',
    pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    fields: ['userIdentity.type', 'userIdentity.invokedBy', 'eventType'],
    match: [
      ['root console sign-in', consoleLogin(rootUser, 'Success', 'Yes')],
      ['root creates an access key', apiCall('iam.amazonaws.com', 'CreateAccessKey', { userIdentity: rootUser })],
    ],
    noMatch: [
      ['root identity invoked by an AWS service', apiCall('s3.amazonaws.com', 'GetBucketAcl', { userIdentity: { ...rootUser, invokedBy: 'support.amazonaws.com' } })],
      ['root AwsServiceEvent', serviceEvent('sts.amazonaws.com', 'AssumeRole', { userIdentity: rootUser })],
      ['IAM user sign-in', consoleLogin(iamUser, 'Success', 'No')],
      ['"root" in lower case', apiCall('iam.amazonaws.com', 'CreateAccessKey', { userIdentity: { ...rootUser, type: 'root' } })],
      ['Insights record without userIdentity', insightRecord()],
    ],
  },
  {
    id: 'CloudWatch.2 unauthorized API calls',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    fields: ['errorCode'],
    match: [
      ['EC2 Client.UnauthorizedOperation', deniedCall('ec2.amazonaws.com', 'RunInstances', 'Client.UnauthorizedOperation')],
      ['plain UnauthorizedOperation', deniedCall('ec2.amazonaws.com', 'StopInstances', 'UnauthorizedOperation')],
      ['AccessDenied', deniedCall('s3.amazonaws.com', 'GetObject', 'AccessDenied')],
      ['AccessDeniedException', deniedCall('kms.amazonaws.com', 'Decrypt', 'AccessDeniedException')],
    ],
    noMatch: [
      ['a successful call', apiCall('ec2.amazonaws.com', 'RunInstances')],
      ['ThrottlingException', deniedCall('ec2.amazonaws.com', 'DescribeInstances', 'ThrottlingException')],
      ['UnauthorizedOperation not at the end', deniedCall('ec2.amazonaws.com', 'RunInstances', 'Client.UnauthorizedOperationX')],
      ['AccessDenied not at the start', deniedCall('s3.amazonaws.com', 'GetObject', 'S3AccessDenied')],
      ['case differs', deniedCall('s3.amazonaws.com', 'GetObject', 'accessdenied')],
      ['errorCode null', apiCall('s3.amazonaws.com', 'GetObject', { errorCode: null })],
    ],
  },
  {
    id: 'CloudWatch.3 console sign-in without MFA',
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    fields: ['eventName', 'additionalEventData.MFAUsed', 'userIdentity.type', 'responseElements.ConsoleLogin'],
    match: [['IAM user, no MFA, success', consoleLogin(iamUser, 'Success', 'No')]],
    noMatch: [
      ['IAM user with MFA', consoleLogin(iamUser, 'Success', 'Yes')],
      ['failed sign-in without MFA', consoleLogin(iamUser, 'Failure', 'No')],
      ['federated (assumed role) sign-in', consoleLogin(assumedRole, 'Success', 'No')],
      ['root sign-in without MFA', consoleLogin(rootUser, 'Success', 'No')],
      // CloudWatch does not match `!=` on an absent field; neither do we (see semantics tests)
      ['no additionalEventData at all', consoleLogin(iamUser, 'Success', 'No', { additionalEventData: null })],
    ],
  },
  {
    id: 'CloudWatch.4 IAM policy changes',
    pattern: `{${anyEventName(IAM_POLICY_CHANGES)}}`,
    fields: ['eventName'],
    match: names('iam.amazonaws.com', IAM_POLICY_CHANGES),
    noMatch: [
      ...names('iam.amazonaws.com', ['GetPolicy', 'ListPolicies', 'CreatePolicyVersions', 'createpolicy', 'AttachRolePolic']),
      ['Insights record', insightRecord()],
    ],
  },
  {
    id: 'CloudWatch.5 CloudTrail configuration changes',
    pattern: `{${anyEventName(TRAIL_CHANGES)}}`,
    fields: ['eventName'],
    match: names('cloudtrail.amazonaws.com', TRAIL_CHANGES),
    noMatch: names('cloudtrail.amazonaws.com', ['DescribeTrails', 'LookupEvents', 'GetTrailStatus']),
  },
  {
    id: 'CloudWatch.6 console authentication failures',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    fields: ['eventName', 'errorMessage'],
    match: [
      ['IAM user wrong password', consoleLogin(iamUser, 'Failure', 'No')],
      ['root wrong password', consoleLogin(rootUser, 'Failure', 'No')],
    ],
    noMatch: [
      ['successful sign-in', consoleLogin(iamUser, 'Success', 'No')],
      ['failure for another reason', consoleLogin(iamUser, 'Failure', 'No', { errorMessage: 'No username found in supplied account' })],
      ['same message, other event', apiCall('signin.amazonaws.com', 'CheckMfa', { errorMessage: 'Failed authentication' })],
    ],
  },
  {
    id: 'CloudWatch.7 disabling or scheduled deletion of customer managed keys',
    pattern: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    fields: ['eventSource', 'eventName'],
    match: names('kms.amazonaws.com', ['DisableKey', 'ScheduleKeyDeletion']),
    noMatch: [
      ...names('kms.amazonaws.com', ['EnableKey', 'CancelKeyDeletion', 'Decrypt']),
      ...names('payment-cryptography.amazonaws.com', ['DisableKey']),
      // '.' in the unquoted value is literal, not "any character"
      ...names('kmsXamazonaws.com', ['DisableKey']),
    ],
  },
  {
    id: 'CloudWatch.8 S3 bucket policy changes',
    pattern: `{($.eventSource=s3.amazonaws.com) && (${anyEventName(BUCKET_POLICY_CHANGES)})}`,
    fields: ['eventSource', 'eventName'],
    match: names('s3.amazonaws.com', BUCKET_POLICY_CHANGES),
    noMatch: [
      ...names('s3.amazonaws.com', ['GetBucketPolicy', 'PutObject', 'PutBucketTagging']),
      ...names('s3-outposts.amazonaws.com', ['PutBucketPolicy']),
    ],
  },
  {
    id: 'CloudWatch.9 AWS Config configuration changes',
    pattern: `{($.eventSource=config.amazonaws.com) && (${anyEventName(CONFIG_CHANGES)})}`,
    fields: ['eventSource', 'eventName'],
    match: names('config.amazonaws.com', CONFIG_CHANGES),
    noMatch: [
      ...names('config.amazonaws.com', ['StartConfigurationRecorder', 'DescribeConfigurationRecorders']),
      ...names('s3.amazonaws.com', ['PutDeliveryChannel']),
    ],
  },
  {
    id: 'CloudWatch.10 security group changes',
    pattern: `{${anyEventName(SECURITY_GROUP_CHANGES)}}`,
    fields: ['eventName'],
    match: names('ec2.amazonaws.com', SECURITY_GROUP_CHANGES),
    // ModifySecurityGroupRules changes rules too, but the CIS pattern does not list it
    noMatch: names('ec2.amazonaws.com', ['DescribeSecurityGroups', 'ModifySecurityGroupRules']),
  },
  {
    id: 'CloudWatch.11 network ACL changes',
    pattern: `{${anyEventName(NACL_CHANGES)}}`,
    fields: ['eventName'],
    match: names('ec2.amazonaws.com', NACL_CHANGES),
    noMatch: names('ec2.amazonaws.com', ['DescribeNetworkAcls']),
  },
  {
    id: 'CloudWatch.12 network gateway changes',
    pattern: `{${anyEventName(GATEWAY_CHANGES)}}`,
    fields: ['eventName'],
    match: names('ec2.amazonaws.com', GATEWAY_CHANGES),
    noMatch: names('ec2.amazonaws.com', ['CreateVpnGateway', 'DescribeInternetGateways']),
  },
  {
    id: 'CloudWatch.13 route table changes',
    pattern: `{${anyEventName(ROUTE_CHANGES)}}`,
    fields: ['eventName'],
    match: names('ec2.amazonaws.com', ROUTE_CHANGES),
    noMatch: names('ec2.amazonaws.com', ['DescribeRouteTables', 'AssociateRouteTable']),
  },
  {
    id: 'CloudWatch.14 VPC changes',
    pattern: `{${anyEventName(VPC_CHANGES)}}`,
    fields: ['eventName'],
    match: names('ec2.amazonaws.com', VPC_CHANGES),
    noMatch: names('ec2.amazonaws.com', ['DescribeVpcs', 'ModifyVpcEndpoint', 'CreateDefaultVpc']),
  },
];

/** Every fixture record, for checks that run each pattern over all of them. */
const ALL_RECORDS = CONTROLS.flatMap((c) => [...c.match, ...c.noMatch].map(([, r]) => r));

describe('CIS AWS Foundations patterns (Security Hub CloudWatch.1–14)', () => {
  it('has all 14 controls, each with a match and a non-match', () => {
    expect(CONTROLS).toHaveLength(14);
    for (const c of CONTROLS) {
      expect(c.match.length).toBeGreaterThan(0);
      expect(c.noMatch.length).toBeGreaterThan(0);
    }
  });

  describe.each(CONTROLS)('$id', (control) => {
    const compiled = compileFilterPattern(control.pattern);

    it('compiles unchanged and reports the fields it reads', () => {
      // Assess
      expect(compiled.source).toBe(control.pattern);
      expect(compiled.fields).toEqual(control.fields);
    });

    it.each(control.match)('matches: %s', (_label, record) => {
      // Act / Assess
      expect(compiled.test(record)).toBe(true);
    });

    it.each(control.noMatch)('does not match: %s', (_label, record) => {
      expect(compiled.test(record)).toBe(false);
    });

    it('gives the same answers with equality folding switched off', () => {
      // Prepare
      const unfolded = compileFilterPattern(control.pattern, { mergeEqualities: false });

      // Act
      const folded = ALL_RECORDS.map((r) => compiled.test(r));
      const plain = ALL_RECORDS.map((r) => unfolded.test(r));

      // Assess: and the answers are not all the same, so the comparison says something
      expect(folded).toEqual(plain);
      expect(new Set(folded).size).toBe(2);
    });
  });
});
