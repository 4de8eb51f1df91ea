/**
 * Realistic CloudTrail records (eventVersion 1.08–1.11 shapes, as CloudTrail writes them),
 * passed through JSON so tests see exactly what `JSON.parse` gives the pipeline. Accounts,
 * addresses and ids are documentation values.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const ACCOUNT = '111122223333';

export const iamUser: JsonObject = {
  type: 'IAMUser',
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
};

export const rootUser: JsonObject = {
  type: 'Root',
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  accessKeyId: '',
};

/** An EC2 instance's role credentials (from IMDS): the session name is the instance id. */
export const instanceRole: JsonObject = {
  type: 'AssumedRole',
  principalId: 'AROAIDPPEZS35WEXAMPLE:i-0abcd1234efgh5678',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-instance/i-0abcd1234efgh5678`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAIDPPEZS35WEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/aws:ec2-instance`, accountId: ACCOUNT, userName: 'aws:ec2-instance' },
    attributes: { creationDate: '2026-03-01T09:55:00Z', mfaAuthenticated: 'false' },
    ec2RoleDelivery: '2.0',
  },
};

export const assumedRole: JsonObject = {
  type: 'AssumedRole',
  principalId: 'AROAIDPPEZS35WEXAMPLE:deploy',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/deploy`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAIDPPEZS35WEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/Deployer`, accountId: ACCOUNT, userName: 'Deployer' },
    attributes: { creationDate: '2026-03-01T09:55:00Z', mfaAuthenticated: 'false' },
  },
};

const TLS = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'cloudtrail.us-east-1.amazonaws.com' };

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** An API call record; `overrides` replace top-level fields. */
export function apiCall(eventSource: string, eventName: string, overrides: JsonObject = {}): JsonObject {
  const base: JsonObject = {
    eventVersion: '1.11',
    userIdentity: iamUser,
    eventTime: '2026-03-01T10:00:00Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.30 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0 md/arch#x86_64',
    requestParameters: {},
    responseElements: null,
    requestID: '3a1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    eventID: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: TLS,
  };
  return clone({ ...base, ...overrides });
}

/** A console sign-in record (eventType AwsConsoleSignIn). */
export function consoleLogin(result: 'Success' | 'Failure', mfaUsed: 'Yes' | 'No', overrides: JsonObject = {}): JsonObject {
  return apiCall('signin.amazonaws.com', 'ConsoleLogin', {
    eventType: 'AwsConsoleSignIn',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: result },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: mfaUsed },
    readOnly: false,
    ...(result === 'Failure' ? { errorMessage: 'Failed authentication' } : {}),
    ...overrides,
  });
}
