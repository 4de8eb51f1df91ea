import { isDeployed, packageTemplate as packageTemplateOf } from './packaged-template';

/**
 * Least privilege and encryption at rest, read from the packaged CloudFormation template
 * (`serverless package`, offline): every resource of every type is checked, so whatever the
 * stack gains later is held to the same rules.
 *
 *  - No IAM statement that allows `*` actions (or any wildcard action) or `*` resources (a
 *    bare `*`, a `*` account or region, or a resource part that is only a wildcard such as
 *    `function:*` or `key/*`), in role policies, managed and inline policies, topic, queue and
 *    bucket policies; no Allow with NotAction / NotResource; no Allow to Principal `*`
 *    without a condition. The few places where AWS or the framework require a wildcard are
 *    listed in EXCEPTIONS, each with its reason.
 *  - Every SNS topic encrypted (KmsMasterKeyId), every SQS queue encrypted (SSE-SQS or KMS),
 *    every log group with a retention, including the one Lambda would create for a function
 *    on its own (a function whose role may create log groups must have its group in the
 *    template), every DynamoDB table with SSE (KMS) and TTL on, and every topic a CloudWatch
 *    alarm publishes to encrypted with a key of the stack whose policy lets
 *    cloudwatch.amazonaws.com use it (alarms cannot use alias/aws/sns).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Resource {
  Type: string;
  Properties?: Json;
  Condition?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
}
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Json;
}
interface PolicyDocument {
  /** `LogicalId` or `LogicalId.Policies[i]`. */
  readonly where: string;
  readonly resource: string;
  readonly kind: 'identity' | 'trust' | 'resource' | 'key';
  readonly statements: Statement[];
}

const packageTemplate = (...params: string[]) => packageTemplateOf<Template>(...params);

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A CloudFormation value as text: intrinsic functions kept readable (`${Ref}`), enough to judge breadth. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Json;
    if ('Fn::Sub' in v) return typeof v['Fn::Sub'] === 'string' ? v['Fn::Sub'] : text(v['Fn::Sub'][0]);
    if ('Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(text).join(v['Fn::Join'][0] as string);
    if ('Ref' in v) return `\${${v.Ref}}`;
    if ('Fn::GetAtt' in v) return `\${${list(v['Fn::GetAtt']).join('.')}}`;
  }
  return JSON.stringify(value);
}

/** Every policy document in the template, by where it sits. */
function policyDocuments(t: Template): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  const add = (where: string, resource: string, kind: PolicyDocument['kind'], doc: Json | undefined) => {
    if (doc) docs.push({ where, resource, kind, statements: list(doc.Statement) as Statement[] });
  };
  for (const [id, r] of Object.entries(t.Resources)) {
    // a resource whose Condition is false is not deployed (e.g. the KMS policy without a key)
    if (!isDeployed(t, r)) continue;
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        add(id, id, 'trust', p.AssumeRolePolicyDocument);
        list(p.Policies).forEach((policy, i) => add(`${id}.Policies[${i}]`, id, 'identity', (policy as Json).PolicyDocument));
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::UserPolicy':
      case 'AWS::IAM::GroupPolicy':
      case 'AWS::IAM::RolePolicy':
        add(id, id, 'identity', p.PolicyDocument);
        break;
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::S3::BucketPolicy':
        add(id, id, 'resource', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(id, id, 'key', p.KeyPolicy);
        break;
      default:
        break;
    }
  }
  return docs;
}

/** Any wildcard in an action name allows more than was named. */
const broadAction = (action: string) => action.includes('*');

/** `*`, a `*` region or account, or a resource part that is only a wildcard (`function:*`, `key/*`, an S3 bucket `*`). */
function broadResource(resource: string): boolean {
  if (resource === '*') return true;
  // ${AWS::Region} and the like hold colons of their own
  const arn = /^arn:[^:]*:([^:]*):([^:]*):([^:]*):(.*)$/.exec(resource.replace(/\$\{[^}]*\}/g, (v) => v.replace(/:/g, '.')));
  if (!arn) return false; // a reference to one resource of this stack (${Ref}, ${X.Arn})
  const [, service, region, account, rest = ''] = arn;
  if (region === '*' || account === '*') return true;
  if (service === 's3') return rest === '*' || (rest.split('/')[0] ?? '').includes('*');
  return /^(?:[A-Za-z0-9-]+[:/])?\*$/.test(rest);
}

interface Violation {
  readonly where: string;
  readonly problem: string;
}

/**
 * Where AWS or the framework require a wildcard. Each applies to one resource and one
 * statement shape only, and says why.
 */
const EXCEPTIONS: ReadonlyArray<{ resource: RegExp; applies: (s: Statement) => boolean; reason: string }> = [
  {
    resource: /^IamRoleCustomResourcesLambdaExecution$/,
    applies: (s) =>
      list(s.Action).every((a) => a === 'lambda:AddPermission' || a === 'lambda:RemovePermission') &&
      list(s.Resource).every((r) => /:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:\*$/.test(text(r))),
    reason:
      "osls generates this role for its own deploy-time custom resource (existing: true), which adds S3's invoke permission to the function; the statement is the framework's, not configurable, scoped to this account and Region, and the role can only be assumed by that custom-resource function",
  },
  {
    resource: /^IamRoleLambdaExecution$/,
    applies: (s) =>
      list(s.Action).every((a) => a === 'kms:GenerateDataKey' || a === 'kms:Decrypt') &&
      list(s.Resource).every((r) => /:kms:\$\{AWS::Region\}:\$\{AWS::AccountId\}:key\/\*$/.test(text(r))) &&
      JSON.stringify(s.Condition ?? {}).includes('kms:ViaService') &&
      JSON.stringify(s.Condition ?? {}).includes('alias/aws/sns'),
    reason:
      'publishing to a topic encrypted with the AWS managed key alias/aws/sns: that key id is not known when the template is written, so the key is named by its alias (kms:ResourceAliases) and only through SNS (kms:ViaService)',
  },
  {
    resource: /^IamRoleLambdaExecution$/,
    applies: (s) => list(s.Action).every((a) => a === 'cloudtrail:ListPublicKeys') && list(s.Resource).every((r) => r === '*'),
    reason:
      'CloudTrail ListPublicKeys (the public keys that verify digest files) supports no resource-level permission: the service authorization reference lists no resource type for it, so `*` is the only Resource it accepts; it reveals only CloudTrail\'s public keys',
  },
  {
    resource: /^OpsTopicKey$/,
    applies: (s) =>
      list(s.Action).every((a) => a === 'kms:*') &&
      list((s.Principal as Json | undefined)?.AWS).every((p) => /^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:root$/.test(text(p))) &&
      Object.keys((s.Principal as Json | undefined) ?? {}).join() === 'AWS',
    reason:
      "the default key policy statement of the operations topic's key (AWS KMS developer guide, \"Default key policy\"): it gives the key to this account's IAM policies, which then decide who administers and uses it; without it the key cannot be managed and CloudFormation refuses the policy. No other principal gets kms:*",
  },
];

function isException(doc: PolicyDocument, s: Statement): boolean {
  return EXCEPTIONS.some((e) => e.resource.test(doc.resource) && e.applies(s));
}

/** Conditions that tie a `*` principal to one source (a service acting for this stack, this organization). */
const SCOPING_KEYS = /aws:SourceArn|aws:SourceAccount|aws:SourceOwner|aws:PrincipalOrgID|aws:PrincipalArn|aws:PrincipalAccount|aws:SecureTransport/;

function policyViolations(t: Template): Violation[] {
  const out: Violation[] = [];
  for (const doc of policyDocuments(t)) {
    doc.statements.forEach((s, i) => {
      const where = `${doc.where} Statement[${i}]${s.Sid ? ` (${s.Sid})` : ''}`;
      // a Deny with wildcards takes access away: it cannot grant too much
      if (s.Effect !== 'Allow') return;
      if (doc.kind === 'trust') {
        if (list(s.Principal).some((p) => text(p).includes('"*"') || p === '*')) out.push({ where, problem: 'trust policy open to Principal *' });
        return;
      }
      if (s.NotAction !== undefined) out.push({ where, problem: 'Allow with NotAction' });
      if (s.NotResource !== undefined) out.push({ where, problem: 'Allow with NotResource' });
      if (doc.kind !== 'identity' && (s.Principal === '*' || JSON.stringify(s.Principal ?? '').includes('"*"')) && !SCOPING_KEYS.test(JSON.stringify(s.Condition ?? {}))) {
        out.push({ where, problem: 'Allow to Principal * without a condition naming the source' });
      }
      if (isException(doc, s)) return;
      for (const a of list(s.Action).map(text)) if (broadAction(a)) out.push({ where, problem: `wildcard action ${a}` });
      // key policies: Resource "*" means "this key" and is required (AWS KMS developer guide, key policies)
      if (doc.kind === 'key') return;
      for (const r of list(s.Resource).map(text)) if (broadResource(r)) out.push({ where, problem: `wildcard resource ${r}` });
    });
  }
  return out;
}

function encryptionAndRetentionViolations(t: Template): Violation[] {
  const out: Violation[] = [];
  const resources = Object.entries(t.Resources);
  const logGroupNames = new Map<string, Resource>();
  for (const [, r] of resources) if (r.Type === 'AWS::Logs::LogGroup') logGroupNames.set(text(r.Properties?.LogGroupName), r);
  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::SNS::Topic':
        if (!p.KmsMasterKeyId) out.push({ where: id, problem: 'SNS topic without KmsMasterKeyId (not encrypted at rest)' });
        break;
      case 'AWS::SQS::Queue':
        if (p.SqsManagedSseEnabled !== true && !p.KmsMasterKeyId) out.push({ where: id, problem: 'SQS queue without SqsManagedSseEnabled or KmsMasterKeyId' });
        break;
      case 'AWS::Logs::LogGroup':
        if (p.RetentionInDays === undefined) out.push({ where: id, problem: 'log group without RetentionInDays (kept for ever)' });
        break;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        if (p.SSESpecification?.SSEEnabled !== true) out.push({ where: id, problem: 'DynamoDB table without SSESpecification.SSEEnabled (KMS)' });
        // every table trailwatch keeps is expiring state (idempotency, alert claims, baselines)
        if (p.TimeToLiveSpecification?.Enabled !== true) out.push({ where: id, problem: 'DynamoDB table without TTL' });
        break;
      case 'AWS::CloudWatch::Alarm':
        for (const action of [...list(p.AlarmActions), ...list(p.OKActions), ...list(p.InsufficientDataActions)]) {
          const topicId = (action as Json | undefined)?.Ref as string | undefined;
          if (topicId === undefined || t.Resources[topicId]?.Type !== 'AWS::SNS::Topic') continue;
          if (!cloudWatchMayUseKeyOf(t, t.Resources[topicId]!)) {
            out.push({ where: id, problem: `alarm publishes to ${topicId}, whose key does not let cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey)` });
          }
        }
        break;
      case 'AWS::Lambda::Function': {
        // Lambda creates /aws/lambda/<name> on first log, without retention, if the role may
        const name = text(p.FunctionName);
        const group = p.LoggingConfig?.LogGroup ? text(p.LoggingConfig.LogGroup) : `/aws/lambda/${name}`;
        const declared = logGroupNames.get(group) ?? [...logGroupNames.entries()].find(([n]) => group.includes(n))?.[1];
        if (!declared && roleMayCreateLogGroups(t, p.Role)) {
          out.push({ where: id, problem: `function log group ${group} is not in the template and the role may create it (no retention)` });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The topic's key is a customer managed key of this stack whose policy lets CloudWatch encrypt for it (AWS-FACTS.md). */
function cloudWatchMayUseKeyOf(t: Template, topic: Resource): boolean {
  const ref = topic.Properties?.KmsMasterKeyId as Json | string | undefined;
  const keyId = typeof ref === 'object' ? (ref.Ref ?? list(ref['Fn::GetAtt'])[0]) : undefined;
  const key = typeof keyId === 'string' ? t.Resources[keyId] : undefined;
  if (key?.Type !== 'AWS::KMS::Key') return false;
  return list(key.Properties?.KeyPolicy?.Statement).some((st) => {
    const s = st as Statement;
    const actions = list(s.Action).map(String);
    return (
      s.Effect === 'Allow' &&
      list((s.Principal as Json | undefined)?.Service).includes('cloudwatch.amazonaws.com') &&
      actions.includes('kms:Decrypt') &&
      actions.some((a) => a === 'kms:GenerateDataKey' || a === 'kms:GenerateDataKey*')
    );
  });
}

function roleMayCreateLogGroups(t: Template, role: unknown): boolean {
  const roleId = /^\$\{([^.}]+)/.exec(text(role))?.[1];
  if (!roleId) return true; // a role from outside the stack: assume it may
  const attached = policyDocuments(t).filter(
    (d) => d.kind === 'identity' && (d.resource === roleId || JSON.stringify(t.Resources[d.resource]?.Properties?.Roles ?? '').includes(roleId)),
  );
  return attached.some((d) => d.statements.some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => a === 'logs:CreateLogGroup' || a === 'logs:*' || a === '*')));
}

describe('least privilege and encryption at rest in the packaged template', () => {
  const variants: Array<[string, string[]]> = [
    ['existing bucket, SSE-KMS key, key prefix', ['trailBucket=org-trail-logs', 'trailPrefix=central/', 'kmsKeyArn=arn:aws:kms:us-east-1:111122223333:key/abcd']],
    ['new bucket', ['trailBucket=new-trail-logs', 'existingBucket=false']],
    ['rules under an S3 prefix, alert email', ['trailBucket=org-trail-logs', 'rulesS3Bucket=team-rules', 'rulesS3Prefix=trailwatch/', 'alertEmail=oncall@example.com']],
    [
      'every output: chat with Slack and Teams, Security Hub, EventBridge',
      [
        'trailBucket=org-trail-logs',
        'chat=true',
        'slackWorkspaceId=T0123ABCD',
        'slackChannelId=C0123ABCD',
        'teamsTenantId=11111111-2222-3333-4444-555555555555',
        'teamsTeamId=66666666-7777-8888-9999-000000000000',
        'teamsChannelId=19:abc@thread.tacv2',
        'securityHub=true',
        'eventBus=security-findings',
      ],
    ],
  ];
  const templates = new Map<string, Template>();

  beforeAll(() => {
    for (const [name, params] of variants) templates.set(name, packageTemplate(...params));
  }, 240_000);

  it.each(variants.map(([name]) => [name]))('%s: no IAM statement allows wildcard actions or resources beyond the listed exceptions', (name) => {
    const t = templates.get(name) as Template;
    expect(policyDocuments(t).length).toBeGreaterThan(2);
    expect(policyViolations(t)).toEqual([]);
  });

  it.each(variants.map(([name]) => [name]))('%s: every topic and queue is encrypted, every log group has a retention, every table SSE and TTL', (name) => {
    const t = templates.get(name) as Template;
    expect(encryptionAndRetentionViolations(t)).toEqual([]);
  });

  it('each output reaches only its own resource: securityhub:BatchImportFindings on the default product, events:PutEvents on the one bus, sns:Publish on the chat topic', () => {
    // Prepare
    const t = templates.get('every output: chat with Slack and Teams, Security Hub, EventBridge') as Template;
    const none = templates.get(variants[0]![0]) as Template;
    const statementsFor = (tpl: Template, action: string) =>
      policyDocuments(tpl)
        .filter((d) => d.kind === 'identity')
        .flatMap((d) => d.statements.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action)));

    // Assess
    const hub = statementsFor(t, 'securityhub:BatchImportFindings');
    expect(hub).toHaveLength(1);
    expect(list(hub[0]?.Action)).toEqual(['securityhub:BatchImportFindings']);
    expect(list(hub[0]?.Resource).map(text).sort()).toEqual([
      'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product-subscription/${AWS::AccountId}/default',
      'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default',
    ]);
    const bus = statementsFor(t, 'events:PutEvents');
    expect(bus).toHaveLength(1);
    expect(list(bus[0]?.Resource).map(text)).toEqual(['arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/security-findings']);
    expect(statementsFor(t, 'sns:Publish').flatMap((s) => list(s.Resource).map(text))).toContain('${ChatTopic}');
    // the channel role reads, nothing more, and the guardrail says the same
    const role = t.Resources.ChatChannelRole?.Properties ?? {};
    expect(list(role.ManagedPolicyArns).map(text)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/CloudWatchReadOnlyAccess']);
    for (const id of ['SlackChannel', 'TeamsChannel']) {
      expect(list(t.Resources[id]?.Properties?.GuardrailPolicies).map(text)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/CloudWatchReadOnlyAccess']);
    }
    // not asked for, not there
    expect(statementsFor(none, 'securityhub:BatchImportFindings')).toEqual([]);
    expect(statementsFor(none, 'events:PutEvents')).toEqual([]);
    expect(Object.keys(none.Resources).filter((id) => /Chat|Slack|Teams/.test(id) && isDeployed(none, none.Resources[id]!))).toEqual([]);
  });

  it('the function role reaches only what the function uses', () => {
    // the statement list is the documentation: README's "What the function may do" is this list
    const t = templates.get(variants[0]![0]) as Template;
    const actions = policyDocuments(t)
      .filter((d) => d.kind === 'identity' && (d.resource === 'IamRoleLambdaExecution' || JSON.stringify(t.Resources[d.resource]?.Properties?.Roles ?? '').includes('IamRoleLambdaExecution')))
      .flatMap((d) => d.statements.flatMap((s) => list(s.Action).map(String)));
    const services = new Set(actions.map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(expect.arrayContaining(['logs', 's3', 'sqs']));
    for (const service of services) expect(['cloudtrail', 'dynamodb', 'kms', 'logs', 's3', 'sns', 'sqs', 'xray']).toContain(service);
    // s3:ListBucket (on the AWSLogs/ prefix): a log file a digest lists but that is gone reads as missing (404), not 403
    expect(actions.filter((a) => a.startsWith('s3:')).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    expect(actions.filter((a) => a.startsWith('cloudtrail:'))).toEqual(['cloudtrail:ListPublicKeys']);
  });

  it('the checks catch what they are for (a template with every kind of violation)', () => {
    // Prepare
    const bad: Template = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
            Policies: [
              {
                PolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/AWSLogs/*' },
                    { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
                    { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:x:*' } },
                    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::Sub': 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*' } },
                    { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/k' },
                  ],
                },
              },
            ],
          },
        },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'f', Role: { 'Fn::GetAtt': ['LogsRole', 'Arn'] } } },
        LogsRole: {
          Type: 'AWS::IAM::Role',
          Properties: { Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*' }] } }] },
        },
        TopicPolicy: {
          Type: 'AWS::SNS::TopicPolicy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'T' } }] } },
        },
        T: { Type: 'AWS::SNS::Topic', Properties: {} },
        Q: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: false } },
        L: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/x' } },
        D: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        A: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'T' }] } },
      },
    };

    // Act
    const problems = [...policyViolations(bad), ...encryptionAndRetentionViolations(bad)].map((v) => `${v.where}: ${v.problem}`);

    // Assess
    expect(problems).toEqual([
      'Role Statement[0]: trust policy open to Principal *',
      'Role.Policies[0] Statement[0]: wildcard action *',
      'Role.Policies[0] Statement[1]: wildcard resource *',
      'Role.Policies[0] Statement[2]: wildcard resource arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:x:*',
      'Role.Policies[0] Statement[3]: wildcard resource arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*',
      'Role.Policies[0] Statement[4]: Allow with NotAction',
      'TopicPolicy Statement[0]: Allow to Principal * without a condition naming the source',
      'Fn: function log group /aws/lambda/f is not in the template and the role may create it (no retention)',
      'T: SNS topic without KmsMasterKeyId (not encrypted at rest)',
      'Q: SQS queue without SqsManagedSseEnabled or KmsMasterKeyId',
      'L: log group without RetentionInDays (kept for ever)',
      'D: DynamoDB table without SSESpecification.SSEEnabled (KMS)',
      'D: DynamoDB table without TTL',
      'A: alarm publishes to T, whose key does not let cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey)',
    ]);
  });
});
