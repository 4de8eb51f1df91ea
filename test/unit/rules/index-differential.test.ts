import path from 'node:path';
import fc from 'fast-check';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { planRules, ruleAnalyser } from '../../../lib/rules/engine';
import { buildRulePack, loadRulePack, readRuleDirectory, type RulePack } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { compileSigmaRule, isSigmaRefusal, sigmaRuleFormat } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, trailRecords } from './helpers';
import { apiCall, assumedRole, consoleLogin, iamUser, instanceRole, type Json, type JsonObject, rootUser } from './sigma/records';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20261204 });

/**
 * The eventName index (exact hints of filter patterns and `|cased` Sigma values, lower-cased
 * hints of Sigma's default case-insensitive values) must change nothing but the work done:
 * the indexed plan and a plan that evaluates every rule on every record give the same
 * findings, for the built-in pack, the SigmaHQ fixture rules and generated Sigma rules, on
 * CloudTrail-shaped records whose eventName varies in case, type and presence.
 */
const SIGMAHQ = path.resolve(__dirname, '../../fixtures/sigma/sigmahq');
const OBJECT = { bucket: 'trail-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz' };

function evaluate(plan: RulePack['plan'], records: readonly JsonObject[]): Finding[] {
  const analyser = ruleAnalyser({ plan }, OBJECT, { maxFindingsPerRule: 5 });
  analyser.observe(trailRecords(records as unknown as CloudTrailRecord[]));
  return analyser.finish() as Finding[];
}

/** Names the rules ask for, their case variants, and texts where lower-casing is not ASCII. */
const NAMES = [
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'ConsoleLogin',
  'GetSigninToken',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'CreateLoginProfile',
  'ImportKeyMaterial',
  'RestoreDBInstanceFromDBSnapshot',
  'CreateInstanceExportTask',
  'PutBucketAcl',
  'RunInstances',
  'Decrypt',
  'İnstance',
  'Kelvin\u212A',
  'ǅ',
  '42',
  '',
];
const caseVariant = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom('as-is', 'lower', 'upper', 'flip-first'))
  .map(([n, how]) => (how === 'lower' ? n.toLowerCase() : how === 'upper' ? n.toUpperCase() : how === 'flip-first' ? n.charAt(0).toLowerCase() + n.slice(1) : n));
const SOURCES = ['cloudtrail.amazonaws.com', 'signin.amazonaws.com', 's3.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com', 'rds.amazonaws.com', 'ec2.amazonaws.com', 'S3.amazonaws.com'];

/** An eventName as a record may carry it: mostly a (case-varied) name, sometimes no text at all. */
const eventName = fc.oneof(
  { arbitrary: caseVariant as fc.Arbitrary<Json | undefined>, weight: 12 },
  { arbitrary: fc.constantFrom<Json | undefined>(42, null, undefined, true, ['StopLogging'], { n: 'StopLogging' }), weight: 1 },
);
const identity = fc.constantFrom(iamUser, rootUser, instanceRole, assumedRole);
const record: fc.Arbitrary<JsonObject> = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.tuple(fc.constantFrom(...SOURCES), fc.constant('x')).map(([s, n]) => apiCall(s, n)), weight: 4 },
      { arbitrary: fc.tuple(fc.constantFrom<'Success' | 'Failure'>('Success', 'Failure'), fc.constantFrom<'Yes' | 'No'>('Yes', 'No')).map(([r, m]) => consoleLogin(r, m)), weight: 1 },
    ),
    eventName,
    identity,
    fc.option(fc.constantFrom('AccessDenied', 'Client.UnauthorizedOperation'), { nil: undefined }),
    fc.option(fc.record({ bucketName: fc.constantFrom('logs', 'public'), policy: fc.constantFrom('{"Effect":"Allow","Principal":"*"}', '{}') }), { nil: undefined }),
    fc.uuid(),
  )
  .map(([base, name, who, errorCode, requestParameters, id]) => {
    const r: JsonObject = { ...base, userIdentity: who, eventID: id };
    if (name === undefined) delete r.eventName;
    else r.eventName = name;
    if (errorCode !== undefined) r.errorCode = errorCode;
    if (requestParameters !== undefined) r.requestParameters = requestParameters;
    return r;
  });

/** Generated Sigma rules on eventName (plain, `|cased`, lists, negated), eventSource and identity. */
const nameKey = fc.constantFrom('eventName', 'eventName', 'eventName|cased', 'eventName|contains', 'eventName|startswith');
const nameValue = fc.oneof(caseVariant, fc.array(caseVariant, { minLength: 1, maxLength: 3 }));
const selection = fc.record(
  {
    [0]: fc.tuple(nameKey, nameValue),
    [1]: fc.tuple(fc.constantFrom('eventSource', 'eventSource|endswith'), fc.constantFrom<Json>(...SOURCES, ['s3.amazonaws.com', 'iam.amazonaws.com'])),
    [2]: fc.tuple(fc.constantFrom('userIdentity.type'), fc.constantFrom<Json>('Root', 'root', 'IAMUser', ['AssumedRole', 'Root'])),
  },
  { requiredKeys: [] },
).map((parts) => Object.fromEntries(Object.values(parts)) as Record<string, Json>);
const condition = fc.constantFrom('selection', 'selection and not filter', 'selection or filter', '1 of selection*', 'all of selection*', 'selection and filter', 'not filter');
const generatedRule: fc.Arbitrary<CompiledRule | undefined> = fc
  .tuple(fc.uuid(), selection, selection, selection, condition, fc.constantFrom('low', 'high'))
  .map(([id, sel, sel2, filter, cond, level]) => {
    const doc = { title: 'Generated', id, level, logsource: { product: 'aws', service: 'cloudtrail' }, detection: { selection: sel, selection_b: sel2, filter, condition: cond } };
    const result = compileSigmaRule(doc, `generated/${id}.yml`);
    return isSigmaRefusal(result) ? undefined : result;
  });

let fixed: CompiledRule[];
beforeAll(async () => {
  const builtin = await loadRulePack({ builtinDir: BUILTIN_DIR, params: { ALLOWED_REGIONS: ['us-east-1'] } });
  const sigma = buildRulePack(await readRuleDirectory(SIGMAHQ), { formats: [sigmaRuleFormat] });
  fixed = [...builtin.rules, ...sigma.rules];
});

describe('the eventName index against every rule on every record', () => {
  it('indexes every SigmaHQ rule (the point of the index: they no longer run on every record)', () => {
    // Prepare
    const sigma = fixed.filter((r) => r.source === 'sigma');
    const plan = planRules(sigma);

    // Act
    const indexedBy = (file: string) => plan.fields.find((f) => f.rules.some((p) => path.basename(p.rule.file) === file))?.field;

    // Assess: the two rules that name no eventName are indexed by the identity's type and ARN
    expect(plan.always.map((p) => p.rule.id)).toEqual([]);
    expect(indexedBy('aws_root_account_usage.yml')).toBe('userIdentity.type');
    expect(indexedBy('aws_cloudtrail_imds_malicious_usage.yml')).toBe('userIdentity.arn');
    expect(indexedBy('aws_cloudtrail_disable_logging.yml')).toBe('eventName');
  });

  it('gives identical findings for the built-in pack, the SigmaHQ rules and generated Sigma rules', () => {
    fc.assert(
      fc.property(fc.array(generatedRule, { maxLength: 6 }), fc.array(record, { maxLength: 25 }), (generated, records) => {
        // Prepare
        const rules = [...fixed, ...generated.filter((r): r is CompiledRule => r !== undefined)];

        // Act
        const indexed = evaluate(planRules(rules), records);
        const everything = evaluate(planRules(rules, { indexed: false }), records);

        // Assess
        expect(indexed).toEqual(everything);
      }),
      { numRuns: 150 },
    );
  });

  it('finds the SigmaHQ rules on records whose eventName differs from the rule in case only', () => {
    // Prepare: Sigma compares case-insensitively; CloudTrail writes the API's own case
    const rules = fixed.filter((r) => r.source === 'sigma');
    const records = [apiCall('cloudtrail.amazonaws.com', 'stoplogging', { eventID: 'a' }), apiCall('cloudtrail.amazonaws.com', 'STOPLOGGING', { eventID: 'b' })];

    // Act
    const indexed = evaluate(planRules(rules), records);
    const everything = evaluate(planRules(rules, { indexed: false }), records);

    // Assess
    expect(indexed.length).toBeGreaterThan(0);
    expect(indexed).toEqual(everything);
  });
});
