/**
 * `logsource: product: aws, service: <name>` (the TrailAlerts collection's convention,
 * beside SigmaHQ's `service: cloudtrail`): a CloudTrail rule restricted to the records of
 * that service's event source. The table is explicit — a name outside it is refused with
 * the list, never guessed — and lists the event sources CloudTrail writes (CloudWatch is
 * `monitoring`, OpenSearch is still `es`, console sign-in is `signin`).
 */
export const SERVICE_EVENT_SOURCES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  acm: ['acm.amazonaws.com'],
  apigateway: ['apigateway.amazonaws.com'],
  athena: ['athena.amazonaws.com'],
  backup: ['backup.amazonaws.com'],
  bedrock: ['bedrock.amazonaws.com'],
  cloudformation: ['cloudformation.amazonaws.com'],
  cloudfront: ['cloudfront.amazonaws.com'],
  cloudtrail: ['cloudtrail.amazonaws.com'],
  cloudwatch: ['monitoring.amazonaws.com'],
  codebuild: ['codebuild.amazonaws.com'],
  cognito: ['cognito-idp.amazonaws.com', 'cognito-identity.amazonaws.com'],
  config: ['config.amazonaws.com'],
  dynamodb: ['dynamodb.amazonaws.com'],
  ebs: ['ec2.amazonaws.com', 'ebs.amazonaws.com'],
  ec2: ['ec2.amazonaws.com'],
  ecr: ['ecr.amazonaws.com'],
  ecs: ['ecs.amazonaws.com'],
  efs: ['elasticfilesystem.amazonaws.com'],
  eks: ['eks.amazonaws.com'],
  elasticloadbalancing: ['elasticloadbalancing.amazonaws.com'],
  elb: ['elasticloadbalancing.amazonaws.com'],
  es: ['es.amazonaws.com'],
  eventbridge: ['events.amazonaws.com'],
  events: ['events.amazonaws.com'],
  glacier: ['glacier.amazonaws.com'],
  glue: ['glue.amazonaws.com'],
  guardduty: ['guardduty.amazonaws.com'],
  iam: ['iam.amazonaws.com'],
  identitystore: ['identitystore.amazonaws.com'],
  kinesis: ['kinesis.amazonaws.com'],
  kms: ['kms.amazonaws.com'],
  lambda: ['lambda.amazonaws.com'],
  logs: ['logs.amazonaws.com'],
  macie: ['macie2.amazonaws.com'],
  opensearch: ['es.amazonaws.com'],
  organizations: ['organizations.amazonaws.com'],
  rds: ['rds.amazonaws.com'],
  redshift: ['redshift.amazonaws.com'],
  rolesanywhere: ['rolesanywhere.amazonaws.com'],
  route53: ['route53.amazonaws.com', 'route53resolver.amazonaws.com', 'route53domains.amazonaws.com'],
  s3: ['s3.amazonaws.com'],
  sagemaker: ['sagemaker.amazonaws.com'],
  secretsmanager: ['secretsmanager.amazonaws.com'],
  securityhub: ['securityhub.amazonaws.com'],
  ses: ['ses.amazonaws.com'],
  signin: ['signin.amazonaws.com'],
  sns: ['sns.amazonaws.com'],
  sqs: ['sqs.amazonaws.com'],
  sso: ['sso.amazonaws.com', 'sso-directory.amazonaws.com'],
  ssm: ['ssm.amazonaws.com'],
  stepfunctions: ['states.amazonaws.com'],
  sts: ['sts.amazonaws.com'],
  vpc: ['ec2.amazonaws.com'],
  waf: ['waf.amazonaws.com', 'wafv2.amazonaws.com'],
});

/** The event sources of a service name (lower-case), or undefined when it is not in the table. */
export function serviceEventSources(service: string): ReadonlySet<string> | undefined {
  const sources = Object.hasOwn(SERVICE_EVENT_SOURCES, service) ? SERVICE_EVENT_SOURCES[service] : undefined;
  return sources === undefined ? undefined : new Set(sources);
}

/** True if the record's eventSource is one of `sources`. */
export function fromEventSource(record: unknown, sources: ReadonlySet<string>): boolean {
  if (typeof record !== 'object' || record === null) return false;
  const source = (record as { eventSource?: unknown }).eventSource;
  return typeof source === 'string' && sources.has(source);
}
