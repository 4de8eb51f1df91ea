import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../findings';
import { cloudTrailEventUrl } from '../notify/links';
import { sanitize, sanitizeJsonValue, sanitizeProse } from '../notify/sanitize';
import { ttpTypes } from './mitre';

/**
 * A finding in the AWS Security Finding Format (ASFF), the fields trailwatch sets. Required
 * by BatchImportFindings: AwsAccountId, CreatedAt, Description, GeneratorId, Id, ProductArn,
 * Resources, SchemaVersion, Severity, Title, Types, UpdatedAt (Security Hub user guide,
 * "Required top-level ASFF attributes"). Plain data: lib/aws/securityhub-importer.ts sends it.
 */
export interface AsffFinding {
  readonly SchemaVersion: '2018-10-08';
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: 'trailwatch';
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt?: string;
  readonly LastObservedAt?: string;
  readonly Severity: { Label: AsffSeverity; Original: Severity };
  /** What the provider says on first import; later imports must not change Severity/Types directly. */
  readonly FindingProviderFields: { Severity: { Label: AsffSeverity; Original: Severity }; Types: string[] };
  readonly Title: string;
  readonly Description: string;
  readonly SourceUrl?: string;
  readonly Remediation?: { Recommendation: { Text: string } };
  readonly ProductFields: Record<string, string>;
  readonly Resources: Array<{ Type: string; Id: string; Region?: string; Details?: { Other: Record<string, string> } }>;
  readonly RecordState: 'ACTIVE';
}

export type AsffSeverity = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

const SEVERITY: Record<Severity, AsffSeverity> = { INFO: 'INFORMATIONAL', LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' };

/** BatchImportFindings: at most 100 findings per call (API reference). */
export const ASFF_MAX_PER_CALL = 100;
/** ASFF field limits: Title 256 characters, Description 1,024, Recommendation text 512, ProductFields value 2,048. */
export const ASFF_LIMITS = { title: 256, description: 1024, recommendation: 512, productFieldValue: 2048, resources: 32 } as const;

export interface AsffContext {
  /** The account the function runs in: with the default product ARN it must be AwsAccountId. */
  readonly accountId: string;
  readonly region: string;
  readonly partition?: string;
  readonly now: Date;
}

/** The account's own "default" product: findings of a custom integration go there. */
export function defaultProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/**
 * The stable ASFF `Id` of a finding: the same rule on the same event (its `dedupKey`)
 * always gives the same Id, so a repeat import updates the finding instead of adding one.
 */
export function asffId(finding: Pick<Finding, 'dedupKey'>): string {
  return `trailwatch/${createHash('sha256').update(finding.dedupKey).digest('hex')}`;
}

/**
 * One trailwatch finding as an ASFF finding. `AwsAccountId` is the function's own account
 * (BatchImportFindings with the default product ARN requires it); the account the event
 * happened in, which an organization trail makes any member account, is the `AwsAccount`
 * resource and `ProductFields["trailwatch/accountId"]`.
 */
export function toAsff(finding: Finding, context: AsffContext): AsffFinding {
  const partition = context.partition ?? 'aws';
  const label = SEVERITY[finding.severity];
  const types = typesOf(finding);
  const eventAccount = /^\d{12}$/.test(finding.accountId ?? '') ? (finding.accountId as string) : context.accountId;
  const observed = isoTime(finding.eventTime);
  const sourceUrl = cloudTrailEventUrl(finding.region, finding.eventID);
  const resources: AsffFinding['Resources'] = [{ Type: 'AwsAccount', Id: `AWS::::Account:${eventAccount}` }];
  const principalArn = finding.principal?.arn;
  if (typeof principalArn === 'string' && /^arn:[a-z-]+:(iam|sts)::\d{12}:\S+$/.test(principalArn)) {
    resources.push({ Type: principalType(principalArn), Id: sanitize(principalArn, 512) });
  }
  const details = finding.details ? JSON.stringify(sanitizeJsonValue(finding.details)) : undefined;
  const productFields: Record<string, string | undefined> = {
    'trailwatch/ruleId': finding.ruleId,
    'trailwatch/source': finding.source,
    'trailwatch/accountId': eventAccount,
    'trailwatch/region': finding.region,
    'trailwatch/eventID': finding.eventID,
    'trailwatch/eventName': finding.eventName,
    'trailwatch/eventSource': finding.eventSource,
    'trailwatch/sourceIPAddress': finding.sourceIPAddress,
    'trailwatch/userAgent': finding.userAgent,
    'trailwatch/errorCode': finding.errorCode,
    'trailwatch/count': String(finding.count),
    'trailwatch/s3Object': `s3://${finding.object.bucket}/${finding.object.key}`,
    'trailwatch/references': finding.references?.join('; '),
    'trailwatch/details': details,
  };
  return {
    SchemaVersion: '2018-10-08',
    Id: asffId(finding),
    ProductArn: defaultProductArn(partition, context.region, context.accountId),
    ProductName: 'trailwatch',
    GeneratorId: sanitize(finding.ruleId, 512) || 'trailwatch',
    AwsAccountId: context.accountId,
    Region: context.region,
    Types: types,
    CreatedAt: observed ?? context.now.toISOString(),
    UpdatedAt: context.now.toISOString(),
    ...(observed ? { FirstObservedAt: observed, LastObservedAt: observed } : {}),
    Severity: { Label: label, Original: finding.severity },
    FindingProviderFields: { Severity: { Label: label, Original: finding.severity }, Types: types },
    Title: sanitize(finding.title, ASFF_LIMITS.title - 16) || finding.ruleId,
    Description: sanitizeProse(finding.description ?? finding.title, ASFF_LIMITS.description - 16) || 'trailwatch finding',
    ...(sourceUrl ? { SourceUrl: sourceUrl } : {}),
    ...(finding.runbook ? { Remediation: { Recommendation: { Text: sanitizeProse(finding.runbook, ASFF_LIMITS.recommendation - 16) } } } : {}),
    ProductFields: Object.fromEntries(
      Object.entries(productFields)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
        .map(([k, v]) => [k, sanitize(v, ASFF_LIMITS.productFieldValue - 16)]),
    ),
    Resources: resources,
    RecordState: 'ACTIVE',
  };
}

/**
 * `Types` in the ASFF taxonomy: TTPs from the rule's MITRE ATT&CK references; the
 * Insights-like signal and real CloudTrail Insights events as unusual behaviour; a rule
 * referencing CIS or a Security Hub control as a best-practice check; anything else as
 * unusual user behaviour.
 */
function typesOf(finding: Finding): string[] {
  if (finding.source === 'anomaly' || finding.source === 'insight') {
    return ['Unusual Behaviors/User/CloudTrail Insights API call rate'];
  }
  // a log file or digest changed, moved or gone: someone covering their tracks
  if (finding.source === 'integrity') return ['TTPs/Defense Evasion'];
  const refs = finding.references ?? [];
  const types = ttpTypes(refs);
  if (refs.some((r) => /\bCIS\b|Security Hub/i.test(r))) types.push('Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark');
  if (types.length === 0) types.push('Unusual Behaviors/User');
  return types.slice(0, 50);
}

function principalType(arn: string): string {
  if (/:iam::\d{12}:user\//.test(arn)) return 'AwsIamUser';
  if (/:iam::\d{12}:role\//.test(arn)) return 'AwsIamRole';
  return 'Other';
}

function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
