import path from 'node:path';
import fc from 'fast-check';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { planRules, ruleAnalyser } from '../../../lib/rules/engine';
import { withFilterPatternHints } from '../../../lib/rules/event-names';
import { compileFilterPattern } from '../../../lib/rules/filter-pattern';
import { buildRulePack, loadRulePack, readRuleDirectory, type RulePack } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { compileSigmaRule, isSigmaRefusal, sigmaRuleFormat } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, patternRule, trailRecords } from './helpers';
import { apiCall, assumedRole, consoleLogin, iamUser, instanceRole, type Json, type JsonObject, rootUser } from './sigma/records';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20261204 });

/**
 * The field index (eventName, eventSource, other required fields; exact hints of filter
 * patterns and `|cased` Sigma values, lower-cased hints of Sigma's default case-insensitive
 * values) and the per-record shared field slots must change nothing but the work done: the
 * indexed plan and a plan that evaluates every rule on every record give the same findings,
 * for the built-in pack, the SigmaHQ fixture rules, generated Sigma rules (with
 * `logsource.service`) and generated filter patterns, on CloudTrail-shaped records whose
 * eventName, eventSource and errorCode vary in case, type and presence.
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

/** User agents the rules look for, in other cases, and ones they do not. */
const AGENTS = ['aws-cli/2.15 Linux/6.1-kali', 'Boto3/1.34 Linux/6.1-KALI-amd64', 'Parrot OS', 'S3 Browser 11', 'aws-cli/2.15 Linux/6.1', 'boto3/1.34', 'ka', ''];

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
    fc.option(fc.constantFrom<Json>('AccessDenied', 'accessdenied', 'Client.UnauthorizedOperation', 42, true, ['AccessDenied'], { code: 'AccessDenied' }), { nil: undefined }),
    fc.option(fc.record({ bucketName: fc.constantFrom('logs', 'public'), policy: fc.constantFrom('{"Effect":"Allow","Principal":"*"}', '{}') }), { nil: undefined }),
    fc.uuid(),
    fc.option(fc.constantFrom<Json>(...AGENTS, ['kali'], 42), { nil: undefined }),
  )
  .map(([base, name, who, errorCode, requestParameters, id, userAgent]) => {
    const r: JsonObject = { ...base, userIdentity: who, eventID: id };
    if (userAgent !== undefined) r.userAgent = userAgent;
    if (name === undefined) delete r.eventName;
    else r.eventName = name;
    if (errorCode !== undefined) r.errorCode = errorCode;
    if (requestParameters !== undefined) r.requestParameters = requestParameters;
    return r;
  });

/** Generated filter patterns on the fields the index uses, with the hints the loader gives them. */
const fpCompare = fc.oneof(
  fc.tuple(fc.constantFrom('eventName'), caseVariant),
  fc.tuple(fc.constantFrom('eventSource'), fc.constantFrom(...SOURCES)),
  fc.tuple(fc.constantFrom('userIdentity.type'), fc.constantFrom('Root', 'root', 'IAMUser', 'AssumedRole')),
  fc.tuple(fc.constantFrom('errorCode'), fc.constantFrom('AccessDenied', 'AccessDenied*', '*UnauthorizedOperation', '*')),
  fc.tuple(fc.constantFrom('requestParameters.bucketName'), fc.constantFrom('logs', 'pub*', '*')),
  fc.tuple(fc.constantFrom('userAgent'), fc.constantFrom('*kali*', 'Boto3*', '*ka*', 'Parrot OS')),
).chain(([field, value]) => fc.constantFrom(`$.${field} = "${value}"`, `$.${field} != "${value}"`, `$.${field} = ${JSON.stringify(value).slice(1, -1).includes('*') ? value : `"${value}"`}`));
const fpExpression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fpCompare.map((c) => `(${c})`),
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((xs) => `(${xs.join(' && ')})`),
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((xs) => `(${xs.join(' || ')})`),
    fc.constantFrom('($.errorCode NOT EXISTS)', '($.userIdentity.invokedBy IS NULL)'),
  ),
})).e;
const generatedPattern: fc.Arbitrary<CompiledRule> = fc.tuple(fc.uuid(), fpExpression).map(([id, e]) => patternRule(`{ ${e} }`, `fp-${id}`));

/** Generated Sigma rules on eventName (plain, `|cased`, lists, negated), eventSource and identity. */
const nameKey = fc.constantFrom('eventName', 'eventName', 'eventName|cased', 'eventName|contains', 'eventName|startswith');
const nameValue = fc.oneof(caseVariant, fc.array(caseVariant, { minLength: 1, maxLength: 3 }));
const selection = fc.record(
  {
    [0]: fc.tuple(nameKey, nameValue),
    [1]: fc.tuple(fc.constantFrom('eventSource', 'eventSource|endswith'), fc.constantFrom<Json>(...SOURCES, ['s3.amazonaws.com', 'iam.amazonaws.com'])),
    [2]: fc.tuple(fc.constantFrom('userIdentity.type'), fc.constantFrom<Json>('Root', 'root', 'IAMUser', ['AssumedRole', 'Root'])),
    [3]: fc.tuple(fc.constantFrom('errorCode', 'errorCode|startswith', 'errorCode|contains', 'errorCode|re', 'errorCode|cased'), fc.constantFrom<Json>('AccessDenied', 'access', ['Client.UnauthorizedOperation', 'AccessDenied'])),
    [4]: fc.tuple(fc.constantFrom('requestParameters', 'requestParameters.bucketName', 'requestParameters.bucketName|endswith'), fc.constantFrom<Json>('logs', 'PUBLIC', null)),
    [5]: fc.tuple(
      fc.constantFrom('userAgent|contains', 'userAgent|startswith', 'userAgent|contains|all', 'userAgent', 'userAgent|re'),
      fc.constantFrom<Json>('kali', ['kali', 'parrot'], 'Boto3', 'S3 Browser*', 'ka', ['linux', 'kali']),
    ),
  },
  { requiredKeys: [] },
).map((parts) => Object.fromEntries(Object.values(parts)) as Record<string, Json>);
const condition = fc.constantFrom('selection', 'selection and not filter', 'selection or filter', '1 of selection*', 'all of selection*', 'selection and filter', 'not filter');
const generatedRule: fc.Arbitrary<CompiledRule | undefined> = fc
  .tuple(fc.uuid(), selection, selection, selection, condition, fc.constantFrom('low', 'high'), fc.constantFrom('cloudtrail', 'cloudtrail', 's3', 'iam', 'signin'))
  .map(([id, sel, sel2, filter, cond, level, service]) => {
    const doc = { title: 'Generated', id, level, logsource: { product: 'aws', service }, detection: { selection: sel, selection_b: sel2, filter, condition: cond } };
    const result = compileSigmaRule(doc, `generated/${id}.yml`);
    return isSigmaRefusal(result) ? undefined : result;
  });

/**
 * Rules whose narrowest hint is a test on a field's text (a user agent, an error code) beside
 * an eventSource value: Sigma rules with a `service` log source and filter patterns, filed
 * under the test when it names a fixed text of three characters or more.
 */
const textTestRule: fc.Arbitrary<CompiledRule> = fc.oneof(
  fc
    .tuple(
      fc.uuid(),
      fc.constantFrom('s3', 'iam', 'signin', 'cloudtrail'),
      fc.constantFrom('userAgent|contains', 'userAgent|startswith', 'userAgent|contains|all', 'userAgent', 'userAgent|re', 'errorCode|contains', 'errorCode|startswith'),
      fc.constantFrom<Json>('kali', ['kali', 'parrot'], 'Boto3', 'S3 Browser*', 'ka', ['linux', 'kali'], 'access', 'AccessDenied'),
    )
    .map(([id, service, key, value]) => {
      const result = compileSigmaRule({ title: 'Text test', id, logsource: { product: 'aws', service }, detection: { selection: { [key]: value }, condition: 'selection' } }, `generated/${id}.yml`);
      if (isSigmaRefusal(result)) throw new Error(result.reason);
      return result as CompiledRule;
    }),
  fc
    .tuple(fc.uuid(), fc.constantFrom(...SOURCES), fc.constantFrom('userAgent', 'errorCode'), fc.constantFrom('*kali*', 'Boto3*', '*ka*', 'Parrot OS', 'AccessDenied*', '*Operation'))
    .map(([id, source, field, value]) => {
      const expression = `{ ($.eventSource = "${source}") && ($.${field} = "${value}") }`;
      const rule: CompiledRule = { id: `fp-${id}`, title: 'Text test', severity: 'LOW', source: 'rule', description: '', references: [], file: `generated/${id}.yaml`, expression, test: compileFilterPattern(expression).test };
      return withFilterPatternHints({ rule }).rule;
    }),
);

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

  it('gives identical findings for the built-in pack, the SigmaHQ rules, generated Sigma rules and generated filter patterns', () => {
    fc.assert(
      fc.property(fc.array(generatedRule, { maxLength: 6 }), fc.array(generatedPattern, { maxLength: 6 }), fc.array(record, { maxLength: 25 }), (generated, patterns, records) => {
        // Prepare
        const rules = [...fixed, ...generated.filter((r): r is CompiledRule => r !== undefined), ...patterns];

        // Act
        const indexed = evaluate(planRules(rules), records);
        const everything = evaluate(planRules(rules, { indexed: false }), records);

        // Assess
        expect(indexed).toEqual(everything);
      }),
      { numRuns: 150 },
    );
  });

  it('gives identical findings for rules filed under a text test rather than their eventSource value', () => {
    // Prepare: the generator reaches that path (a fixed text of 3+ characters beats an eventSource value)
    const filedUnder = new Set(fc.sample(textTestRule, 60).map((r) => planRules([r]).fields[0]?.field));
    expect(filedUnder).toEqual(new Set(['userAgent', 'errorCode', 'eventSource']));

    fc.assert(
      fc.property(fc.array(textTestRule, { minLength: 1, maxLength: 8 }), fc.array(record, { minLength: 5, maxLength: 40 }), (rules, records) => {
        // Act
        const indexed = evaluate(planRules(rules), records);
        const everything = evaluate(planRules(rules, { indexed: false }), records);

        // Assess
        expect(indexed).toEqual(everything);
      }),
      { numRuns: 200 },
    );
  });

  it('evaluates the rules indexed by a field whose value is not text (Sigma looks into arrays, objects and booleans)', () => {
    // Prepare
    const doc = (id: string, selection: Record<string, Json>) => ({ title: 'Non-text', id, logsource: { product: 'aws', service: 'cloudtrail' }, detection: { selection, condition: 'selection' } });
    const rules = [
      doc('5b1c2d3e-0000-4000-8000-000000000001', { 'errorCode|contains': 'access' }),
      doc('5b1c2d3e-0000-4000-8000-000000000002', { errorCode: 'true' }),
      doc('5b1c2d3e-0000-4000-8000-000000000003', { 'userIdentity.type': 'root' }),
    ].map((d) => compileSigmaRule(d, 'non-text.yml') as CompiledRule);
    const records = [
      { ...apiCall('s3.amazonaws.com', 'GetObject', { eventID: 'array' }), errorCode: ['AccessDenied'] },
      { ...apiCall('s3.amazonaws.com', 'GetObject', { eventID: 'object' }), errorCode: { code: 'AccessDenied' } },
      { ...apiCall('s3.amazonaws.com', 'GetObject', { eventID: 'boolean' }), errorCode: true },
      { ...apiCall('s3.amazonaws.com', 'GetObject', { eventID: 'fan-out' }), userIdentity: [{ type: 'Root' }] },
    ];

    // Act
    const indexed = evaluate(planRules(rules), records);
    const everything = evaluate(planRules(rules, { indexed: false }), records);

    // Assess
    expect(indexed.map((f) => f.eventID).sort()).toEqual(['array', 'boolean', 'fan-out', 'object']);
    expect(indexed).toEqual(everything);
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
