import { buildRulePack } from '../../../../lib/rules/load';
import { sigmaRuleFormat } from '../../../../lib/rules/sigma';
import { SERVICE_EVENT_SOURCES } from '../../../../lib/rules/sigma/services';
import { builtinRecord } from '../helpers';

/** TrailAlerts-style rules: `logsource: product: aws, service: <name>` (issue 12 §4). */
const trailAlertsRule = (service: string): string => `title: IAM user created
id: 5f4e8b1c-2f0a-4c3e-9a52-1d6e7c8b9a01
status: experimental
description: A new IAM user was created (TrailAlerts convention).
author: trailwatch tests
logsource:
  product: aws
  service: ${service}
detection:
  selection:
    eventName: CreateUser
  condition: selection
level: medium
`;

function load(service: string) {
  return buildRulePack([{ file: `user/trailalerts/${service}-create-user.yml`, text: trailAlertsRule(service) }], { formats: [sigmaRuleFormat] });
}

describe('Sigma logsource service: <aws service>', () => {
  it('loads service: iam as a CloudTrail rule restricted to iam.amazonaws.com', () => {
    // Prepare
    const iamRecord = builtinRecord('iam-user-created', 'match', 0);
    const elsewhere = { ...iamRecord, eventSource: 'workmail.amazonaws.com' };

    // Act
    const pack = load('iam');
    const rule = pack.rules[0];

    // Assess: the old front end refused every service but cloudtrail
    expect(pack.refused).toEqual([]);
    expect(rule?.test(iamRecord)).toBe(true);
    expect(rule?.test(elsewhere)).toBe(false);
  });

  it('keeps service: cloudtrail unrestricted', () => {
    // Prepare
    const record = { ...builtinRecord('iam-user-created', 'match', 0), eventSource: 'workmail.amazonaws.com' };

    // Act
    const pack = load('cloudtrail');

    // Assess
    expect(pack.rules[0]?.test(record)).toBe(true);
  });

  it('refuses a service outside the table, naming the table', () => {
    // Prepare, Act
    const pack = load('notaservice');

    // Assess
    expect(pack.rules).toEqual([]);
    expect(pack.refused[0]?.reason).toMatch(/service notaservice is not in the service → event source table/);
  });

  it('maps every service to event sources of the form <name>.amazonaws.com', () => {
    // Prepare, Act
    const bad = Object.entries(SERVICE_EVENT_SOURCES).filter(([, sources]) => sources.length === 0 || sources.some((s) => !/^[a-z0-9-]+\.amazonaws\.com$/.test(s)));

    // Assess
    expect(bad).toEqual([]);
  });
});
