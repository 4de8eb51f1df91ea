import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { list, rulePackOptionsFromEnv } from '../../../lib/rules/config';
import { sigmaRuleFormat } from '../../../lib/rules/sigma';
import { fieldReader, isFieldPath, keyText } from '../../../lib/rules/field-path';

describe('rulePackOptionsFromEnv', () => {
  it('reads the rule directories, disabled ids and allowed Regions, relative to the Lambda task root', () => {
    // Prepare: a task root that holds the packaged rules/
    const taskRoot = mkdtempSync(path.join(tmpdir(), 'task-'));
    mkdirSync(path.join(taskRoot, 'rules'));
    const env = {
      LAMBDA_TASK_ROOT: taskRoot,
      RULES_DIR: 'rules-local, /opt/team-rules',
      DISABLED_RULES: 'vpc-changes,, nacl-changes ',
      ALLOWED_REGIONS: 'eu-west-1,eu-central-1',
    };

    // Act
    const options = rulePackOptionsFromEnv(env);

    // Assess
    expect(options).toEqual({
      builtinDir: path.join(taskRoot, 'rules'),
      userDirs: [path.join(taskRoot, 'rules-local'), '/opt/team-rules'],
      disabled: ['vpc-changes', 'nacl-changes'],
      params: { ALLOWED_REGIONS: ['eu-west-1', 'eu-central-1'] },
      strict: false,
      formats: [sigmaRuleFormat],
    });
  });

  it('falls back to the working directory when the task root has no rules/ (serverless invoke local)', () => {
    const options = rulePackOptionsFromEnv({ LAMBDA_TASK_ROOT: '/nonexistent-task-root', RULES_DIR: 'mine' });
    expect(options.builtinDir).toBe(path.resolve(process.cwd(), 'rules'));
    expect(options.userDirs).toEqual([path.resolve(process.cwd(), 'mine')]);
  });

  it('defaults to the built-in pack only, with no parameters', () => {
    // Prepare
    const env = {};

    // Act
    const options = rulePackOptionsFromEnv(env);

    // Assess
    expect(options).toEqual({ builtinDir: path.resolve('rules'), userDirs: [], disabled: [], params: {}, strict: false, formats: [sigmaRuleFormat] });
  });

  it('splits lists on commas and drops blanks', () => {
    // Prepare, Act, Assess
    expect(list(' a , b,,c ')).toEqual(['a', 'b', 'c']);
    expect(list(undefined)).toEqual([]);
  });
});

describe('field paths', () => {
  const record = {
    sourceIPAddress: '203.0.113.7',
    userIdentity: { arn: 'arn:aws:iam::111122223333:user/alice', sessionContext: null },
    resources: [{ ARN: 'arn:aws:s3:::bucket' }],
    requestParameters: { 'x-amz-acl': ['public-read'], count: 3, flag: false, nested: { a: 1 } },
  };

  it.each<[string, unknown]>([
    ['sourceIPAddress', '203.0.113.7'],
    ['userIdentity.arn', 'arn:aws:iam::111122223333:user/alice'],
    ['resources[0].ARN', 'arn:aws:s3:::bucket'],
    ['requestParameters.x-amz-acl[0]', 'public-read'],
    ['requestParameters.count', 3],
    ['requestParameters.flag', false],
    ['userIdentity.sessionContext', undefined],
    ['userIdentity.sessionContext.sessionIssuer', undefined],
    ['resources[1].ARN', undefined],
    ['resources.ARN', undefined],
    ['sourceIPAddress[0]', undefined],
    ['constructor', undefined],
  ])('%s reads %j', (p, expected) => {
    // Prepare
    const read = fieldReader(p);

    // Act
    const value = read(record);

    // Assess
    expect(value).toEqual(expected);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a[x]', 'a b', 'a[0'])('refuses %j', (p) => {
    // Prepare, Act, Assess
    expect(isFieldPath(p)).toBe(false);
    expect(() => fieldReader(p)).toThrow(RangeError);
  });

  it('turns values into key text', () => {
    // Prepare, Act, Assess
    expect([keyText('x'), keyText(3), keyText(false), keyText({ a: 1 }), keyText(null), keyText(undefined)]).toEqual(['x', '3', 'false', '{"a":1}', undefined, undefined]);
  });

  it('reads the trusted accounts and organizations for where: functions', () => {
    // Prepare
    const env = { TRUSTED_ACCOUNTS: '444455556666, 777788889999', TRUSTED_ORGANIZATIONS: 'o-a1b2c3d4e5' };

    // Act
    const options = rulePackOptionsFromEnv(env);

    // Assess
    expect(options.trust).toEqual({ accounts: ['444455556666', '777788889999'], organizations: ['o-a1b2c3d4e5'] });
  });

  it('is lenient with user rule files unless RULES_STRICT=true', () => {
    // Prepare, Act
    const lenient = rulePackOptionsFromEnv({});
    const strict = rulePackOptionsFromEnv({ RULES_STRICT: 'true' });

    // Assess
    expect([lenient.strict, strict.strict]).toEqual([false, true]);
  });
});
