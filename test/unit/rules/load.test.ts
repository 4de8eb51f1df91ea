import * as yaml from 'yaml';
import { stringify } from 'yaml';
import { RuleLoadError, type RuleLoadErrorReason } from '../../../lib/rules/errors';
import { buildRulePack, loadRulePack, type RuleDocument, type RuleFormat } from '../../../lib/rules/load';
import type { CompiledRule } from '../../../lib/rules/rule';
import { sigmaRuleFormat } from '../../../lib/rules/sigma';
import { BUILTIN_DIR, builtinRecord, ruleDoc, tempDir } from './helpers';

// Calls through to the real parser; counted by the loading-cost test.
jest.mock('yaml', () => {
  const actual = jest.requireActual<typeof import('yaml')>('yaml');
  return { ...actual, parseAllDocuments: jest.fn(actual.parseAllDocuments) };
});

function doc(id: string, overrides: Record<string, unknown> = {}, file = `user/${id}.yaml`): RuleDocument {
  return { file, text: stringify(ruleDoc(id, overrides)) };
}

function loadError(documents: RuleDocument[], options: Parameters<typeof buildRulePack>[1] = {}): RuleLoadError {
  try {
    buildRulePack(documents, options);
  } catch (err) {
    if (err instanceof RuleLoadError) return err;
    throw err;
  }
  throw new Error('expected a RuleLoadError');
}

describe('buildRulePack', () => {
  it('compiles a valid rule file into an active rule with its metadata', () => {
    // Prepare
    const documents = [doc('root-signin')];

    // Act
    const pack = buildRulePack(documents);

    // Assess
    expect(pack.rules.map((r) => r.id)).toEqual(['root-signin']);
    const rule = pack.rules[0]!;
    expect(rule).toMatchObject({ severity: 'HIGH', source: 'rule', file: 'user/root-signin.yaml', references: ['CIS AWS Foundations 1.4.0 4.3'] });
    expect(rule.test(builtinRecord('root-console-login', 'match'))).toBe(true);
    expect(rule.test(builtinRecord('root-console-login', 'noMatch', 1))).toBe(false);
    expect([...(rule.eventNames ?? [])]).toEqual(['ConsoleLogin']);
  });

  it.each<[string, string, RuleLoadErrorReason, RegExp]>([
    ['not YAML', 'id: [unclosed', 'InvalidYaml', /broken\.yaml: .+/],
    ['two documents', `${stringify(ruleDoc('broken'))}---\n${stringify(ruleDoc('broken'))}`, 'InvalidYaml', /one rule per file: found 2/],
    ['an empty file', '', 'InvalidYaml', /empty/],
    ['a YAML list', '- a\n- b\n', 'InvalidRule', /expected object/],
    ['a misspelt key', stringify({ ...ruleDoc('broken'), treshold: { count: 2 } }), 'InvalidRule', /Unrecognized key: "treshold"/],
    ['an unknown severity', stringify(ruleDoc('broken', { severity: 'SEVERE' })), 'InvalidRule', /severity/],
    ['no noMatch test', stringify(ruleDoc('broken', { tests: { match: [builtinRecord('root-console-login', 'match')], noMatch: [] } })), 'InvalidRule', /tests\.noMatch: at least one test case that must not match/],
    ['a bad groupBy path', stringify(ruleDoc('broken', { threshold: { count: 3, groupBy: 'a..b' } })), 'InvalidRule', /threshold\.groupBy: must be a dotted field path/],
    ['a threshold of 0', stringify(ruleDoc('broken', { threshold: { count: 0 } })), 'InvalidRule', /threshold\.count/],
    ['a pattern CloudWatch refuses', stringify(ruleDoc('broken', { match: '{ $.eventName == "ConsoleLogin" }' })), 'InvalidPattern', /InvalidOperator.*position 14/],
  ])('refuses %s with the file name and the reason', (_what, text, reason, message) => {
    // Prepare
    const documents = [{ file: 'user/broken.yaml', text }];

    // Act
    const err = loadError(documents);

    // Assess
    expect(err.reason).toBe(reason);
    expect(err.file).toBe('user/broken.yaml');
    expect(err.message).toMatch(/^user\/broken\.yaml: /);
    expect(err.message).toMatch(message);
  });

  it('gives the position of a pattern error', () => {
    // Prepare
    const pattern = '{ ($.eventName = Ev*ent) }';
    const documents = [doc('bad-pattern', { match: pattern })];

    // Act
    const err = loadError(documents);

    // Assess
    expect(err.reason).toBe('InvalidPattern');
    expect(err.position).toBe(pattern.indexOf('*'));
    expect(err.message).toContain('UnsupportedWildcard');
  });

  it('refuses an id that differs from the file name', () => {
    // Prepare
    const documents = [doc('root-signin', {}, 'user/root-sign-in.yaml')];

    // Act
    const err = loadError(documents);

    // Assess
    expect(err.reason).toBe('RuleIdMismatch');
    expect(err.message).toContain('"root-signin" differs from the file name "root-sign-in"');
  });

  it('refuses two rules with one id, naming both files', () => {
    // Prepare
    const documents = [doc('root-signin', {}, 'builtin/root-signin.yaml'), doc('root-signin', {}, 'user/root-signin.yml')];

    // Act
    const err = loadError(documents);

    // Assess
    expect(err.reason).toBe('DuplicateRuleId');
    expect(err.file).toBe('user/root-signin.yml');
    expect(err.message).toContain('already used by builtin/root-signin.yaml');
  });

  it('keeps a disabled rule out of evaluation but in the catalogue', () => {
    // Prepare
    const documents = [doc('root-signin'), doc('off-in-file', { enabled: false })];

    // Act
    const pack = buildRulePack(documents, { disabled: ['root-signin'] });

    // Assess
    expect(pack.rules).toEqual([]);
    expect(pack.entries.map((e) => [e.id, e.status, e.statusReason])).toEqual([
      ['root-signin', 'disabled', 'disabled by configuration'],
      ['off-in-file', 'disabled', 'enabled: false in the rule file'],
    ]);
  });

  it('refuses to disable an id that names no rule, so a typo never leaves a rule on', () => {
    // Prepare
    const documents = [doc('root-signin')];

    // Act
    const err = loadError(documents, { disabled: ['root-sigin'] });

    // Assess
    expect(err.reason).toBe('UnknownDisabledRule');
    expect(err.message).toContain('"root-sigin"');
  });

  describe('parameters', () => {
    const params = {
      ALLOWED_REGIONS: { description: 'Regions in use.', each: '($.awsRegion != "{}")', join: '&&' },
    };
    const regional = (overrides: Record<string, unknown> = {}) =>
      doc('launch-elsewhere', {
        params,
        match: '{ ($.eventName = "ConsoleLogin") && ${ALLOWED_REGIONS} }',
        tests: {
          params: { ALLOWED_REGIONS: ['eu-west-1'] },
          match: [builtinRecord('root-console-login', 'match')],
          noMatch: [{ ...builtinRecord('root-console-login', 'match'), awsRegion: 'eu-west-1' }],
        },
        ...overrides,
      });

    it('leaves a rule inactive until its parameter is configured', () => {
      // Prepare
      const documents = [regional()];

      // Act
      const pack = buildRulePack(documents);

      // Assess
      expect(pack.rules).toEqual([]);
      expect(pack.entries[0]).toMatchObject({ status: 'inactive', statusReason: expect.stringContaining('ALLOWED_REGIONS has no value') });
      expect(pack.entries[0]?.tests?.rule.expression).toBe('{ ($.eventName = "ConsoleLogin") && (($.awsRegion != "eu-west-1")) }');
    });

    it('expands configured values into one clause each', () => {
      // Prepare
      const documents = [regional()];
      const inUsEast1 = builtinRecord('root-console-login', 'match');

      // Act
      const pack = buildRulePack(documents, { params: { ALLOWED_REGIONS: ['us-east-1', 'eu-west-1'] } });

      // Assess
      const rule = pack.rules[0]!;
      expect(rule.expression).toBe('{ ($.eventName = "ConsoleLogin") && (($.awsRegion != "us-east-1") && ($.awsRegion != "eu-west-1")) }');
      expect(rule.test(inUsEast1)).toBe(false);
      expect(rule.test({ ...inUsEast1, awsRegion: 'ap-south-2' })).toBe(true);
    });

    it('uses the default when nothing is configured', () => {
      // Prepare
      const documents = [regional({ params: { ALLOWED_REGIONS: { ...params.ALLOWED_REGIONS, default: ['us-east-1'] } } })];

      // Act
      const pack = buildRulePack(documents);

      // Assess
      expect(pack.rules[0]?.expression).toContain('($.awsRegion != "us-east-1")');
    });

    it.each([
      ['an undeclared parameter', { match: '{ ($.eventName = "ConsoleLogin") && ${ALLOWED_REGION} }' }, /uses \$\{ALLOWED_REGION\}, which params does not declare/],
      ['an unused parameter', { match: '{ ($.eventName = "ConsoleLogin") }' }, /declares ALLOWED_REGIONS, which match does not use/],
      ['no test values and no default', { tests: { match: [builtinRecord('root-console-login', 'match')], noMatch: [builtinRecord('root-console-login', 'noMatch')] } }, /tests\.params must give it values/],
    ])('refuses %s', (_what, overrides, message) => {
      // Prepare
      const documents = [regional(overrides)];

      // Act
      const err = loadError(documents);

      // Assess
      expect(err.reason).toBe('InvalidRuleParam');
      expect(err.message).toMatch(message);
    });

    it('refuses a configured value that would change the pattern', () => {
      // Prepare
      const documents = [regional()];

      // Act
      const err = loadError(documents, { params: { ALLOWED_REGIONS: ['us-east-1") || ($.a = "b'] } });

      // Assess
      expect(err.reason).toBe('InvalidRuleParam');
      expect(err.message).toContain('configured value ALLOWED_REGIONS');
    });

    it('refuses an expansion past the pattern length limit with the pattern error', () => {
      // Prepare
      const documents = [regional()];
      const many = Array.from({ length: 60 }, (_, i) => `xx-region-${i}`);

      // Act
      const err = loadError(documents, { params: { ALLOWED_REGIONS: many } });

      // Assess
      expect(err.reason).toBe('InvalidPattern');
      expect(err.message).toMatch(/after parameter expansion.*PatternTooLong/);
    });
  });

  describe('other formats', () => {
    const sigma = { title: 'AWS root login', logsource: { product: 'aws', service: 'cloudtrail' }, detection: { selection: { eventName: 'ConsoleLogin' }, condition: 'selection' } };

    it('reports a Sigma rule as refused while no Sigma front end is loaded', () => {
      // Prepare
      const documents = [{ file: 'user/sigma.yml', text: stringify(sigma) }, doc('root-signin')];

      // Act
      const pack = buildRulePack(documents);

      // Assess
      expect(pack.refused).toEqual([{ file: 'user/sigma.yml', format: 'sigma', reason: expect.stringContaining('front end') }]);
      expect(pack.rules.map((r) => r.id)).toEqual(['root-signin']);
    });

    it('hands recognised documents to a front end and evaluates its rules like any other', () => {
      // Prepare
      const compiled: CompiledRule = {
        id: 'sigma-root-login',
        title: 'AWS root login',
        severity: 'HIGH',
        source: 'sigma',
        description: 'd',
        references: [],
        file: 'user/sigma.yml',
        expression: 'selection',
        test: (r) => (r as { eventName?: unknown }).eventName === 'ConsoleLogin',
      };
      const format: RuleFormat = {
        name: 'sigma',
        recognises: (d) => typeof d === 'object' && d !== null && 'logsource' in d,
        compile: (d) => ((d as { title: string }).title === 'AWS root login' ? { rule: compiled } : { refused: 'modifier |fieldref is not supported' }),
      };
      const documents = [
        { file: 'user/sigma.yml', text: stringify(sigma) },
        { file: 'user/other.yml', text: stringify({ ...sigma, title: 'other' }) },
      ];

      // Act
      const pack = buildRulePack(documents, { formats: [format] });

      // Assess
      expect(pack.rules).toEqual([compiled]);
      expect(pack.entries[0]).toMatchObject({ id: 'sigma-root-login', format: 'sigma', status: 'active' });
      expect(pack.refused).toEqual([{ file: 'user/other.yml', format: 'sigma', reason: 'modifier |fieldref is not supported' }]);
    });
  });
});

describe('loading cost', () => {
  it('parses each trailwatch rule file once with the Sigma front end on (as the Lambda loads them)', async () => {
    // Prepare: YAML parsing is most of the cold start's rule loading
    const parse = jest.mocked(yaml.parseAllDocuments);
    parse.mockClear();

    // Act
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, formats: [sigmaRuleFormat], params: { ALLOWED_REGIONS: ['us-east-1'] } });

    // Assess: the same pack, one parse per file
    expect(pack.entries.length).toBeGreaterThan(0);
    expect(parse).toHaveBeenCalledTimes(pack.entries.length);
  });
});

describe('loadRulePack', () => {
  it('loads the built-in pack and user directories (recursively), built-in rules first', async () => {
    // Prepare
    const user = tempDir();
    user.write('team-a/root-signin.yaml', ruleDoc('root-signin'));
    user.write('README.md', '# not a rule');

    try {
      // Act
      const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [user.dir], params: { ALLOWED_REGIONS: ['us-east-1'] } });

      // Assess
      const ids = pack.rules.map((r) => r.id);
      expect(ids[ids.length - 1]).toBe('root-signin');
      expect(ids).toContain('root-account-usage');
      expect(pack.entries.every((e) => e.status === 'active')).toBe(true);
    } finally {
      user.cleanup();
    }
  });

  it('fails with the file name and reason when a user rule file is broken', async () => {
    // Prepare
    const user = tempDir();
    const file = user.write('root-signin.yaml', ruleDoc('root-signin', { severity: 'URGENT' }));

    try {
      // Act
      const loading = loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [user.dir] });

      // Assess
      await expect(loading).rejects.toThrow(RuleLoadError);
      await expect(loading).rejects.toMatchObject({ reason: 'InvalidRule', file, message: expect.stringContaining('severity') });
    } finally {
      user.cleanup();
    }
  });

  it('fails when a configured directory does not exist', async () => {
    // Prepare
    const missing = `${BUILTIN_DIR}-does-not-exist`;

    // Act
    const loading = loadRulePack({ builtinDir: BUILTIN_DIR, userDirs: [missing] });

    // Assess
    await expect(loading).rejects.toMatchObject({ reason: 'UnreadableRuleFile', file: missing });
  });
});
