import { buildIngestDeps } from '../../../functions/commons/deps';
import { ConfigError, loadConfig } from '../../../lib/config';
import type { RulePack } from '../../../lib/rules';

/**
 * A run outside Lambda that cannot reach its topics must not process objects as if it had
 * alerted (issue 9, item 3): it is refused, or alerts are explicitly off and left pending.
 */
const pack = { rules: [], entries: [], refused: [] } as unknown as RulePack;
const base = { LOG_GROUP_NAME: '/trailwatch/test', ALERT_TOPIC_NAME: 'trailwatch-dev-alerts', FINDINGS_TOPIC_NAME: 'trailwatch-dev-findings' };

function build(env: Record<string, string>, invokedFunctionArn?: string) {
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
  const metrics = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
  const deps = buildIngestDeps(loadConfig(env), pack, { logger, metrics }, invokedFunctionArn);
  return { deps, warnings };
}

describe('buildIngestDeps: alert channels outside Lambda', () => {
  it('refuses topics that have a name but no ARN and no function ARN to complete it, naming the way out', () => {
    // Act / Assess
    expect(() => build(base)).toThrow(ConfigError);
    expect(() => build(base)).toThrow(/ALERT_TOPIC_ARN.*TRAILWATCH_ALERTS=off/);
  });

  it('with TRAILWATCH_ALERTS=off builds no channel and says findings stay pending', () => {
    // Act
    const { deps, warnings } = build({ ...base, TRAILWATCH_ALERTS: 'off' });

    // Assess
    expect(deps.channels).toEqual([]);
    expect(warnings.join('\n')).toMatch(/alerts are off.*pending/);
  });

  it('builds both channels from explicit ARNs, and from names inside Lambda', () => {
    // Act
    const explicit = build({ ...base, ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:a', FINDINGS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:f' });
    const inLambda = build(base, 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-dev-ingest');

    // Assess
    expect(explicit.deps.channels?.map((c) => c.name)).toEqual(['people', 'machines']);
    expect(inLambda.deps.channels?.map((c) => c.name)).toEqual(['people', 'machines']);
  });

  it('rejects an unknown TRAILWATCH_ALERTS value', () => {
    expect(() => build({ ...base, TRAILWATCH_ALERTS: 'no' })).toThrow(/TRAILWATCH_ALERTS/);
  });
});

describe('buildIngestDeps: the optional outputs (issue 13)', () => {
  const lambda = 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-dev-ingest';

  it('adds the chat, Security Hub and EventBridge channels only when their settings are on', () => {
    // Act
    const off = build({ ...base, CHAT_TOPIC_NAME: 'trailwatch-dev-chat', CHAT_ENABLED: 'false', SECURITY_HUB_ENABLED: 'false', EVENT_BUS_NAME: '' }, lambda);
    const on = build({ ...base, CHAT_TOPIC_NAME: 'trailwatch-dev-chat', CHAT_ENABLED: 'true', SECURITY_HUB_ENABLED: 'true', EVENT_BUS_NAME: 'security-findings' }, lambda);

    // Assess
    expect(off.deps.channels?.map((c) => c.name)).toEqual(['people', 'machines']);
    expect(on.deps.channels?.map((c) => c.name)).toEqual(['people', 'machines', 'chat', 'securityhub', 'eventbridge']);
  });

  it('refuses Security Hub outside Lambda without an account to import into', () => {
    const env = { LOG_GROUP_NAME: '/trailwatch/test', SECURITY_HUB_ENABLED: 'true' };
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(() => build(env)).toThrow(/TRAILWATCH_ACCOUNT_ID/);
    } finally {
      if (region !== undefined) process.env.AWS_REGION = region;
    }
  });
});

