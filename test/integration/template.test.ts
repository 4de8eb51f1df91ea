import { isDeployed, packageTemplate as packageTemplateOf } from './packaged-template';

/**
 * `serverless package` offline, then read the CloudFormation template it produced: the
 * deployable artefact, not serverless.yml, is what must be right.
 */
type Resource = { Type: string; Properties?: Record<string, any>; Condition?: string; DependsOn?: unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Template = { Resources: Record<string, Resource>; Conditions?: Record<string, unknown>; Outputs?: Record<string, unknown> };

const packageTemplate = (...params: string[]) => packageTemplateOf<Template>(...params);

function ofType(t: Template, type: string): [string, Resource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

/** Every statement of every policy attached to the function's role. */
function functionStatements(t: Template): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const role = t.Resources.IamRoleLambdaExecution!;
  const inline = (role.Properties!.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => isDeployed(t, p) && JSON.stringify(p.Properties!.Roles).includes('IamRoleLambdaExecution'))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Record<string, unknown>[]);
  return [...inline, ...attached];
}

const actions = (s: Record<string, any>): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('serverless package (offline) → CloudFormation template', () => {
  let t: Template;
  let created: Template;

  beforeAll(() => {
    t = packageTemplate('trailBucket=org-trail-logs', 'trailPrefix=central/', 'kmsKeyArn=arn:aws:kms:us-east-1:111122223333:key/abcd');
    created = packageTemplate('trailBucket=new-trail-logs', 'existingBucket=false');
  }, 240_000);

  it('runs the function on nodejs22.x', () => {
    const [, fn] = ofType(t, 'AWS::Lambda::Function').find(([id]) => id === 'IngestLambdaFunction')!;
    expect(fn.Properties!.Runtime).toBe('nodejs22.x');
    expect(fn.Properties!.Environment.Variables.LOG_GROUP_NAME).toBe('/trailwatch/dev/cloudtrail');
  });

  it('triggers on ObjectCreated and ObjectRemoved (tampering evidence) under <prefix>AWSLogs/ with a .json.gz suffix, on an existing bucket by default', () => {
    const [[, custom]] = ofType(t, 'Custom::S3') as [[string, Resource]];
    expect(custom.Properties!.BucketName).toBe('org-trail-logs');
    expect(custom.Properties!.BucketConfigs).toEqual([
      { Event: 's3:ObjectCreated:*', Rules: [{ Prefix: 'central/AWSLogs/' }, { Suffix: '.json.gz' }] },
      { Event: 's3:ObjectRemoved:*', Rules: [{ Prefix: 'central/AWSLogs/' }, { Suffix: '.json.gz' }] },
    ]);
    expect(ofType(t, 'AWS::S3::Bucket').map(([id]) => id)).toEqual(['ServerlessDeploymentBucket']);
  });

  it('creates the bucket instead when existingBucket=false', () => {
    const buckets = ofType(created, 'AWS::S3::Bucket').filter(([id]) => id !== 'ServerlessDeploymentBucket');
    expect(buckets).toHaveLength(1);
    expect(buckets[0]![1].Properties!.BucketName).toBe('new-trail-logs');
    expect(JSON.stringify(buckets[0]![1].Properties!.NotificationConfiguration)).toContain('.json.gz');
    const lambdaEvents = (buckets[0]![1].Properties!.NotificationConfiguration.LambdaConfigurations as Array<{ Event: string }>).map((c) => c.Event);
    expect(lambdaEvents.sort()).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    expect(ofType(created, 'Custom::S3')).toHaveLength(0);
    const policy = created.Resources.TrailBucketPolicy!;
    expect(policy.Condition).toBe('CreatesBucket');
    expect(JSON.stringify(policy.Properties!.PolicyDocument)).toContain('cloudtrail.amazonaws.com');
    expect(JSON.stringify(created.Conditions!.CreatesBucket)).toContain('"is-false","is-false"');
    expect(JSON.stringify(t.Conditions!.CreatesBucket)).toContain('"is-true","is-false"');
  });

  it('owns the destination log group, with a retention', () => {
    const group = t.Resources.TrailLogGroup!;
    expect(group.Properties).toMatchObject({ LogGroupName: '/trailwatch/dev/cloudtrail', RetentionInDays: 90 });
  });

  it('gives the function least privilege: GetObject under AWSLogs/ only, logs on its group only', () => {
    const statements = functionStatements(t);
    const s3 = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(2);
    expect(actions(s3[0]!).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(JSON.stringify(s3[0]!.Resource)).toContain('s3:::org-trail-logs/central/AWSLogs/*');
    // the integrity check tells a deleted log file (404) from a forbidden one (403): listing, on the trail prefix only
    expect(actions(s3[1]!)).toEqual(['s3:ListBucket']);
    expect(s3[1]!.Condition).toEqual({ StringLike: { 's3:prefix': 'central/AWSLogs/*' } });
    const trailLogs = statements.filter((s) => JSON.stringify(s.Resource).includes('/trailwatch/dev/cloudtrail'));
    expect(trailLogs.flatMap(actions).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const s of statements) {
      expect(actions(s)).not.toContain('*');
      expect(actions(s).some((a) => a.endsWith(':*'))).toBe(false);
      // the one exception: cloudtrail:ListPublicKeys has no resource type (least-privilege.test.ts EXCEPTIONS)
      if (actions(s).join() !== 'cloudtrail:ListPublicKeys') expect(s.Resource).not.toBe('*');
    }
  });

  it('allows kms:Decrypt only for the given key, only via S3, only when a key is given', () => {
    const kms = functionStatements(t).filter((s) => actions(s).includes('kms:Decrypt') && JSON.stringify(s.Condition).includes('s3.'));
    expect(kms).toHaveLength(1);
    expect(kms[0]!.Resource).toBe('arn:aws:kms:us-east-1:111122223333:key/abcd');
    expect(JSON.stringify(kms[0]!.Condition)).toContain('kms:ViaService');
    const policy = ofType(t, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p).includes('kms:Decrypt'))!;
    expect(policy[1].Condition).toBe('HasKmsKey');
    expect(JSON.stringify(created.Conditions!.HasKmsKey)).toContain('""');
  });

  it('publishes to two KMS-encrypted topics that only the function may publish to', () => {
    // the third, OpsTopic, is for the stack's own alarms (test/integration/operations.test.ts)
    // deployed ones: the optional chat topic exists only with chat=true
    const topics = ofType(t, 'AWS::SNS::Topic').filter(([id, r]) => id !== 'OpsTopic' && isDeployed(t, r));
    expect(topics.map(([id]) => id).sort()).toEqual(['AlertTopic', 'FindingsTopic']);
    for (const [, topic] of topics) expect(topic.Properties!.KmsMasterKeyId).toBe('alias/aws/sns');
    const publish = functionStatements(t).filter((s) => actions(s).includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(publish[0]!.Resource).toEqual([{ Ref: 'AlertTopic' }, { Ref: 'FindingsTopic' }]);
    const [[, policy]] = ofType(t, 'AWS::SNS::TopicPolicy') as [[string, Resource]];
    const deny = policy.Properties!.PolicyDocument.Statement.find((st: { Effect: string }) => st.Effect === 'Deny');
    expect(deny).toMatchObject({ Action: 'sns:Publish', Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] } } } });
    const kmsForSns = functionStatements(t).filter((s) => JSON.stringify(s.Condition ?? {}).includes('alias/aws/sns'));
    expect(kmsForSns).toHaveLength(1);
    expect(JSON.stringify(kmsForSns[0]!.Condition)).toContain('sns.${AWS::Region}.amazonaws.com');
  });

  it('subscribes an email address only when given, filtered by minimum severity', () => {
    expect(t.Resources.AlertEmailSubscription?.Condition).toBe('HasAlertEmail');
    expect(t.Resources.AlertEmailSubscription?.Properties).toMatchObject({
      Protocol: 'email',
      TopicArn: { Ref: 'AlertTopic' },
      FilterPolicy: { severityRank: [{ numeric: ['>=', { 'Fn::FindInMap': ['SeverityRank', 'MEDIUM', 'rank'] }] }] },
    });
  });

  it('keeps de-duplication state in an encrypted DynamoDB table with TTL, reachable by the function only item by item', () => {
    const table = t.Resources.DedupTable!;
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const ddb = functionStatements(t).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    const onDedup = ddb.filter((s) => JSON.stringify(s.Resource).includes('DedupTable'));
    expect(onDedup.flatMap(actions).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // every DynamoDB permission names one of the stack's tables
    for (const st of ddb) expect(JSON.stringify(st.Resource)).toMatch(/DedupTable|AnomalyTable|IntegrityTable/);
  });

  it('keeps anomaly baselines in their own encrypted table with TTL, read in batches and updated atomically', () => {
    expect(t.Resources.AnomalyTable?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const onTable = functionStatements(t).filter((s) => JSON.stringify(s.Resource).includes('AnomalyTable'));
    expect(onTable.flatMap(actions).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
  });

  it('reads users\' rules from an S3 prefix only when one is given: list that prefix, read its objects', () => {
    expect(t.Resources.RulesS3ReadPolicy?.Condition).toBe('HasRulesS3Bucket');
    const withRules = packageTemplate('rulesS3Bucket=team-rules', 'rulesS3Prefix=trailwatch/');
    const statements = withRules.Resources.RulesS3ReadPolicy!.Properties!.PolicyDocument.Statement;
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::team-rules' }, Condition: { StringLike: { 's3:prefix': 'trailwatch/*' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::team-rules/trailwatch/*' } },
    ]);
    const env = withRules.Resources.IngestLambdaFunction!.Properties!.Environment.Variables;
    expect(env).toMatchObject({ RULES_S3_BUCKET: 'team-rules', RULES_S3_PREFIX: 'trailwatch/' });
  });

  it('sends failed asynchronous invocations to an encrypted SQS queue after two retries', () => {
    const [[, conf]] = ofType(t, 'AWS::Lambda::EventInvokeConfig') as [[string, Resource]];
    expect(conf.Properties!.MaximumRetryAttempts).toBe(2);
    expect(JSON.stringify(conf.Properties!.DestinationConfig.OnFailure)).toContain('FailureQueue');
    const queue = t.Resources.FailureQueue!;
    expect(queue.Properties!.SqsManagedSseEnabled ?? queue.Properties!.KmsMasterKeyId).toBeTruthy();
    expect(queue.Properties!.MessageRetentionPeriod).toBe(1_209_600);
    const send = functionStatements(t).filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(JSON.stringify(send)).toContain('FailureQueue');
  });
});
