import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `serverless package` offline with the given `--param`s, and the CloudFormation template it
 * produced: the deployable artefact, not serverless.yml, is what the tests judge.
 */
export function packageTemplate<T>(...params: string[]): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwatch-pkg-'));
  try {
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--package', dir, ...params.map((p) => `--param=${p}`)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, timeout: 120_000 },
    );
    if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Which resources of a packaged template CloudFormation would create: a resource whose
 * `Condition` evaluates false (e.g. the KMS policy without `kmsKeyArn`) is not deployed, so
 * least-privilege checks must not count it. Evaluates the condition forms serverless.yml
 * uses (Fn::Equals, Fn::Not, Fn::And, Fn::Or on literal values, Condition references);
 * anything else throws, so a new form cannot silently pass.
 */
type Json = Record<string, unknown>;

export function conditionValue(conditions: Json, name: string): boolean {
  const expr = conditions[name];
  if (expr === undefined) throw new Error(`no condition ${name}`);
  return evaluate(conditions, expr);
}

function evaluate(conditions: Json, expr: unknown): boolean {
  const e = expr as Json;
  if ('Fn::Equals' in e) {
    const [a, b] = e['Fn::Equals'] as unknown[];
    if (!isLiteral(a) || !isLiteral(b)) throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
    return String(a) === String(b);
  }
  if ('Fn::Not' in e) return !evaluate(conditions, (e['Fn::Not'] as unknown[])[0]);
  if ('Fn::And' in e) return (e['Fn::And'] as unknown[]).every((x) => evaluate(conditions, x));
  if ('Fn::Or' in e) return (e['Fn::Or'] as unknown[]).some((x) => evaluate(conditions, x));
  if ('Condition' in e) return conditionValue(conditions, String(e.Condition));
  throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
}

function isLiteral(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

export function isDeployed(template: { Conditions?: Json }, resource: { Condition?: string }): boolean {
  return resource.Condition === undefined || conditionValue(template.Conditions ?? {}, resource.Condition);
}
