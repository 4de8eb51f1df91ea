import fc from 'fast-check';
import { stringify } from 'yaml';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { planRules, ruleAnalyser } from '../../../lib/rules/engine';
import { requiredEventNames, withFilterPatternHints } from '../../../lib/rules/event-names';
import { compileFilterPattern, parseFilterPattern } from '../../../lib/rules/filter-pattern';
import { buildRulePack, loadRulePack, type RulePack } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { compileSigmaRule, isSigmaRefusal } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, builtinRecord, ruleDoc, trailRecords } from './helpers';

const OBJECT = { bucket: 'trail-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/f.json.gz', versionId: 'v1' };

function packOf(...docs: Record<string, unknown>[]): RulePack {
  return buildRulePack(docs.map((d) => ({ file: `rules/${String(d.id)}.yaml`, text: stringify(d) })));
}

function evaluate(pack: Pick<RulePack, 'plan'>, records: CloudTrailRecord[], options = {}) {
  const analyser = ruleAnalyser(pack, OBJECT, options);
  analyser.observe(trailRecords(records));
  return analyser.finish() as Finding[];
}

let builtin: RulePack;
beforeAll(async () => {
  builtin = await loadRulePack({ builtinDir: BUILTIN_DIR, params: { ALLOWED_REGIONS: ['us-east-1'] } });
});

describe('ruleAnalyser findings', () => {
  it('carry the rule, the event, the account, the principal and the S3 object', () => {
    // Prepare
    const record = builtinRecord('root-console-login', 'match');
    const pack = packOf(ruleDoc('root-signin'));

    // Act
    const findings = evaluate(pack, [record]);

    // Assess
    expect(findings).toEqual([
      {
        ruleId: 'root-signin',
        title: 'Root user signed in to the console',
        severity: 'HIGH',
        source: 'rule',
        description: 'What happened and why it matters.',
        runbook: 'First steps.',
        references: ['CIS AWS Foundations 1.4.0 4.3'],
        eventID: record.eventID,
        eventTime: record.eventTime,
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        accountId: '111122223333',
        region: 'us-east-1',
        principal: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
        sourceIPAddress: record.sourceIPAddress,
        userAgent: record.userAgent,
        object: OBJECT,
        count: 1,
        dedupKey: `root-signin:${record.eventID}`,
      },
    ]);
  });

  it('name an assumed role’s issuer, an IAM user, the error code, and fall back to the identity’s account', () => {
    // Prepare
    const denied = builtinRecord('unauthorized-api-calls', 'match', 0);
    delete denied.recipientAccountId;
    const user = builtinRecord('console-signin-without-mfa', 'match');
    const pack = packOf(ruleDoc('anything', { match: '{ ($.eventVersion = *) }' }));

    // Act
    const [first, second] = evaluate(pack, [denied, user]);

    // Assess
    const identity = denied.userIdentity!;
    const issuer = (identity.sessionContext as { sessionIssuer: { userName: string } }).sessionIssuer;
    expect(identity.type).toBe('AssumedRole');
    expect(first).toMatchObject({ accountId: identity.accountId, errorCode: denied.errorCode });
    expect(first?.principal).toEqual({ type: 'AssumedRole', arn: identity.arn, userName: issuer.userName, accountId: identity.accountId });
    expect(second?.principal).toEqual({ type: 'IAMUser', arn: user.userIdentity?.arn, userName: user.userIdentity?.userName, accountId: '111122223333' });
    expect(second?.errorCode).toBeUndefined();
  });

  it('give one finding per eventID: a record repeated in a file alerts once, with its count', () => {
    // Prepare
    const a = builtinRecord('root-console-login', 'match', 0);
    const b = builtinRecord('root-console-login', 'match', 1);
    const pack = packOf(ruleDoc('root-signin'));

    // Act
    const findings = evaluate(pack, [a, b, structuredClone(a)]);

    // Assess
    expect(findings.map((f) => [f.dedupKey, f.count])).toEqual([
      [`root-signin:${a.eventID}`, 2],
      [`root-signin:${b.eventID}`, 1],
    ]);
    expect(findings[0]?.details).toEqual({ eventIDs: [a.eventID, a.eventID] });
  });

  it('use the record’s place in the file when it has no eventID', () => {
    // Prepare
    const record = builtinRecord('root-console-login', 'match');
    delete record.eventID;
    const pack = packOf(ruleDoc('root-signin'));

    // Act
    const [finding] = evaluate(pack, [builtinRecord('root-account-usage', 'noMatch'), record]);

    // Assess
    expect(finding?.dedupKey).toBe(`root-signin:${OBJECT.key}#1`);
    expect(finding?.eventID).toBeUndefined();
  });

  it('group by the dedupKey fields when a rule names them', () => {
    // Prepare
    const a = builtinRecord('root-console-login', 'match', 0);
    const b = builtinRecord('root-console-login', 'match', 1);
    const pack = packOf(ruleDoc('root-signin', { dedupKey: ['userIdentity.arn', 'awsRegion'] }));

    // Act
    const findings = evaluate(pack, [a, b]);

    // Assess
    expect(findings.map((f) => [f.dedupKey, f.count])).toEqual([['root-signin:arn:aws:iam::111122223333:root:us-east-1', 2]]);
  });

  it('cap the findings of one rule per delivery and count the rest in the tallies', () => {
    // Prepare
    const records = Array.from({ length: 5 }, (_, i) => ({ ...builtinRecord('root-console-login', 'match'), eventID: `e${i}` }));
    records.push({ ...records[0]!, eventID: 'e0' });
    const analyser = ruleAnalyser(packOf(ruleDoc('root-signin')), OBJECT, { maxFindingsPerRule: 2 });

    // Act
    analyser.observe(trailRecords(records));
    const findings = analyser.finish() as Finding[];

    // Assess: the first two listed (e0 twice), the other three counted, nothing in details
    expect(findings.map((f) => [f.eventID, f.count, f.details])).toEqual([['e0', 2, { eventIDs: ['e0', 'e0'] }], ['e1', 1, undefined]]);
    expect(analyser.tallies?.()).toEqual([
      { ruleId: 'root-signin', source: 'rule', severity: 'HIGH', title: 'Root user signed in to the console', events: 6, findings: 5 },
    ]);
  });
});

describe('threshold rules', () => {
  const failure = (ip: string | undefined, i: number): CloudTrailRecord => {
    const r = { ...builtinRecord('console-authentication-failures', 'match'), eventID: `f-${ip}-${i}` };
    if (ip === undefined) delete r.sourceIPAddress;
    else r.sourceIPAddress = ip;
    return r;
  };
  const burst = ruleDoc('failures-burst', {
    match: '{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }',
    threshold: { count: 3, groupBy: 'sourceIPAddress' },
  });

  it('give one finding per group that reaches the count, with the count and the group', () => {
    // Prepare
    const records = [failure('203.0.113.7', 0), failure('198.51.100.1', 0), failure('203.0.113.7', 1), failure('203.0.113.7', 2), failure('198.51.100.1', 1), failure('203.0.113.7', 3)];

    // Act
    const findings = evaluate(packOf(burst), records);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'failures-burst',
      count: 4,
      eventID: 'f-203.0.113.7-0',
      sourceIPAddress: '203.0.113.7',
      dedupKey: `failures-burst:203.0.113.7:${OBJECT.key}`,
      details: { threshold: 3, groupBy: 'sourceIPAddress', groupValue: '203.0.113.7', eventIDs: ['f-203.0.113.7-0', 'f-203.0.113.7-1', 'f-203.0.113.7-2', 'f-203.0.113.7-3'] },
    });
  });

  it('count records without the group field as their own group', () => {
    // Prepare
    const records = [failure(undefined, 0), failure(undefined, 1), failure(undefined, 2)];

    // Act
    const findings = evaluate(packOf(burst), records);

    // Assess
    expect(findings.map((f) => [f.count, f.details?.groupValue])).toEqual([[3, null]]);
  });

  it('count the whole delivery when no groupBy is given', () => {
    // Prepare
    const pack = packOf({ ...burst, threshold: { count: 3 } });
    const records = [failure('203.0.113.7', 0), failure('198.51.100.1', 0), failure('192.0.2.9', 0)];

    // Act
    const findings = evaluate(pack, records);

    // Assess
    expect(findings.map((f) => [f.count, f.dedupKey])).toEqual([[3, `failures-burst::${OBJECT.key}`]]);
  });

  it('list the first groups to reach the count up to the cap, and count every group that reached it', () => {
    // Prepare: five IPs reach 3 (in the order .1 .2 .3 .4 .5 reach it), one stays at 2
    const order = ['1', '2', '1', '2', '3', '1', '4', '4', '2', '3', '3', '4', '5', '5', '6', '5', '6', '1'];
    const records = order.map((ip, i) => failure(`192.0.2.${ip}`, i));
    const analyser = ruleAnalyser(packOf(burst), OBJECT, { maxFindingsPerRule: 2 });

    // Act
    analyser.observe(trailRecords(records));
    const findings = analyser.finish() as Finding[];

    // Assess
    expect(findings.map((f) => [f.details?.groupValue, f.count])).toEqual([['192.0.2.1', 4], ['192.0.2.2', 3]]);
    expect(analyser.tallies?.()).toEqual([expect.objectContaining({ ruleId: 'failures-burst', events: 4 + 3 + 3 + 3 + 3, findings: 5 })]);
  });

  it('count across the groups of records observe receives', () => {
    // Prepare
    const analyser = ruleAnalyser(packOf(burst), OBJECT);

    // Act
    for (let i = 0; i < 3; i++) analyser.observe(trailRecords([failure('203.0.113.7', i)]));
    const findings = analyser.finish() as unknown[];

    // Assess
    expect(findings).toHaveLength(1);
  });
});

describe('odd records', () => {
  it('give no findings and never throw for Insights records, nulls and wrong types', () => {
    // Prepare
    const insight: CloudTrailRecord = {
      eventVersion: '1.11',
      eventTime: '2026-11-24T09:05:00Z',
      awsRegion: 'us-east-1',
      eventID: 'a6c1d0b2-7e51-4b5e-9c0d-2d0b6c1e8f11',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111122223333',
      sharedEventID: '0b6a9f3e-5c1d-4e2a-8f7b-6d5c4b3a2918',
      insightDetails: { state: 'Start', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight' },
      eventCategory: 'Insight',
    };
    const odd: CloudTrailRecord[] = [
      insight,
      { eventName: null, userIdentity: null, errorCode: null },
      { eventName: 42, userIdentity: 'Root', requestParameters: [] } as unknown as CloudTrailRecord,
      { eventName: { ConsoleLogin: true }, eventID: 7 } as unknown as CloudTrailRecord,
      {},
    ];

    // Act
    const findings = evaluate(builtin, odd);

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('the eventName index', () => {
  it('evaluates a rule only for records whose eventName it can match', () => {
    // Prepare
    let calls = 0;
    const rule: CompiledRule = { ...packOf(ruleDoc('root-signin')).rules[0]! };
    const counted: CompiledRule = { ...rule, test: (r) => (calls++, rule.test(r)) };
    const plan = planRules([counted]);
    const records = [builtinRecord('iam-policy-changes', 'match'), builtinRecord('root-console-login', 'match'), builtinRecord('vpc-changes', 'match')];

    // Act
    evaluate({ plan }, records);

    // Assess
    expect(calls).toBe(1);
  });

  it('gives exactly the findings of evaluating every rule on every record', () => {
    // Prepare: the built-in pack with and without the index, over records drawn from its own tests
    const samples = builtin.entries.flatMap((e) => [...(e.tests?.match ?? []), ...(e.tests?.noMatch ?? [])]).flatMap((c) => ('delivery' in c && Array.isArray(c.delivery) ? c.delivery : [c])) as CloudTrailRecord[];
    const unindexed = { plan: planRules(builtin.rules.map((r) => ({ ...r, eventNames: undefined }))) };
    const eventName = fc.constantFrom<unknown>(undefined, null, 7, 'ConsoleLogin', 'RunInstances', 'CreateVpc', 'PutBucketAcl', 'StopLogging', 'Decrypt');
    const record = fc.tuple(fc.constantFrom(...samples), fc.option(eventName, { nil: undefined }), fc.uuid()).map(([r, name, id]) => {
      const copy = { ...structuredClone(r), eventID: id };
      if (name !== undefined) copy.eventName = name as string;
      return copy;
    });

    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        // Act
        const indexed = evaluate(builtin, records);
        const everything = evaluate(unindexed, records);

        // Assess
        expect(indexed).toEqual(everything);
      }),
      { numRuns: 100 },
    );
  });
});

describe('where the plan files a rule', () => {
  /** A filter-pattern rule with the hints the loader gives it, its evaluations counted in `calls`. */
  function patternRule(id: string, expression: string, calls: { n: number }): CompiledRule {
    const test = compileFilterPattern(expression).test;
    const rule: CompiledRule = {
      ...packOf(ruleDoc(id)).rules[0]!,
      expression,
      test: (r) => (calls.n++, test(r)),
      eventNames: requiredEventNames(parseFilterPattern(expression)),
      requiredValues: undefined,
    };
    return withFilterPatternHints({ rule }).rule;
  }
  const fieldOf = (expression: string): string | undefined => {
    const plan = planRules([patternRule('r', expression, { n: 0 })]);
    return plan.always.length > 0 ? undefined : plan.fields[0]?.field;
  };

  it('prefers a test naming a fixed text of three characters or more to an eventSource value', () => {
    // Act, Assess
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && ($.userAgent = "*tool-7*") }')).toBe('userAgent');
    expect(fieldOf('{ ($.eventSource = "sts.amazonaws.com") && ($.errorCode = "AccessDenied*") }')).toBe('errorCode');
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && (($.userAgent = "*tool-7*") || ($.userAgent = "kali*")) }')).toBe('userAgent');
  });

  it('keeps the eventSource value when the test names too short a text, or none it can see', () => {
    // Act, Assess
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && ($.userAgent = "*ab*") }')).toBe('eventSource');
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && ($.userAgent = %tool-[0-9]+%) }')).toBe('eventSource');
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && (($.userAgent = "*tool-7*") || ($.userAgent = "*x*")) }')).toBe('eventSource');
  });

  it('keeps eventName first, even before a selective test', () => {
    // Act, Assess
    expect(fieldOf('{ ($.eventName = "RunInstances") && ($.userAgent = "*tool-7*") }')).toBe('eventName');
    expect(fieldOf('{ ($.eventSource = "ec2.amazonaws.com") && ($.eventName = "Run*") && ($.userAgent = "*tool-7*") }')).toBe('eventName');
  });

  it('evaluates a rule filed under its test only for records whose text passes it, with the same findings', () => {
    // Prepare
    const calls = { n: 0 };
    const rule = patternRule('tool-on-ec2', '{ ($.eventSource = "ec2.amazonaws.com") && ($.userAgent = "*tool-7*") }', calls);
    const base = builtinRecord('root-console-login', 'match');
    const records = [
      { ...base, eventID: 'a', eventSource: 'ec2.amazonaws.com', userAgent: 'aws-cli/2.15' },
      { ...base, eventID: 'b', eventSource: 'ec2.amazonaws.com', userAgent: 'tool-7/1.0' },
      { ...base, eventID: 'c', eventSource: 's3.amazonaws.com', userAgent: 'tool-7/1.0' },
      { ...base, eventID: 'd', eventSource: 'ec2.amazonaws.com', userAgent: 'aws-cli/2.15' },
    ];

    // Act
    const indexed = evaluate({ plan: planRules([rule]) }, records);
    const indexedCalls = calls.n;
    const everything = evaluate({ plan: planRules([rule], { indexed: false }) }, records);

    // Assess
    expect(indexedCalls).toBe(2);
    expect(indexed.map((f) => f.eventID)).toEqual(['b']);
    expect(indexed).toEqual(everything);
  });

  /** A Sigma rule as the loader compiles it. */
  function sigmaRule(id: string, logsource: Record<string, string>, selection: Record<string, unknown>): CompiledRule {
    const result = compileSigmaRule({ title: id, id, level: 'high', logsource: { product: 'aws', ...logsource }, detection: { selection, condition: 'selection' } }, `rules/sigma/${id}.yml`);
    if (isSigmaRefusal(result)) throw new Error(result.reason);
    return result;
  }
  const sigmaFieldOf = (rule: CompiledRule): string | undefined => {
    const plan = planRules([rule]);
    return plan.always.length > 0 ? undefined : plan.fields[0]?.field;
  };

  it('files a Sigma rule with a log source service under its user-agent text test, as a filter pattern', () => {
    // Act, Assess
    expect(sigmaFieldOf(sigmaRule('s1', { service: 'sts' }, { 'userAgent|contains': ['kali', 'parrot', 'pentoo'] }))).toBe('userAgent');
    expect(sigmaFieldOf(sigmaRule('s2', { service: 'cloudtrail' }, { eventSource: 'ec2.amazonaws.com', 'userAgent|contains': 'S3 Browser' }))).toBe('userAgent');
    // too short a text, or none stated (a regex): the eventSource value stays the narrower
    expect(sigmaFieldOf(sigmaRule('s3', { service: 'sts' }, { 'userAgent|contains': 'ab' }))).toBe('eventSource');
    expect(sigmaFieldOf(sigmaRule('s4', { service: 'sts' }, { 'userAgent|re': 'kali|parrot' }))).toBe('eventSource');
  });

  it('finds what every-rule-on-every-record finds for a Sigma rule filed under its user-agent test, in any case', () => {
    // Prepare
    const rule = sigmaRule('kali-on-sts', { service: 'sts' }, { 'userAgent|contains': ['kali', 'parrot'] });
    const base = builtinRecord('root-console-login', 'match');
    const records = [
      { ...base, eventID: 'a', eventSource: 'sts.amazonaws.com', userAgent: 'aws-cli/2.15 Linux/6.1-kali' },
      { ...base, eventID: 'b', eventSource: 'sts.amazonaws.com', userAgent: 'Boto3/1.34 Linux/6.1-KALI-amd64' },
      { ...base, eventID: 'c', eventSource: 'sts.amazonaws.com', userAgent: 'aws-cli/2.15 Linux/6.1' },
      { ...base, eventID: 'd', eventSource: 's3.amazonaws.com', userAgent: 'aws-cli/2.15 Linux/6.1-kali' },
      { ...base, eventID: 'e', eventSource: 'sts.amazonaws.com', userAgent: 'Parrot OS' },
      // not text: Sigma looks into the list, and the index evaluates the rule
      { ...base, eventID: 'f', eventSource: 'sts.amazonaws.com', userAgent: ['kali'] } as unknown as CloudTrailRecord,
    ];

    // Act
    const indexed = evaluate({ plan: planRules([rule]) }, records);
    const everything = evaluate({ plan: planRules([rule], { indexed: false }) }, records);

    // Assess
    expect(indexed.map((f) => f.eventID)).toEqual(['a', 'b', 'e', 'f']);
    expect(indexed).toEqual(everything);
  });

  it('finds the same among many user agents of one length and some very long ones (the memo past its buckets)', () => {
    // Prepare
    const rule = sigmaRule('tool-on-sts', { service: 'sts' }, { 'userAgent|contains': 'tool-7' });
    const base = builtinRecord('root-console-login', 'match');
    const agents = [
      ...Array.from({ length: 60 }, (_, i) => `agent/${String(i).padStart(2, '0')}-${i % 7 === 3 ? 'tool-7' : 'xxxxxx'}`),
      `${'a'.repeat(3000)}tool-7`,
      `${'a'.repeat(3000)}tool-8`,
    ];
    // each agent twice, the second time a new string with the same text (as every parsed record brings)
    const records = [...agents, ...agents.map((a) => JSON.parse(JSON.stringify(a)) as string)].map((userAgent, i) => ({ ...base, eventID: `e${i}`, eventSource: 'sts.amazonaws.com', userAgent }));

    // Act
    const indexed = evaluate({ plan: planRules([rule]) }, records, { maxFindingsPerRule: 1000 });
    const everything = evaluate({ plan: planRules([rule], { indexed: false }) }, records, { maxFindingsPerRule: 1000 });

    // Assess
    expect(indexed.length).toBe(2 * (9 + 1));
    expect(indexed).toEqual(everything);
  });
});
