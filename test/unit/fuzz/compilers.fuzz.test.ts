import { buildRulePack, RuleLoadError } from '../../../lib/rules';
import { compileSigmaText, isSigmaRefusal } from '../../../lib/rules/sigma';
import { cpuTime } from '../../cpu-time';
import { assertProperty } from './fuzz';
import { BILLION_LAUGHS, compilerProperties } from './properties';

/**
 * The rule compilers (CloudWatch filter patterns, Sigma, the rule-file loader) on mutated real
 * rules, and users' regexes on texts that make backtracking engines hang. The generated-pattern
 * properties in test/unit/rules/*\/properties.test.ts stay as they are; these start from the
 * shipped rules and the SigmaHQ fixtures instead.
 */
describe('fuzz: rule compilers and user regexes', () => {
  it.each(compilerProperties().map((p) => [p.name, p]))('%s', async (_name, p) => {
    await assertProperty(p, 200);
  });

  it('a YAML "billion laughs" Sigma rule is refused quickly, not expanded', () => {
    // Prepare
    const text = ['title: bomb', 'logsource: {product: aws, service: cloudtrail}', BILLION_LAUGHS, 'detection:', '  selection: {eventName: *l9}', '  condition: selection', 'level: high'].join('\n');

    // Act
    const { result, ms } = cpuTime(() => compileSigmaText(text, 'bomb.yml'));

    // Assess: CPU time, not wall time (a loaded machine must not fail this)
    expect(isSigmaRefusal(result)).toBe(true);
    expect(isSigmaRefusal(result) && result.reason).toMatch(/alias/i);
    expect(ms).toBeLessThan(2000);
  });

  it('a "billion laughs" trailwatch rule file fails to load with a RuleLoadError naming the file', () => {
    // Prepare
    const text = ['id: bomb', 'title: Bomb', 'severity: HIGH', BILLION_LAUGHS, "match: '{ $.eventName = x }'"].join('\n');

    // Act
    const load = () => buildRulePack([{ file: 'rules/bomb.yaml', text }]);

    // Assess
    expect(load).toThrow(RuleLoadError);
    expect(load).toThrow(/alias/i);
  });
});
