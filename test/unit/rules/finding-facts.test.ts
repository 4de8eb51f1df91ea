import fc from 'fast-check';
import { stringify } from 'yaml';
import type { CloudTrailRecord } from '../../../lib/cloudtrail/types';
import type { Finding } from '../../../lib/findings';
import { ruleAnalyser } from '../../../lib/rules/engine';
import { findingFacts, findingFromFacts } from '../../../lib/rules/finding';
import { buildRulePack } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { builtinRecord, ruleDoc, trailRecords } from './helpers';
import { findingFor } from './reference-finding';

fc.configureGlobal({ seed: 20261204 });

/**
 * The engine keeps what a finding reads from its first record, not the record (issue 15:
 * peak memory with rules on): the findings must not change.
 */
const OBJECT = { bucket: 'trail-bucket', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/f.json.gz' };
const RULE = { id: 'r', title: 't', severity: 'HIGH', source: 'rule', description: 'd', references: [], file: 'r.yaml', expression: '', test: () => true } as CompiledRule;
const FACTS = { count: 1, dedupKey: 'r:x' };

/** Values of every kind where the finding reads strings. */
const anyValue = fc.oneof(fc.string(), fc.constant(''), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
const identity = fc.record(
  {
    type: anyValue,
    arn: anyValue,
    userName: anyValue,
    invokedBy: anyValue,
    accountId: anyValue,
    principalId: anyValue,
    sessionContext: fc.oneof(anyValue, fc.record({ sessionIssuer: fc.oneof(anyValue, fc.record({ userName: anyValue, arn: anyValue }, { requiredKeys: [] })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const record = fc.oneof(
  fc.record(
    {
      eventID: anyValue,
      eventTime: anyValue,
      eventName: anyValue,
      eventSource: anyValue,
      recipientAccountId: anyValue,
      awsRegion: anyValue,
      sourceIPAddress: anyValue,
      userAgent: anyValue,
      errorCode: anyValue,
      requestParameters: anyValue,
      userIdentity: fc.oneof(identity, anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

describe('findingFacts', () => {
  it('gives the finding the whole record gives, for any record shape', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(JSON.stringify(findingFromFacts(RULE, findingFacts(r), OBJECT, FACTS))).toBe(JSON.stringify(findingFor(RULE, r, OBJECT, FACTS)));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same finding on real records from the built-in rules’ tests', () => {
    for (const id of ['root-console-login', 'iam-access-key-created', 'security-group-ingress-open-to-internet', 'unauthorized-api-calls']) {
      const r = builtinRecord(id, 'match');
      expect(JSON.stringify(findingFromFacts(RULE, findingFacts(r), OBJECT, FACTS))).toBe(JSON.stringify(findingFor(RULE, r, OBJECT, FACTS)));
    }
  });

  it('keeps none of the record’s other fields', () => {
    const r = builtinRecord('security-group-ingress-open-to-internet', 'match');
    expect(Object.keys(findingFacts(r) ?? {}).sort()).not.toContain('requestParameters');
    expect(JSON.stringify(findingFacts(r)).length).toBeLessThan(JSON.stringify(r).length);
  });
});

describe('ruleAnalyser', () => {
  it('keeps a copy of what the finding reads, not the records it observed', () => {
    // Prepare: a threshold rule keeps its groups (and their first record) until the file ends
    const pack = buildRulePack([
      { file: 'rules/r.yaml', text: stringify(ruleDoc('r', { match: '{ $.eventName = "ConsoleLogin" }', threshold: { count: 2 } })) },
    ]);
    const first = builtinRecord('root-console-login', 'match');
    const second = { ...builtinRecord('root-console-login', 'match'), eventID: 'second' };
    const analyser = ruleAnalyser(pack, OBJECT);
    analyser.observe(trailRecords([first, second] as CloudTrailRecord[]));

    // Act: the records' objects change after they were observed (the pipeline's batch is
    // reused or released; a kept reference would show the change)
    const seen = { sourceIPAddress: first.sourceIPAddress, eventID: first.eventID };
    (first as Record<string, unknown>).sourceIPAddress = '203.0.113.99';
    (first as Record<string, unknown>).eventID = 'changed';
    const [finding] = analyser.finish() as Finding[];

    // Assess
    expect(finding).toMatchObject({ sourceIPAddress: seen.sourceIPAddress, eventID: seen.eventID, count: 2 });
  });
});
