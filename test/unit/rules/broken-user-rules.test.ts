import { stringify } from 'yaml';
import { RuleLoadError } from '../../../lib/rules/errors';
import { buildRulePack, loadRulePack, type RuleDocument } from '../../../lib/rules/load';
import { sigmaRuleFormat } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, ruleDoc, tempDir } from './helpers';

/** Issue 12 §4: a malformed user rule must not stop the whole pack unless strict. */
const good = (id: string, builtin = false): RuleDocument => ({ file: `${builtin ? 'rules' : 'user'}/${id}.yaml`, text: stringify(ruleDoc(id)), builtin });
const badPattern: RuleDocument = { file: 'user/typo.yaml', text: stringify(ruleDoc('typo', { match: '{ ($.eventName = "ConsoleLogin" }' })) };
const badSigma: RuleDocument = { file: 'user/sigma-no-title.yml', text: 'logsource: { product: aws, service: iam }\ndetection: { sel: { eventName: CreateUser }, condition: sel }\n' };

describe('broken user rule files', () => {
  it('skips them when not strict, listing file and reason, and keeps every other rule', () => {
    // Prepare
    const documents = [good('builtin-one', true), badPattern, badSigma, good('user-one')];

    // Act
    const pack = buildRulePack(documents, { strict: false, formats: [sigmaRuleFormat] });

    // Assess
    expect(pack.rules.map((r) => r.id)).toEqual(['builtin-one', 'user-one']);
    expect(pack.broken.map((b) => [b.file, b.reason])).toEqual([
      ['user/typo.yaml', 'InvalidPattern'],
      ['user/sigma-no-title.yml', 'InvalidRule'],
    ]);
  });

  it('skips a user rule that reuses a built-in id, keeping the built-in one', () => {
    // Prepare
    const documents = [good('shared-id', true), { ...good('shared-id'), file: 'user/shared-id.yaml' }];

    // Act
    const pack = buildRulePack(documents, { strict: false });

    // Assess
    expect(pack.rules.map((r) => r.file)).toEqual(['rules/shared-id.yaml']);
    expect(pack.broken.map((b) => b.reason)).toEqual(['DuplicateRuleId']);
  });

  it('fails loading in strict mode (the default of buildRulePack / loadRulePack)', () => {
    // Prepare, Act
    const load = (): unknown => buildRulePack([good('builtin-one', true), badPattern]);

    // Assess
    expect(load).toThrow(RuleLoadError);
  });

  it('keeps the built-in pack strict', () => {
    // Prepare
    const brokenBuiltin = { ...badPattern, file: 'rules/typo.yaml', builtin: true };

    // Act
    const load = (): unknown => buildRulePack([brokenBuiltin], { strict: false });

    // Assess
    expect(load).toThrow(expect.objectContaining({ reason: 'InvalidPattern', file: 'rules/typo.yaml' }) as Error);
  });

  it('keeps configuration errors fatal: a disabled id that names no rule', () => {
    // Prepare, Act
    const load = (): unknown => buildRulePack([badPattern], { strict: false, disabled: ['typo'] });

    // Assess
    expect(load).toThrow(expect.objectContaining({ reason: 'UnknownDisabledRule' }) as Error);
  });

  it('loads the built-in directory and a user directory with a broken file', async () => {
    // Prepare
    const temp = tempDir();
    const file = temp.write('team/typo.yaml', badPattern.text);

    // Act
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [temp.dir], strict: false }).finally(temp.cleanup);

    // Assess
    expect(pack.broken.map((b) => b.file)).toEqual([file]);
    expect(pack.rules.length).toBeGreaterThan(60);
  });
});
