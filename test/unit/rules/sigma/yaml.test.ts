import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RuleLoadError } from '../../../../lib/rules/errors';
import { buildRulePack } from '../../../../lib/rules/load';
import { compileSigmaText, isSigmaRefusal, parseSigmaYaml, sigmaRuleFormat } from '../../../../lib/rules/sigma';

const DIR = path.join(__dirname, '../../../fixtures/sigma/handwritten');
const read = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

describe('parseSigmaYaml', () => {
  it('merges an action: global document into the one rule after it', () => {
    // Act
    const result = compileSigmaText(read('collection-global-one-rule.yml'), 'collection-global-one-rule.yml');

    // Assess
    expect(isSigmaRefusal(result)).toBe(false);
    expect(result).toMatchObject({ id: 'sigma-0f3d5a52-7c1e-4f7e-9a51-3b0b3b7a9c01', title: 'Trail stopped (collection form)', severity: 'HIGH' });
    expect('test' in result && result.test({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' })).toBe(true);
  });

  it.each([
    ['collection-two-rules.yml', 'collection of 2 rules'],
    ['correlation.yml', 'correlation'],
  ])('refuses %s, naming %s', (name, feature) => {
    // Act
    const result = parseSigmaYaml(read(name), name);

    // Assess
    expect(result).toMatchObject({ file: name, format: 'sigma', problem: 'unsupported' });
    expect('reason' in result && result.reason).toContain(feature);
  });

  it('keeps number-like identifiers as written', () => {
    // Prepare
    const result = compileSigmaText(read('account-id-leading-zero.yml'), 'account-id-leading-zero.yml');
    if (isSigmaRefusal(result)) throw new Error(result.reason);

    // Act / Assess
    expect(result.test({ recipientAccountId: '012345678901' })).toBe(true);
    expect(result.test({ recipientAccountId: '12345678901' })).toBe(false);
    expect(result.test({ recipientAccountId: '111122223333' })).toBe(true);
    expect(parseSigmaYaml('a: 0x1F\nb: 123456789012345678901\nc: 42\nd: -7.5\n', 'f')).toEqual({ doc: { a: '0x1F', b: '123456789012345678901', c: 42, d: -7.5 } });
  });

  it.each([
    ['', 'empty'],
    ['a: [1\n', 'YAML'],
    ['a: 1\na: 2\n', 'YAML'],
    ['a: 1\n---\nb: 2\n', '2 YAML documents'],
    ['action: global\n---\naction: reset\n', 'action: "reset"'],
  ])('refuses %j (%s)', (text, feature) => {
    // Act
    const result = parseSigmaYaml(text, 'f.yml');

    // Assess
    expect('reason' in result && result.reason).toContain(feature);
  });
});

describe('sigmaRuleFormat, the loader hook', () => {
  const rule = (condition: string) => `title: T\nid: 7e1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventName: StopLogging\n  condition: ${condition}\n`;

  it('recognises Sigma documents and leaves trailwatch rules alone', () => {
    expect(sigmaRuleFormat.recognises({ logsource: {}, detection: {} })).toBe(true);
    expect(sigmaRuleFormat.recognises({ title: 'x', correlation: {} })).toBe(true);
    expect(sigmaRuleFormat.recognises({ id: 'x', match: '{ $.a = 1 }', detection: {} })).toBe(false);
    expect(sigmaRuleFormat.recognises(['x'])).toBe(false);
    expect(sigmaRuleFormat.recognises(null)).toBe(false);
  });

  it('gives the rule, refuses what it cannot evaluate, and fails loading on a broken rule', () => {
    // Act
    const ok = sigmaRuleFormat.compileText(rule('selection'), 'ok.yml');
    const unsupported = sigmaRuleFormat.compileText(rule('selection | count() > 3'), 'agg.yml');
    const broken = () => buildRulePack([{ file: 'broken.yml', text: rule('selection and filter') }], { formats: [sigmaRuleFormat] });

    // Assess
    expect('rule' in ok && ok.rule.id).toBe('sigma-7e1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b');
    expect('refused' in unsupported && unsupported.refused).toContain('aggregation');
    expect(broken).toThrow(RuleLoadError);
    expect(broken).toThrow(/broken\.yml: invalid Sigma rule: condition .* names filter/);
  });

  it('shares the rule id namespace: the same Sigma id twice is a duplicate', () => {
    // Act
    const load = () => buildRulePack([{ file: 'a.yml', text: rule('selection') }, { file: 'b.yml', text: rule('selection') }], { formats: [sigmaRuleFormat] });

    // Assess
    expect(load).toThrow(/already used by a\.yml/);
  });
});
