/**
 * Realistic CloudTrail records (eventVersion 1.11 shapes, as CloudTrail writes them), built
 * from a base and passed through JSON so tests see exactly what `JSON.parse` gives the
 * pipeline. Account, addresses and ids are documentation values.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ACCOUNT = '111122223333';

const TLS = {
  tlsVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  clientProvidedHostHeader: 'ec2.us-east-1.amazonaws.com',
};

export const iamUser: JsonObject = {
  type: 'IAMUser',
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
};

export const assumedRole: JsonObject = {
  type: 'AssumedRole',
  principalId: 'AROAIDPPEZS35WEXAMPLE:deploy',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/deploy`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAIDPPEZS35WEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:role/Deployer`,
      accountId: ACCOUNT,
      userName: 'Deployer',
    },
    attributes: { creationDate: '2026-03-01T09:55:00Z', mfaAuthenticated: 'false' },
  },
};

export const rootUser: JsonObject = {
  type: 'Root',
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  accessKeyId: '',
};

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** An API call record; `overrides` replace top-level fields, `null`-valued ones included. */
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

/** A console sign-in (eventSource signin.amazonaws.com, eventType AwsConsoleSignIn). */
export function consoleLogin(
  identity: JsonObject,
  outcome: 'Success' | 'Failure',
  mfaUsed: 'Yes' | 'No',
  overrides: JsonObject = {},
): JsonObject {
  return apiCall('signin.amazonaws.com', 'ConsoleLogin', {
    userIdentity: identity,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36',
    requestParameters: null,
    responseElements: { ConsoleLogin: outcome },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: mfaUsed,
    },
    eventType: 'AwsConsoleSignIn',
    tlsDetails: null,
    ...(outcome === 'Failure' ? { errorMessage: 'Failed authentication' } : {}),
    ...overrides,
  });
}

/** A call AWS made on the account's behalf (eventType AwsServiceEvent). */
export function serviceEvent(eventSource: string, eventName: string, overrides: JsonObject = {}): JsonObject {
  return apiCall(eventSource, eventName, {
    userIdentity: { accountId: ACCOUNT, invokedBy: eventSource },
    sourceIPAddress: eventSource,
    userAgent: eventSource,
    eventType: 'AwsServiceEvent',
    tlsDetails: null,
    ...overrides,
  });
}

/** A refused call: CloudTrail records errorCode and errorMessage, and no responseElements. */
export function deniedCall(eventSource: string, eventName: string, errorCode: string, overrides: JsonObject = {}): JsonObject {
  return apiCall(eventSource, eventName, {
    errorCode,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: ${eventName}`,
    ...overrides,
  });
}

/** A CloudTrail Insights record: no eventName at the top level, no userIdentity. */
export function insightRecord(): JsonObject {
  return clone({
    eventVersion: '1.08',
    eventTime: '2026-03-01T10:00:00Z',
    awsRegion: 'us-east-1',
    eventID: '6b3a2c1d-0e9f-4a8b-9c7d-5e4f3a2b1c0d',
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: ACCOUNT,
    sharedEventID: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
    insightDetails: {
      state: 'Start',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      insightType: 'ApiCallRateInsight',
      insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 5 } } },
    },
    eventCategory: 'Insight',
  });
}
