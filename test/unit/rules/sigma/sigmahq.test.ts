import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrailRecord } from '../../../../lib/cloudtrail/types';
import { RuleEvaluation, planRules } from '../../../../lib/rules/engine';
import { buildRulePack, readRuleDirectory } from '../../../../lib/rules/load';
import { compileSigmaText, isSigmaRefusal, type SigmaCompiledRule, sigmaRuleFormat } from '../../../../lib/rules/sigma';
import { apiCall, assumedRole, consoleLogin, iamUser, instanceRole, type JsonObject, rootUser } from './records';

const DIR = path.join(__dirname, '../../../fixtures/sigma/sigmahq');

function load(name: string): SigmaCompiledRule {
  const file = path.join(DIR, name);
  const result = compileSigmaText(readFileSync(file, 'utf8'), file);
  if (isSigmaRefusal(result)) throw new Error(result.reason);
  return result;
}

/** One delivery through the engine the pipeline uses: the findings' rule ids. */
function findings(rule: SigmaCompiledRule, records: readonly JsonObject[]): string[] {
  const evaluation = new RuleEvaluation(planRules([rule]), { bucket: 'trail-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz' }, 100);
  evaluation.observe(records.map((record, index): TrailRecord => ({ text: JSON.stringify(record), record, bytes: 0, index })));
  return evaluation.finish().map((f) => f.ruleId);
}

/** For each copied SigmaHQ rule: a record CloudTrail writes for the behaviour, and a near miss. */
const CASES: readonly { file: string; match: JsonObject; nearMiss: JsonObject; why: string }[] = [
  {
    file: 'aws_cloudtrail_disable_logging.yml',
    match: apiCall('cloudtrail.amazonaws.com', 'StopLogging', {
      requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events' },
      responseElements: null,
      resources: [{ accountId: '111122223333', type: 'AWS::CloudTrail::Trail', ARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events' }],
    }),
    nearMiss: apiCall('cloudtrail.amazonaws.com', 'StartLogging', { requestParameters: { name: 'management-events' } }),
    why: 'StartLogging is not in the list',
  },
  {
    file: 'aws_root_account_usage.yml',
    match: apiCall('iam.amazonaws.com', 'CreateAccessKey', {
      userIdentity: rootUser,
      requestParameters: {},
      responseElements: { accessKey: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Active', userName: '111122223333', createDate: 'Mar 1, 2026 10:00:00 AM' } },
    }),
    nearMiss: apiCall('kms.amazonaws.com', 'Decrypt', { userIdentity: rootUser, eventType: 'AwsServiceEvent' }),
    why: 'root activity that is an AwsServiceEvent is filtered out',
  },
  {
    file: 'aws_console_getsignintoken.yml',
    match: apiCall('signin.amazonaws.com', 'GetSigninToken', {
      userIdentity: { type: 'FederatedUser', principalId: '111122223333:attacker', arn: 'arn:aws:sts::111122223333:federated-user/attacker', accountId: '111122223333' },
      userAgent: 'python-requests/2.31.0',
      requestParameters: null,
      responseElements: { credentials: null, GetSigninToken: 'Success' },
      eventType: 'AwsConsoleSignIn',
    }),
    nearMiss: apiCall('signin.amazonaws.com', 'GetSigninToken', {
      userAgent: 'Jersey/${project.version} (HttpUrlConnection 17.0.10)',
      requestParameters: null,
      responseElements: { credentials: null, GetSigninToken: 'Success' },
      eventType: 'AwsConsoleSignIn',
    }),
    why: 'the SSO portal user agent is the filter',
  },
  {
    file: 'aws_cloudtrail_imds_malicious_usage.yml',
    match: apiCall('s3.amazonaws.com', 'ListBuckets', { userIdentity: instanceRole, sourceIPAddress: '203.0.113.50', userAgent: 'aws-cli/2.15.30' }),
    nearMiss: apiCall('s3.amazonaws.com', 'ListBuckets', { userIdentity: instanceRole, sourceIPAddress: 'AWS Internal' }),
    why: "calls from inside AWS ('AWS Internal') are filtered out",
  },
  {
    file: 'aws_iam_s3browser_templated_s3_bucket_policy_creation.yml',
    match: apiCall('iam.amazonaws.com', 'PutUserPolicy', {
      userAgent: 'S3 Browser 11.5.7 https://s3browser.com',
      requestParameters: {
        userName: 'backup',
        policyName: 'S3Access',
        policyDocument:
          '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["s3:GetObject", "s3:PutObject"],\n      "Resource": "arn:aws:s3:::<YOUR-BUCKET-NAME>/*"\n    }\n  ]\n}',
      },
    }),
    nearMiss: apiCall('iam.amazonaws.com', 'PutUserPolicy', {
      userAgent: 'S3 Browser 11.5.7 https://s3browser.com',
      requestParameters: {
        userName: 'backup',
        policyName: 'S3Access',
        policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::corp-backups/*"}]}',
      },
    }),
    why: 'the policy names a real bucket, not the template placeholder',
  },
  {
    file: 'aws_ec2_vm_export_failure.yml',
    match: apiCall('ec2.amazonaws.com', 'CreateInstanceExportTask', {
      requestParameters: { instanceId: 'i-0abcd1234efgh5678', targetEnvironment: 'vmware', exportToS3: { diskImageFormat: 'VMDK', s3Bucket: 'exfil-bucket' } },
      responseElements: { exportTask: { exportTaskId: 'export-i-0abcd1234', state: 'active', instanceExport: { instanceId: 'i-0abcd1234efgh5678' } } },
    }),
    nearMiss: apiCall('ec2.amazonaws.com', 'CreateInstanceExportTask', {
      requestParameters: { instanceId: 'i-0abcd1234efgh5678', targetEnvironment: 'vmware' },
      responseElements: null,
      errorCode: 'Client.NotExportable',
      errorMessage: 'The instance is not exportable.',
    }),
    why: 'a call that failed (errorCode set) is filtered out',
  },
  {
    file: 'aws_rds_public_db_restore.yml',
    match: apiCall('rds.amazonaws.com', 'RestoreDBInstanceFromDBSnapshot', {
      requestParameters: { dBInstanceIdentifier: 'restored', dBSnapshotIdentifier: 'prod-snap', publiclyAccessible: true },
      responseElements: { dBInstanceIdentifier: 'restored', dBInstanceStatus: 'creating', publiclyAccessible: true },
    }),
    nearMiss: apiCall('rds.amazonaws.com', 'RestoreDBInstanceFromDBSnapshot', {
      requestParameters: { dBInstanceIdentifier: 'restored', dBSnapshotIdentifier: 'prod-snap', publiclyAccessible: false },
      responseElements: { dBInstanceIdentifier: 'restored', dBInstanceStatus: 'creating', publiclyAccessible: false },
    }),
    why: "the restored instance is private (the rule's 'true' is the JSON boolean)",
  },
  {
    file: 'aws_cloudtrail_console_login_success_without_mfa.yml',
    match: consoleLogin('Success', 'No'),
    nearMiss: consoleLogin('Success', 'Yes'),
    why: 'MFA was used',
  },
  {
    file: 'aws_update_login_profile.yml',
    match: apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { userIdentity: assumedRole, requestParameters: { userName: 'alice', passwordResetRequired: false } }),
    nearMiss: apiCall('iam.amazonaws.com', 'CreateLoginProfile', { requestParameters: { userName: 'bob', passwordResetRequired: true } }),
    why: 'CreateLoginProfile is another event',
  },
  {
    file: 'aws_susp_saml_activity.yml',
    match: apiCall('sts.amazonaws.com', 'AssumeRoleWithSAML', {
      userIdentity: { type: 'SAMLUser', principalId: 'SAMLUser:alice@example.com', userName: 'alice@example.com', identityProvider: 'arn:aws:iam::111122223333:saml-provider/Okta' },
      requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/Admin', principalArn: 'arn:aws:iam::111122223333:saml-provider/Okta', durationSeconds: 3600 },
    }),
    nearMiss: apiCall('sts.amazonaws.com', 'AssumeRole', { requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/Admin', roleSessionName: 'x' } }),
    why: 'AssumeRole is not SAML',
  },
  {
    file: 'aws_cloudtrail_bucket_block_public_access_weakened.yml',
    match: apiCall('s3.amazonaws.com', 'PutBucketPublicAccessBlock', {
      requestParameters: {
        bucketName: 'corp-data',
        Host: 'corp-data.s3.amazonaws.com',
        publicAccessBlock: '',
        PublicAccessBlockConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', RestrictPublicBuckets: true, BlockPublicPolicy: false, BlockPublicAcls: true, IgnorePublicAcls: true },
      },
    }),
    nearMiss: apiCall('s3.amazonaws.com', 'PutBucketPublicAccessBlock', {
      requestParameters: {
        bucketName: 'corp-data',
        Host: 'corp-data.s3.amazonaws.com',
        publicAccessBlock: '',
        PublicAccessBlockConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', RestrictPublicBuckets: true, BlockPublicPolicy: true, BlockPublicAcls: true, IgnorePublicAcls: true },
      },
    }),
    why: 'every Block Public Access setting stays on',
  },
  {
    file: 'aws_kms_import_key_material.yml',
    match: apiCall('kms.amazonaws.com', 'ImportKeyMaterial', {
      requestParameters: { keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
    }),
    nearMiss: apiCall('kms.amazonaws.com', 'GetParametersForImport', { requestParameters: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' } }),
    why: 'preparing an import is not importing',
  },
];

describe('real SigmaHQ CloudTrail rules on the engine', () => {
  it('covers every copied rule', () => {
    // Prepare
    const files = readRuleDirectory(DIR);

    // Act / Assess
    return files.then((docs) => expect(CASES.map((c) => c.file).sort()).toEqual(docs.map((d) => path.basename(d.file)).sort()));
  });

  it.each(CASES)('$file matches the behaviour and not the near miss ($why)', ({ file, match, nearMiss }) => {
    // Prepare
    const rule = load(file);

    // Act
    const hit = findings(rule, [match]);
    const miss = findings(rule, [nearMiss]);

    // Assess
    expect(hit).toEqual([rule.id]);
    expect(miss).toEqual([]);
    expect(rule.test(match)).toBe(true);
    expect(rule.test(nearMiss)).toBe(false);
  });

  it('keeps the rule author (DRL 1.1 attribution) and the ATT&CK tags in the finding', () => {
    // Prepare
    const rule = load('aws_update_login_profile.yml');

    // Act
    const evaluation = new RuleEvaluation(planRules([rule]), { bucket: 'b', key: 'k' }, 10);
    evaluation.observe([{ text: '', record: CASES.find((c) => c.file === 'aws_update_login_profile.yml')!.match, bytes: 0, index: 0 }]);
    const [finding] = evaluation.finish();

    // Assess
    expect(finding).toMatchObject({ ruleId: 'sigma-055fb148-60f8-462d-ad16-26926ce050f1', source: 'sigma', severity: 'HIGH', title: 'AWS User Login Profile Was Modified' });
    expect(finding?.description).toContain('by toffeebr33k');
    expect(finding?.references).toContain('attack.t1098');
  });

  it("evaluates fieldref as written: the ARN never equals the userName, so the rule's filter never applies", () => {
    // Prepare: SigmaHQ's filter compares userIdentity.arn with requestParameters.userName for equality
    const rule = load('aws_update_login_profile.yml');
    const self = apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { userIdentity: iamUser, requestParameters: { userName: 'alice' } });
    const equal = apiCall('iam.amazonaws.com', 'UpdateLoginProfile', { userIdentity: { ...iamUser, arn: 'alice' }, requestParameters: { userName: 'alice' } });

    // Act / Assess
    expect(rule.test(self)).toBe(true);
    expect(rule.test(equal)).toBe(false);
  });

  it('loads through the rule loader with the Sigma format, reporting the refused files', async () => {
    // Prepare
    const sigmaDocs = await readRuleDirectory(DIR);
    const handwritten = await readRuleDirectory(path.join(DIR, '../handwritten'));
    const singleDocument = handwritten.filter((d) => /windows|aggregation|leading-zero/.test(d.file));

    // Act
    const pack = buildRulePack([...sigmaDocs, ...singleDocument], { formats: [sigmaRuleFormat] });

    // Assess
    expect(pack.rules).toHaveLength(CASES.length + 1);
    expect(pack.entries.every((e) => e.format === 'sigma' && e.status === 'active')).toBe(true);
    expect(pack.refused.map((r) => [path.basename(r.file), r.format])).toEqual([
      ['aggregation.yml', 'sigma'],
      ['windows-process-creation.yml', 'sigma'],
    ]);
    expect(pack.refused[0]?.reason).toContain('aggregation');
    expect(pack.refused[1]?.reason).toContain('product: windows');
  });
});
