import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { bundledRuleDirectory, checkWithoutTestCases, precompileRuleDirectory, precompileRuleFile } from '../../../build/builtin-rules';
import plugins from '../../../build/esbuild-plugins';
import type { PrecompiledRuleFile } from '../../../lib/rules/builtin-pack';
import { rulePackOptionsFromEnv } from '../../../lib/rules/config';
import { loadRulePack, type RulePack } from '../../../lib/rules/load';
import { RuleFileWithoutTestCasesSchema } from '../../../lib/rules/schema';
import { sigmaRuleFormat } from '../../../lib/rules/sigma';
import { runRuleTests } from '../../../lib/rules/test-runner';
import { BUILTIN_DIR } from './helpers';

/**
 * The function's bundle carries the built-in pack parsed at build time (issue 15: YAML
 * parsing was most of a cold start). The pack built from that data must be the pack loaded
 * from the YAML files: same entries, same rules, same test results.
 */

/** A pack as plain data: functions by name only, sets as sorted arrays. */
function snapshot(pack: RulePack): unknown {
  return JSON.parse(
    JSON.stringify({ entries: pack.entries, refused: pack.refused, rules: pack.rules }, (_key, value: unknown) => {
      if (typeof value === 'function') return `[function]`;
      if (value instanceof Set) return [...(value as Set<string>)].sort();
      return value;
    }),
  );
}

const OPTIONS = { builtinDir: BUILTIN_DIR, disabled: ['root-account-usage'], params: { ALLOWED_REGIONS: ['eu-west-1'] }, formats: [sigmaRuleFormat] };

describe('the built-in pack parsed at build time', () => {
  let fromYaml: RulePack;
  let precompiled: PrecompiledRuleFile[];
  let fromData: RulePack;

  beforeAll(async () => {
    fromYaml = await loadRulePack(OPTIONS);
    precompiled = precompileRuleDirectory(BUILTIN_DIR);
    fromData = await loadRulePack({ ...OPTIONS, builtin: precompiled });
  });

  it('holds every built-in file as its parsed document', () => {
    expect(precompiled.length).toBe(fromYaml.entries.length);
    expect(precompiled.every((f) => f.doc !== undefined && f.text === undefined)).toBe(true);
  });

  it('gives the same pack as the YAML files: entries, files, rules, plan', () => {
    expect(snapshot(fromData)).toEqual(snapshot(fromYaml));
    const ids = (pack: RulePack, name: string): string[] => pack.plan.candidates(name).map((r) => r.rule.id);
    expect(fromData.plan.always.map((r) => r.rule.id)).toEqual(fromYaml.plan.always.map((r) => r.rule.id));
    for (const name of ['ConsoleLogin', 'StopLogging', 'PutBucketPolicy', 'RunInstances', 'GetObject']) expect(ids(fromData, name)).toEqual(ids(fromYaml, name));
  });

  it('gives the same results on every rule test', () => {
    const results = runRuleTests(fromData);
    expect(results).toEqual(runRuleTests(fromYaml));
    expect(results.every((r) => r.status === 'pass')).toBe(true);
  });

  it('gives the same pack without the test cases, checked at build time, as the bundle carries it: same entries but their tests, same rules', async () => {
    // Prepare
    const withoutTestCases = bundledRuleDirectory(BUILTIN_DIR);

    // Act
    const pack = await loadRulePack({ ...OPTIONS, builtin: withoutTestCases });

    // Assess: only the tests are gone (the function never runs them)
    const withoutTests = (p: RulePack): unknown => snapshot({ ...p, entries: p.entries.map(({ tests: _tests, ...entry }) => entry) });
    expect(withoutTestCases.filter((f) => f.doc !== undefined).every((f) => f.testCases === false && !JSON.stringify(f.doc).includes('"noMatch"'))).toBe(true);
    expect(withoutTestCases.every((f) => f.checked === true && RuleFileWithoutTestCasesSchema.safeParse(f.doc).success)).toBe(true);
    expect(pack.entries.every((e) => e.tests === undefined)).toBe(true);
    expect(withoutTests(pack)).toEqual(withoutTests(fromYaml));
    expect(pack.plan.always.map((r) => r.rule.id)).toEqual(fromYaml.plan.always.map((r) => r.rule.id));
  });

  it('is used in the bundle, and BUILTIN_RULES_DIR still names a directory to read instead', () => {
    const options = rulePackOptionsFromEnv({ BUILTIN_RULES_DIR: BUILTIN_DIR });
    expect(options.builtin).toBeUndefined();
    // in source (tests, CLI) there is no build step: the directory is read
    expect(rulePackOptionsFromEnv({}).builtin).toBeUndefined();
  });
});

describe('loadRulePack with a precompiled pack', () => {
  it('parses the files kept as text as it parses files read from a directory', async () => {
    const asText = precompileRuleDirectory(BUILTIN_DIR).map(({ name }, i) => (i % 2 === 0 ? { name, text: readFileSync(path.join(BUILTIN_DIR, name), 'utf8') } : precompileRuleFile(name, readFileSync(path.join(BUILTIN_DIR, name), 'utf8'))));
    expect(snapshot(await loadRulePack({ ...OPTIONS, builtin: asText }))).toEqual(snapshot(await loadRulePack(OPTIONS)));
  });

  it('refuses a document its format must read as text when the text is missing', async () => {
    const sigma = { title: 't', logsource: { product: 'aws', service: 'cloudtrail' }, detection: { sel: { eventName: 'A' }, condition: 'sel' } };
    await expect(loadRulePack({ ...OPTIONS, builtin: [{ name: 's.yml', doc: sigma }] })).rejects.toMatchObject({ name: 'RuleLoadError', reason: 'InvalidRule', file: path.join(BUILTIN_DIR, 's.yml') });
  });
});

describe('precompileRuleFile', () => {
  const rule = 'id: x\nmatch: \'{ $.eventName = "A" }\'\nseverity: LOW\n';

  it('parses a trailwatch rule to its document', () => {
    expect(precompileRuleFile('x.yaml', rule)).toEqual({ name: 'x.yaml', doc: { id: 'x', match: '{ $.eventName = "A" }', severity: 'LOW' } });
  });

  it.each([
    ['a Sigma rule (its front end reads the text)', 'title: t\nlogsource: { product: aws, service: cloudtrail }\ndetection: { sel: { eventName: A }, condition: sel }\n'],
    ['several documents', `${rule}---\n${rule}`],
    ['invalid YAML', 'id: [x\n'],
    ['a duplicate key', `${rule}id: y\n`],
    ['a value JSON does not carry', `${rule}threshold: { count: .inf }\n`],
    ['no document', ''],
  ])('keeps the text of %s, so the function parses it (and reports it) as before', (_what, text) => {
    expect(precompileRuleFile('x.yaml', text)).toEqual({ name: 'x.yaml', text });
  });
});

describe('a rule file without its test cases (the bundled pack)', () => {
  const rule = [
    'id: x',
    'title: t',
    'severity: LOW',
    'description: d',
    'runbook: r',
    'references: []',
    "match: '{ ${REGIONS} }'",
    'params: { REGIONS: { description: d, each: \'($.awsRegion != "{}")\', join: "&&" } }',
    'tests:',
    '  params: { REGIONS: [eu-west-1] }',
    '  trust: { accounts: ["111122223333"] }',
    '  match: [{ awsRegion: us-east-1 }]',
    '  noMatch: [{ awsRegion: eu-west-1 }]',
    '',
  ].join('\n');

  it('keeps tests.params only, and loads as the rule without its tests', async () => {
    // Act
    const file = precompileRuleFile('x.yaml', rule, { testCases: false });
    const pack = await loadRulePack({ builtinDir: BUILTIN_DIR, builtin: [file], params: { REGIONS: ['eu-west-1'] } });

    // Assess
    expect(file).toMatchObject({ testCases: false, doc: { tests: { params: { REGIONS: ['eu-west-1'] } } } });
    expect(Object.keys((file.doc as { tests: object }).tests)).toEqual(['params']);
    expect(pack.entries.map((e) => [e.id, e.status, 'tests' in e])).toEqual([['x', 'active', false]]);
    expect(pack.rules[0]!.test({ awsRegion: 'us-east-1' })).toBe(true);
    expect(pack.rules[0]!.test({ awsRegion: 'eu-west-1' })).toBe(false);
  });

  it('still checks the parameter declarations against tests.params', async () => {
    const file = precompileRuleFile('x.yaml', rule.replace(/ {2}params: .*\n/, ''), { testCases: false });
    await expect(loadRulePack({ builtinDir: BUILTIN_DIR, builtin: [file] })).rejects.toMatchObject({ reason: 'InvalidRuleParam', message: expect.stringContaining('tests.params must give it values') });
  });

  it('is checked against the schema at build time: marked when it passes, kept as text when not', async () => {
    // Act
    const checked = precompileRuleFile('x.yaml', rule, { testCases: false, check: checkWithoutTestCases });
    const badText = rule.replace('severity: LOW', 'severity: SEVERE');
    const refused = precompileRuleFile('x.yaml', badText, { testCases: false, check: checkWithoutTestCases });

    // Assess: the refused file reaches the function as text, which refuses it at start-up as before
    expect(checked).toMatchObject({ testCases: false, checked: true, doc: { id: 'x', tests: { params: { REGIONS: ['eu-west-1'] } } } });
    expect(refused).toEqual({ name: 'x.yaml', text: badText });
    await expect(loadRulePack({ builtinDir: BUILTIN_DIR, builtin: [refused] })).rejects.toMatchObject({ reason: 'InvalidRule', message: expect.stringContaining('severity') });
  });

  it('refuses test cases the build did not drop: the schema stays strict', async () => {
    const file = { ...precompileRuleFile('x.yaml', rule), testCases: false as const };
    await expect(loadRulePack({ builtinDir: BUILTIN_DIR, builtin: [file] })).rejects.toMatchObject({ reason: 'InvalidRule', message: expect.stringContaining('tests') });
  });
});

describe('the esbuild plugin (serverless.yml custom.esbuild.plugins)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-precompiled-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the parsed built-in files into the bundle, and the bundle loads them without reading rules/', async () => {
    // Prepare: a bundle of the rule configuration, as the function's bundle includes it
    const outfile = path.join(dir, 'config.js');
    await build({
      stdin: { contents: "export { rulePackOptionsFromEnv } from './lib/rules/config';", resolveDir: path.resolve(__dirname, '../../..'), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      plugins,
      logLevel: 'silent',
    });

    // Act
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(outfile) as { rulePackOptionsFromEnv: typeof rulePackOptionsFromEnv };
    const options = bundled.rulePackOptionsFromEnv({ LAMBDA_TASK_ROOT: path.join(dir, 'no-such-root') });

    // Assess
    expect(options.builtin).toEqual(bundledRuleDirectory(BUILTIN_DIR));
    const pack = await loadRulePack({ ...options, builtinDir: path.join(dir, 'rules-not-here'), formats: [sigmaRuleFormat] });
    expect(pack.entries.map((e) => e.id)).toEqual((await loadRulePack({ builtinDir: BUILTIN_DIR })).entries.map((e) => e.id));
  });
});
