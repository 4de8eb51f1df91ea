import { compileSigmaRule, isSigmaRefusal, type SigmaCompiledRule, type SigmaRefusedRule } from '../../../../lib/rules/sigma';
import { apiCall, consoleLogin, iamUser, instanceRole, type JsonObject, rootUser } from './records';

const FILE = 'rules/sigma/test_rule.yml';

/** A CloudTrail Sigma rule around a detection section. */
function sigma(detection: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Test rule',
    id: '0b3e6f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    logsource: { product: 'aws', service: 'cloudtrail' },
    detection,
    level: 'high',
    ...extra,
  };
}

function compiled(doc: unknown): SigmaCompiledRule {
  const result = compileSigmaRule(doc, FILE);
  if (isSigmaRefusal(result)) throw new Error(`refused: ${result.reason}`);
  return result;
}

function refused(doc: unknown): SigmaRefusedRule {
  const result = compileSigmaRule(doc, FILE);
  if (!isSigmaRefusal(result)) throw new Error(`compiled: ${result.expression}`);
  return result;
}

/** A rule with one selection `{ [key]: value }`. */
function item(key: string, value: unknown): SigmaCompiledRule {
  return compiled(sigma({ selection: { [key]: value }, condition: 'selection' }));
}

/** Record parsed from JSON text, so `__proto__` and `constructor` keys are own data. */
function parsed(json: string): unknown {
  return JSON.parse(json) as unknown;
}

describe('Sigma field values', () => {
  it('compares plain strings with the whole value, case-insensitively', () => {
    // Prepare
    const rule = item('eventName', 'StopLogging');

    // Act / Assess
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'StopLogging'))).toBe(true);
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'STOPLOGGING'))).toBe(true);
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'StopLoggingX'))).toBe(false);
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'Stop'))).toBe(false);
  });

  it('compares case-sensitively with cased', () => {
    // Prepare
    const rule = item('eventName|cased', 'StopLogging');

    // Act / Assess
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'StopLogging'))).toBe(true);
    expect(rule.test(apiCall('cloudtrail.amazonaws.com', 'stoplogging'))).toBe(false);
  });

  it('ORs a list of values, and ANDs it with all', () => {
    // Prepare
    const any = item('eventName', ['StopLogging', 'DeleteTrail']);
    const all = item('userAgent|contains|all', ['aws-cli', 'linux']);

    // Act / Assess
    expect(any.test(apiCall('cloudtrail.amazonaws.com', 'DeleteTrail'))).toBe(true);
    expect(any.test(apiCall('cloudtrail.amazonaws.com', 'UpdateTrail'))).toBe(false);
    expect(all.test(apiCall('s3.amazonaws.com', 'ListBuckets'))).toBe(true);
    expect(all.test(apiCall('s3.amazonaws.com', 'ListBuckets', { userAgent: 'aws-cli/2.15 os/windows' }))).toBe(false);
  });

  it('ANDs the fields of a map and ORs a list of maps', () => {
    // Prepare
    const map = compiled(sigma({ selection: { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' }, condition: 'selection' }));
    const list = compiled(sigma({ selection: [{ eventSource: 'iam.amazonaws.com' }, { eventName: 'CreateUser' }], condition: 'selection' }));

    // Act / Assess
    expect(map.test(apiCall('iam.amazonaws.com', 'CreateUser'))).toBe(true);
    expect(map.test(apiCall('iam.amazonaws.com', 'DeleteUser'))).toBe(false);
    expect(list.test(apiCall('iam.amazonaws.com', 'DeleteUser'))).toBe(true);
    expect(list.test(apiCall('sso.amazonaws.com', 'CreateUser'))).toBe(true);
    expect(list.test(apiCall('s3.amazonaws.com', 'ListBuckets'))).toBe(false);
  });

  it.each([
    ['userAgent|contains', 'S3 BROWSER', 'S3 Browser 11.5.7 https://s3browser.com', true],
    ['userAgent|contains', 'S3 Browser', 'aws-cli/2.15.30', false],
    ['userAgent|startswith', 'aws-cli/', 'AWS-CLI/2.15.30 Python/3.11', true],
    ['userAgent|startswith', 'aws-cli/', 'Boto3/1.34 aws-cli/2', false],
    ['userAgent|endswith', 'x86_64', 'aws-cli/2.15 md/arch#X86_64', true],
    ['userAgent|endswith', 'x86_64', 'x86_64 aws-cli', false],
    ['userAgent|contains', 'cli/*Python', 'aws-cli/1.2 Python/3', true], // wildcards inside stay wildcards
    ['userAgent|contains', 'a\\*b', 'xa*by', true], // an escaped star is literal
    ['userAgent|contains', 'a\\*b', 'xaZby', false],
    ['userAgent', 'aws-cli/?.*', 'aws-cli/2.15', true],
    ['userAgent', 'aws-cli/?.*', 'aws-cli/.15', false],
    ['userAgent|contains|cased', 'S3 Browser', 's3 browser 11', false],
  ])('%s %j against %j: %s', (key, value, userAgent, expected) => {
    // Prepare
    const rule = item(key, value);

    // Act
    const result = rule.test(apiCall('iam.amazonaws.com', 'GetLoginProfile', { userAgent }));

    // Assess
    expect(result).toBe(expected);
  });

  it('treats re as a case-sensitive search, with i, m and s sub-modifiers', () => {
    // Prepare
    const plain = item('userIdentity.arn|re', ':assumed-role/aws:');
    const insensitive = item('userIdentity.arn|re|i', ':ASSUMED-ROLE/AWS:');
    const multiline = item('errorMessage|re|m', '^denied$');
    const dotall = item('errorMessage|re|s', 'access.denied');
    const record = apiCall('s3.amazonaws.com', 'ListBuckets', { userIdentity: instanceRole, errorMessage: 'access\ndenied' });

    // Act / Assess
    expect(plain.test(record)).toBe(true);
    expect(plain.test(apiCall('s3.amazonaws.com', 'ListBuckets'))).toBe(false);
    expect(item('userIdentity.arn|re', ':ASSUMED-ROLE/').test(record)).toBe(false);
    expect(insensitive.test(record)).toBe(true);
    expect(multiline.test(record)).toBe(true);
    expect(item('errorMessage|re', '^denied$').test(record)).toBe(false);
    expect(dotall.test(record)).toBe(true);
    expect(item('errorMessage|re', 'access.denied').test(record)).toBe(false);
    expect(item('eventName|re|contains', 'Bucket').test(record)).toBe(true); // contains adds nothing to a search
  });

  it('matches cidr networks, IPv4 and IPv6, against sourceIPAddress', () => {
    // Prepare
    const rule = item('sourceIPAddress|cidr', ['198.51.100.0/24', '2001:db8::/32']);

    // Act / Assess
    expect(rule.test(apiCall('s3.amazonaws.com', 'ListBuckets', { sourceIPAddress: '198.51.100.200' }))).toBe(true);
    expect(rule.test(apiCall('s3.amazonaws.com', 'ListBuckets', { sourceIPAddress: '2001:db8:1::7' }))).toBe(true);
    expect(rule.test(apiCall('s3.amazonaws.com', 'ListBuckets', { sourceIPAddress: '203.0.113.1' }))).toBe(false);
    expect(rule.test(apiCall('s3.amazonaws.com', 'ListBuckets', { sourceIPAddress: 'AWS Internal' }))).toBe(false);
    expect(rule.test(apiCall('s3.amazonaws.com', 'ListBuckets', { sourceIPAddress: 'cloudtrail.amazonaws.com' }))).toBe(false);
  });

  it('tells a missing field, a null, an empty string and a value apart', () => {
    // Prepare
    const isNull = item('errorCode', null);
    const isEmpty = item('errorCode', '');
    const exists = item('errorCode|exists', true);
    const notExists = item('errorCode|exists', false);
    const missing = apiCall('s3.amazonaws.com', 'ListBuckets');
    const nulled = apiCall('s3.amazonaws.com', 'ListBuckets', { errorCode: null });
    const empty = apiCall('s3.amazonaws.com', 'ListBuckets', { errorCode: '' });
    const denied = apiCall('s3.amazonaws.com', 'ListBuckets', { errorCode: 'AccessDenied' });

    // Act
    const table = [missing, nulled, empty, denied].map((r) => [isNull.test(r), isEmpty.test(r), exists.test(r), notExists.test(r)]);

    // Assess: null = missing or null; '' = only ""; exists = the key is there, whatever its value
    expect(table).toEqual([
      [true, false, false, true],
      [true, false, true, false],
      [false, true, true, false],
      [false, false, true, false],
    ]);
    expect(item('errorCode', []).test(missing)).toBe(true); // an empty value list is null (pySigma)
    expect(item('errorCode|contains', '*').test(missing)).toBe(false);
    expect(item('errorCode|contains', '*').test(empty)).toBe(true);
  });

  it('compares numbers and booleans with JSON values and with their text', () => {
    // Prepare
    const account = item('recipientAccountId', 111122223333);
    const port = item('requestParameters.fromPort', '22');
    const bool = item('responseElements.publiclyAccessible', 'true');
    const yamlBool = item('requestParameters.encrypted', false);
    const record = apiCall('ec2.amazonaws.com', 'X', {
      requestParameters: { fromPort: 22, encrypted: 'False' },
      responseElements: { publiclyAccessible: true },
    });

    // Act / Assess
    expect(account.test(record)).toBe(true); // number rule value, CloudTrail's string account id
    expect(account.test(apiCall('s3.amazonaws.com', 'X', { recipientAccountId: '111122223334' }))).toBe(false);
    expect(port.test(record)).toBe(true); // string rule value, JSON number
    expect(bool.test(record)).toBe(true); // 'true' and the JSON boolean true
    expect(bool.test(apiCall('ec2.amazonaws.com', 'X', { responseElements: { publiclyAccessible: false } }))).toBe(false);
    expect(yamlBool.test(record)).toBe(true); // YAML false and the text "False"
    expect(item('requestParameters.fromPort', 22.0).test(record)).toBe(true);
    expect(item('requestParameters.fromPort', 23).test(record)).toBe(false);
    expect(item('requestParameters.fromPort|contains', 2).test(record)).toBe(true); // a number under contains is its text
  });

  it('compares numbers with gt, gte, lt and lte', () => {
    // Prepare
    const record = apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { requestParameters: { fromPort: 22, toPort: '443' } });

    // Act / Assess
    expect(item('requestParameters.fromPort|lt', 1024).test(record)).toBe(true);
    expect(item('requestParameters.fromPort|lte', 22).test(record)).toBe(true);
    expect(item('requestParameters.fromPort|gt', 22).test(record)).toBe(false);
    expect(item('requestParameters.toPort|gte', 443).test(record)).toBe(true); // a decimal string is a number
    expect(item('requestParameters.missing|lt', 1).test(record)).toBe(false);
  });

  it('negates a whole field item with neq', () => {
    // Prepare
    const rule = item('awsRegion|neq', ['eu-west-1', 'eu-central-1']);

    // Act / Assess
    expect(rule.test(apiCall('ec2.amazonaws.com', 'RunInstances', { awsRegion: 'ap-south-1' }))).toBe(true);
    expect(rule.test(apiCall('ec2.amazonaws.com', 'RunInstances', { awsRegion: 'EU-WEST-1' }))).toBe(false);
    expect(rule.test({ eventName: 'RunInstances' })).toBe(true); // a missing field differs from every value
  });

  it('compares two fields with fieldref, case-sensitively, and never when one is missing', () => {
    // Prepare
    const equal = item('userIdentity.userName|fieldref', 'requestParameters.userName');
    const ends = item('userIdentity.arn|fieldref|endswith', 'requestParameters.userName');
    const self = apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { requestParameters: { userName: 'alice' } });
    const other = apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { requestParameters: { userName: 'bob' } });
    const upper = apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { requestParameters: { userName: 'ALICE' } });
    const none = apiCall('iam.amazonaws.com', 'UpdateLoginProfile');

    // Act / Assess
    expect([self, other, upper, none].map((r) => equal.test(r))).toEqual([true, false, false, false]);
    expect([self, other, upper, none].map((r) => ends.test(r))).toEqual([true, false, false, false]);
    expect(item('userIdentity.arn|fieldref|contains', 'userIdentity.accountId').test(self)).toBe(true);
    expect(item('userIdentity.arn|fieldref|startswith', 'userIdentity.userName').test(self)).toBe(false);
  });

  it('reads nested fields by dot, and any element of an array along the path', () => {
    // Prepare
    const rule = item('requestParameters.ipPermissions.items.ipRanges.items.cidrIp', '0.0.0.0/0');
    const permissions = (ranges: string[][]): JsonObject =>
      apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
        requestParameters: {
          groupId: 'sg-0123456789abcdef0',
          ipPermissions: {
            items: ranges.map((cidrs) => ({
              ipProtocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              groups: {},
              ipRanges: { items: cidrs.map((cidrIp) => ({ cidrIp })) },
              ipv6Ranges: {},
              prefixListIds: {},
            })),
          },
        },
      });

    // Act / Assess
    expect(rule.test(permissions([['10.0.0.0/8'], ['192.0.2.0/24', '0.0.0.0/0']]))).toBe(true);
    expect(rule.test(permissions([['10.0.0.0/8'], ['192.0.2.0/24']]))).toBe(false);
    expect(rule.test(permissions([]))).toBe(false);
    expect(item('requestParameters.ipPermissions.items.ipRanges.items.cidrIp', null).test(permissions([['10.0.0.0/8'], []]))).toBe(true);
    expect(item('requestParameters.ipPermissions.items.ipRanges.items.cidrIp|exists', true).test(permissions([['10.0.0.0/8'], []]))).toBe(true);
    expect(item('requestParameters.ipPermissions.items.ipRanges.items.cidrIp|exists', true).test(permissions([[], []]))).toBe(false);
    expect(item('resources.ARN|endswith', ':trail/management').test(apiCall('cloudtrail.amazonaws.com', 'StopLogging', { resources: [{ ARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management' }] }))).toBe(true);
    expect(item('requestParameters.x-amz-acl', 'public-read').test(apiCall('s3.amazonaws.com', 'PutBucketAcl', { requestParameters: { 'x-amz-acl': ['public-read'] } }))).toBe(true);
  });

  it('looks inside an object-valued field for a value test (requestParameters, responseElements)', () => {
    // Prepare
    const rule = item('requestParameters|contains|all', ['"s3:GetObject"', '"Allow"']);
    const record = apiCall('iam.amazonaws.com', 'PutUserPolicy', {
      requestParameters: { userName: 'alice', policyName: 'p', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' },
    });

    // Act / Assess
    expect(rule.test(record)).toBe(true);
    expect(rule.test(apiCall('iam.amazonaws.com', 'PutUserPolicy', { requestParameters: { policyDocument: '{"Effect":"Deny","Action":"s3:GetObject"}' } }))).toBe(false);
    expect(item('requestParameters', 'alice').test(record)).toBe(true);
    expect(item('requestParameters', null).test(record)).toBe(false);
  });

  it('reads own properties only: __proto__ and constructor are data, prototypes are never read', () => {
    // Prepare
    const proto = item('__proto__.polluted', 'yes');
    const ctor = item('constructor', null);
    const record = parsed('{"eventName":"X","__proto__":{"polluted":"yes"}}');

    // Act / Assess
    expect(proto.test(record)).toBe(true);
    expect(proto.test({ eventName: 'X' })).toBe(false);
    expect(ctor.test({ eventName: 'X' })).toBe(true); // Object.prototype.constructor is not the record's
    expect(item('toString|exists', true).test({})).toBe(false);
    expect(item('eventName.length', 1).test({ eventName: 'X' })).toBe(false);
  });
});

describe('Sigma conditions over search identifiers', () => {
  const detection = {
    selection_stop: { eventName: 'StopLogging' },
    selection_delete: { eventName: 'DeleteTrail' },
    filter_root: { 'userIdentity.type': 'Root' },
    _internal: { eventName: 'StopLogging' },
  };
  const stopByUser = apiCall('cloudtrail.amazonaws.com', 'StopLogging');
  const stopByRoot = apiCall('cloudtrail.amazonaws.com', 'StopLogging', { userIdentity: rootUser });
  const deleteByUser = apiCall('cloudtrail.amazonaws.com', 'DeleteTrail');
  const other = apiCall('cloudtrail.amazonaws.com', 'UpdateTrail');
  const records = [stopByUser, stopByRoot, deleteByUser, other];
  const run = (condition: unknown, det: Record<string, unknown> = detection) => {
    const rule = compiled(sigma({ ...det, condition }));
    return records.map((r) => rule.test(r));
  };

  it.each([
    ['selection_stop', [true, true, false, false]],
    ['selection_stop or selection_delete', [true, true, true, false]],
    ['selection_stop and not filter_root', [true, false, false, false]],
    ['not selection_stop', [false, false, true, true]],
    ['(selection_stop or selection_delete) and not filter_root', [true, false, true, false]],
    ['selection_stop or selection_delete and filter_root', [true, true, false, false]], // and binds tighter
    ['1 of selection_*', [true, true, true, false]],
    ['any of selection_*', [true, true, true, false]],
    ['all of selection_*', [false, false, false, false]],
    ['1 of selection_* and not 1 of filter_*', [true, false, true, false]],
    ['all of filter_*', [false, true, false, false]],
    ['1 of them', [true, true, true, false]],
    ['all of them', [false, false, false, false]],
  ])('%s', (condition, expected) => {
    // Act
    const results = run(condition);

    // Assess
    expect(results).toEqual(expected);
  });

  it('treats a list of conditions as their OR', () => {
    expect(run(['selection_stop and not filter_root', 'selection_delete'])).toEqual([true, false, true, false]);
  });

  it('leaves _-prefixed identifiers out of them', () => {
    // _internal alone would make "all of them" need StopLogging; without it the AND is over the three others
    expect(run('all of them', { selection_a: { eventSource: 'cloudtrail.amazonaws.com' }, _internal: { eventName: 'StopLogging' } })).toEqual([true, true, true, true]);
  });
});

describe('Sigma documents trailwatch refuses, with the feature named', () => {
  it.each([
    ['another product', sigma({ selection: { Image: 'x' }, condition: 'selection' }, { logsource: { product: 'windows', category: 'process_creation' } }), 'unsupported', 'product: windows'],
    ['a category', sigma({ selection: { eventName: 'x' }, condition: 'selection' }, { logsource: { product: 'aws', service: 'cloudtrail', category: 'x' } }), 'unsupported', 'category: x'],
    ['an aggregation', sigma({ selection: { eventName: 'x' }, condition: 'selection | count() by sourceIPAddress > 5' }), 'unsupported', 'aggregation'],
    ['near', sigma({ selection: { eventName: 'x' }, other: { eventName: 'y' }, condition: 'selection and near other' }), 'unsupported', "'near'"],
    ['a timeframe', sigma({ selection: { eventName: 'x' }, timeframe: '5m', condition: 'selection' }), 'unsupported', 'timeframe'],
    ['keywords', sigma({ keywords: ['StopLogging', 'DeleteTrail'], condition: 'keywords' }), 'unsupported', 'keyword search'],
    ['an |all keyword', sigma({ keywords: { '|all': ['a', 'b'] }, condition: 'keywords' }), 'unsupported', 'keyword search'],
    ['base64offset', sigma({ selection: { 'userAgent|base64offset|contains': 'x' }, condition: 'selection' }), 'unsupported', "modifier 'base64offset'"],
    ['windash', sigma({ selection: { 'userAgent|windash': '-x' }, condition: 'selection' }), 'unsupported', "modifier 'windash'"],
    ['expand', sigma({ selection: { 'userAgent|expand': '%Admins%' }, condition: 'selection' }), 'unsupported', "modifier 'expand'"],
    ['an unknown modifier', sigma({ selection: { 'userAgent|fuzzy': 'x' }, condition: 'selection' }), 'unsupported', "unknown modifier 'fuzzy'"],
    ['a lookahead', sigma({ selection: { 'userAgent|re': '(?=x)' }, condition: 'selection' }), 'unsupported', 'lookahead'],
    ['a correlation', { title: 'x', correlation: { type: 'event_count', rules: ['a'] } }, 'unsupported', 'correlation'],
    ['a collection part', { action: 'global', title: 'x' }, 'unsupported', 'action'],
    ['status unsupported', sigma({ selection: { eventName: 'x' }, condition: 'selection' }, { status: 'unsupported' }), 'unsupported', 'status: unsupported'],
    ['no title', { ...sigma({ selection: { eventName: 'x' }, condition: 'selection' }), title: undefined }, 'invalid', 'title'],
    ['no condition', sigma({ selection: { eventName: 'x' } }), 'invalid', 'condition'],
    ['an undefined identifier', sigma({ selection: { eventName: 'x' }, condition: 'selection and filter' }), 'invalid', 'filter'],
    ['a selector matching nothing', sigma({ selection: { eventName: 'x' }, condition: 'selection and not 1 of filter_*' }), 'invalid', 'filter_*'],
    ['a level', sigma({ selection: { eventName: 'x' }, condition: 'selection' }, { level: 'urgent' }), 'invalid', 'level'],
    ['i without re', sigma({ selection: { 'userAgent|i': 'x' }, condition: 'selection' }), 'invalid', 'sub-modifier of re'],
    ['re after contains', sigma({ selection: { 'userAgent|contains|re': 'x' }, condition: 'selection' }), 'invalid', 're must be the first'],
    ['cased on a regex', sigma({ selection: { 'userAgent|re|cased': 'x' }, condition: 'selection' }), 'invalid', 'cased'],
    ['a bad network', sigma({ selection: { 'sourceIPAddress|cidr': '10.0.0.0/33' }, condition: 'selection' }), 'invalid', 'cidr'],
    ['exists with a string', sigma({ selection: { 'errorCode|exists': 'yes' }, condition: 'selection' }), 'invalid', 'exists'],
    ['a fieldref with a wildcard', sigma({ selection: { 'a|fieldref': 'b*' }, condition: 'selection' }), 'invalid', 'fieldref'],
    ['gt on a string', sigma({ selection: { 'a|gt': 'x' }, condition: 'selection' }), 'invalid', 'gt'],
    ['contains on null', sigma({ selection: { 'a|contains': null }, condition: 'selection' }), 'invalid', 'contains'],
    ['a map as a value', sigma({ selection: { a: { b: 1 } }, condition: 'selection' }), 'invalid', 'values must be'],
    ['an empty map', sigma({ selection: {}, condition: 'selection' }), 'invalid', 'empty'],
    ['a malformed regex', sigma({ selection: { 'a|re': '(x' }, condition: 'selection' }), 'invalid', 'regex'],
    ['an empty field segment', sigma({ selection: { 'a..b': 'x' }, condition: 'selection' }), 'invalid', 'empty part'],
    ['not a map', ['title', 'x'], 'invalid', 'not a YAML map'],
  ])('%s', (_name, doc, problem, feature) => {
    // Act
    const result = refused(doc);

    // Assess
    expect(result).toMatchObject({ file: FILE, format: 'sigma', problem });
    expect(result.reason).toContain(feature);
  });
});

it('refuses, rather than throws on, a document whose properties throw when read', () => {
  // Prepare
  const hostile = new Proxy({}, { ownKeys: () => ['title'], has: () => true, get: () => { throw new Error('boom'); } });

  // Act
  const result = compileSigmaRule(hostile, FILE);

  // Assess
  expect(result).toMatchObject({ file: FILE, format: 'sigma', problem: 'invalid' });
  expect((result as SigmaRefusedRule).reason).toContain('boom');
});

describe('Sigma metadata on the compiled rule', () => {
  it('maps id, level, description, false positives, author, references, tags and fields', () => {
    // Prepare
    const doc = sigma(
      { selection: { eventName: 'StopLogging' }, condition: 'selection' },
      {
        id: '4DB60CC0-36FB-42B7-9B58-A5B53019FB74',
        description: 'Detects disabling of a trail',
        references: ['https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html'],
        tags: ['attack.defense-evasion', 'attack.t1562.001'],
        falsepositives: ['Valid change in a Trail', 'Terraform'],
        author: 'vitaliy0x1',
        fields: ['userIdentity.arn', 'sourceIPAddress'],
        level: 'critical',
      },
    );

    // Act
    const rule = compiled(doc);

    // Assess
    expect(rule).toMatchObject({
      id: 'sigma-4db60cc0-36fb-42b7-9b58-a5b53019fb74',
      sigmaId: '4DB60CC0-36FB-42B7-9B58-A5B53019FB74',
      title: 'Test rule',
      severity: 'CRITICAL',
      source: 'sigma',
      file: FILE,
      author: 'vitaliy0x1',
      references: ['https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html', 'attack.defense-evasion', 'attack.t1562.001'],
      runbook: 'Look at these fields of the record first: userIdentity.arn, sourceIPAddress.',
    });
    expect(rule.description).toBe(
      'Detects disabling of a trail\n\nKnown false positives: Valid change in a Trail; Terraform.\n\nSigma rule 4DB60CC0-36FB-42B7-9B58-A5B53019FB74 by vitaliy0x1.',
    );
    expect(rule.expression).toBe('condition: selection\nselection: {"eventName":"StopLogging"}');
    expect(Object.isFrozen(rule)).toBe(true);
  });

  it.each([
    ['informational', 'INFO'],
    ['low', 'LOW'],
    ['medium', 'MEDIUM'],
    ['high', 'HIGH'],
    ['critical', 'CRITICAL'],
    [undefined, 'MEDIUM'],
  ])('level %s is severity %s', (level, severity) => {
    expect(compiled(sigma({ s: { eventName: 'x' }, condition: 's' }, { level })).severity).toBe(severity);
  });

  it('names a rule without an id after its file', () => {
    // Prepare
    const doc = { ...sigma({ s: { eventName: 'x' }, condition: 's' }), id: undefined };

    // Act
    const rule = compileSigmaRule(doc, 'rules/sigma/AWS_CloudTrail Disable.yml');

    // Assess
    expect(rule).toMatchObject({ id: 'sigma-aws-cloudtrail-disable' });
  });
});

describe('the eventName index hints', () => {
  it('gives exact eventNames only for cased values, and lower-cased ones for the rest', () => {
    // Prepare
    const cased = compiled(sigma({ s: { 'eventName|cased': ['StopLogging', 'DeleteTrail'], eventSource: 'cloudtrail.amazonaws.com' }, condition: 's' }));
    const plain = compiled(sigma({ s: { eventName: ['StopLogging', 'DeleteTrail'] }, condition: 's' }));

    // Assess
    expect(cased.eventNames).toEqual(new Set(['StopLogging', 'DeleteTrail']));
    expect(cased.eventNamesIgnoreCase).toEqual(new Set(['stoplogging', 'deletetrail']));
    expect(plain.eventNames).toBeUndefined();
    expect(plain.eventNamesIgnoreCase).toEqual(new Set(['stoplogging', 'deletetrail']));
  });

  it.each([
    ['a or b', { a: { eventName: 'A' }, b: { eventName: 'B' } }, ['a', 'b']],
    ['a and b', { a: { eventName: ['A', 'B'] }, b: { eventName: ['B', 'C'] } }, ['b']],
    ['a and not b', { a: { eventName: 'A' }, b: { eventName: 'B' } }, ['a']],
    ['a or c', { a: { eventName: 'A' }, c: { eventSource: 'x' } }, undefined],
    ['not a', { a: { eventName: 'A' } }, undefined],
    ['a', { a: { 'eventName|contains': 'A' } }, undefined],
    ['a', { a: { eventName: 'Stop*' } }, undefined],
    ['a', { a: { eventName: 'true' } }, undefined], // 'true' also matches a JSON boolean
    ['a', { a: { 'eventName|all': ['A', 'B'] } }, undefined],
    ['a', { a: [{ eventName: 'A' }, { eventName: 'B' }] }, ['a', 'b']],
    ['1 of sel*', { sel1: { eventName: 'A' }, sel2: { eventName: 'B' } }, ['a', 'b']],
  ])('%s over %j gives %j', (condition, detection, expected) => {
    // Act
    const rule = compiled(sigma({ ...detection, condition }));

    // Assess
    expect(rule.eventNamesIgnoreCase === undefined ? undefined : [...rule.eventNamesIgnoreCase].sort()).toEqual(expected);
  });

  it('is sound: a hinted rule matches only records whose eventName text is in the set', () => {
    // Prepare
    const rule = compiled(sigma({ s: { eventName: 'StopLogging' }, condition: 's' }));
    const candidates: unknown[] = [
      { eventName: 'StopLogging' },
      { eventName: 'stoplogging' },
      { eventName: ['StopLogging'] }, // arrays fan out elsewhere, but have no eventName text
      { eventName: { name: 'StopLogging' } },
      { eventName: 42 },
      {},
    ];

    // Act
    const matched = candidates.filter((r) => rule.test(r));

    // Assess
    expect(matched).toEqual([{ eventName: 'StopLogging' }, { eventName: 'stoplogging' }]);
    for (const r of matched) expect(rule.eventNamesIgnoreCase?.has(String((r as { eventName: string }).eventName).toLowerCase())).toBe(true);
  });
});

describe('the fixed text of a field test (literal), for the engine to rank it', () => {
  /** The `literal` the rule states for `field`, or undefined. */
  const literalOf = (rule: SigmaCompiledRule, field: string) => rule.requiredValues?.find((r) => r.field === field)?.literal;

  it.each([
    ['userAgent|contains', 'kali', 4],
    ['userAgent|contains', ['kali', 'parrot', 'pentoo'], 4], // any of them: the shortest
    ['userAgent|contains|all', ['kali', 'parrot'], 6], // all of them: the longest
    ['userAgent|startswith', 'Boto3/1.', 8],
    ['userAgent|endswith', '\\*xy', 3], // an escaped star is fixed text
    ['userAgent', 'S3 Browser*', 10],
    ['userAgent', 'ab*cdef?gh', 4], // the longest run between wildcards
    ['userAgent|contains', 'Jersey/${project.version}', 25],
  ])('%s: %j states %d', (key, value, literal) => {
    // Act
    const rule = compiled(sigma({ s: { eventSource: 'sts.amazonaws.com', [key]: value }, condition: 's' }));

    // Assess
    expect(literalOf(rule, 'userAgent')).toBe(literal);
  });

  it.each([
    ['userAgent|re', 'kali.*'],
    ['userAgent|contains', '*'],
    ['userAgent|contains', '?'],
    ['sourceIPAddress|cidr', '10.0.0.0/8'],
    ['userAgent|contains', 42],
  ])('%s: %j states none', (key, value) => {
    // Act
    const rule = compiled(sigma({ s: { eventSource: 'sts.amazonaws.com', [key]: value }, condition: 's' }));

    // Assess
    expect(literalOf(rule, key.split('|')[0]!)).toBeUndefined();
  });

  it('states the shorter text for either of two selections, none when one states none', () => {
    // Act
    const both = compiled(sigma({ a: { 'userAgent|contains': 'kali' }, b: { 'userAgent|contains': 'TruffleHog' }, condition: 'a or b' }));
    const oneRegex = compiled(sigma({ a: { 'userAgent|contains': 'kali' }, b: { 'userAgent|re': 'x+' }, condition: 'a or b' }));
    const anded = compiled(sigma({ a: { 'userAgent|contains': 'kali' }, b: { 'userAgent|contains': 'TruffleHog' }, condition: 'a and b' }));

    // Assess
    expect(literalOf(both, 'userAgent')).toBe(4);
    expect(literalOf(oneRegex, 'userAgent')).toBeUndefined();
    expect(literalOf(anded, 'userAgent')).toBe(10);
  });
});

describe('records that are not what CloudTrail writes', () => {
  it('evaluates non-objects and hostile shapes without throwing (a Proxy that throws is no match)', () => {
    // Prepare
    const rule = compiled(sigma({ s: { 'userIdentity.arn|contains': 'x', 'requestParameters|contains': 'y' }, f: { 'a.b.c': null }, condition: 's or f' }));
    let deep: unknown = 'x';
    for (let k = 0; k < 100_000; k++) deep = [deep];
    const throwing = new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => { throw new Error('boom'); }, getOwnPropertyDescriptor: () => { throw new Error('boom'); } });

    // Act
    const answers = [null, undefined, 'text', 42, [], { userIdentity: deep, requestParameters: deep, a: { b: deep } }, throwing].map((r) => rule.test(r));

    // Assess: `f` (a.b.c is null) holds wherever a.b.c is missing, the deep arrays included
    expect(answers).toEqual([true, true, true, true, true, true, false]);
    expect(compiled(sigma({ s: { eventName: 'x' }, condition: 's' })).test(consoleLogin('Success', 'No'))).toBe(false);
    expect(item('userIdentity.type', 'IAMUser').test({ userIdentity: iamUser })).toBe(true);
  });
});
