import { stringify } from 'yaml';
import { buildRulePack, type RulePack } from '../lib/rules';
import { sigmaRuleFormat } from '../lib/rules/sigma';

/**
 * A finding storm's rule pack: `count` Sigma rules that each match every record from
 * ec2.amazonaws.com, rule `i` at the level `levelOf(i)` gives.
 */
export function sigmaStormPack(count: number, levelOf: (i: number) => string): RulePack {
  return buildRulePack(
    Array.from({ length: count }, (_, i) => ({
      file: `sigma/storm-${i}.yml`,
      text: stringify({
        title: `Storm rule ${i}`,
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        logsource: { product: 'aws', service: 'cloudtrail' },
        detection: { selection: { eventSource: 'ec2.amazonaws.com' }, condition: 'selection' },
        level: levelOf(i),
      }),
    })),
    { formats: [sigmaRuleFormat] },
  );
}
