import { gzipSync } from 'node:zlib';
import { assertProperty } from './fuzz';
import { deliver, fullRulePack, nested, pipelineProperties, prototypeSnapshot } from './properties';

/**
 * Crafted log content through the whole per-object pipeline: every rule of the built-in
 * pack and the SigmaHQ fixtures, the findings, and both notification formats.
 */
describe('fuzz: hostile records through rules, findings and notifications', () => {
  const pack = fullRulePack();

  it.each(pipelineProperties(pack).map((p) => [p.name, p]))('%s', async (_name, p) => {
    await assertProperty(p, 60);
  });

  it('records made of __proto__ and constructor keys that match rules leave Object.prototype untouched and alert with the keys as data', async () => {
    // Prepare: a root call and a StopLogging whose fields carry pollution payloads
    const records = [
      '{"eventVersion":"1.11","eventTime":"2026-11-24T09:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventType":"AwsApiCall","eventID":"p1","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","__proto__":{"polluted":"yes"}},"requestParameters":{"constructor":{"prototype":{"polluted":"yes"}},"__proto__":{"toString":"x"}},"__proto__":{"isAdmin":true}}',
      '{"eventVersion":"1.11","eventTime":"2026-11-24T09:00:01Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsApiCall","eventID":"p2","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"constructor":{"name":"x"}}',
    ];
    const before = prototypeSnapshot();

    // Act
    const { report, sink } = await deliver(gzipSync(`{"Records":[${records.join(',')}]}`), pack);

    // Assess
    expect(report.status).toBe('processed');
    expect(sink.messages).toEqual(records);
    expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['cloudtrail-disabled', 'root-account-usage']));
    expect(prototypeSnapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a 100,000-level nested value in a field a rule reads and in the finding it makes: processed, alerted, notification built', async () => {
    // Prepare: userIdentity.arn (read into the finding's principal) nested 100,000 deep
    const record = `{"eventTime":"2026-11-24T09:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventType":"AwsApiCall","eventID":"deep","userIdentity":{"type":"Root","arn":${nested(100_000, 'object')}}}`;

    // Act
    const { report } = await deliver(gzipSync(`{"Records":[${record}]}`), pack);

    // Assess
    expect(report.status).toBe('processed');
    expect(report.findings.map((f) => f.ruleId)).toContain('cloudtrail-disabled');
  });
});
