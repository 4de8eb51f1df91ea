import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverlessSync } from './serverless-cli';

/** Set by test/global-setup.js: one folder per jest run where packaged templates are kept. */
export const TEMPLATE_CACHE_ENV = 'TRAILWATCH_TEMPLATE_CACHE';

/**
 * `serverless package` offline with the given `--param`s, and the CloudFormation template it
 * produced: the deployable artefact, not serverless.yml, is what the tests judge.
 *
 * Packaging takes seconds, and several suites ask for the same parameters, so within one
 * jest run each parameter list is packaged once (in its own copy of the service, see
 * serverless-cli.ts) and its template kept; a worker asking for a list another worker is
 * packaging waits for that one. Outside jest's global set-up every call packages.
 */
export function packageTemplate<T>(...params: string[]): T {
  const cacheDir = process.env[TEMPLATE_CACHE_ENV];
  const text = cacheDir ? once(path.join(cacheDir, `${hash(params)}.json`), () => packaged(params)) : packaged(params);
  return JSON.parse(text) as T;
}

function packaged(params: readonly string[]): string {
  let template: string | undefined;
  const run = serverlessSync(['package', ...params.map((p) => `--param=${p}`)], {
    collect: (dir) => (template = readFileSync(path.join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')),
  });
  if (run.code !== 0 || template === undefined) {
    throw new Error(`serverless package ${params.join(' ')} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return template;
}

function hash(params: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 32);
}

/**
 * The content of `file`, made by `make` if no one has made it yet. A lock folder (mkdir is
 * atomic) holding the maker's pid keeps two workers from making the same file; a lock whose
 * maker died is taken over.
 */
function once(file: string, make: () => string): string {
  const lock = `${file}.lock`;
  for (;;) {
    const done = readIfThere(file);
    if (done !== undefined) return done;
    try {
      mkdirSync(lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (makerGone(lock)) rmSync(lock, { recursive: true, force: true });
      else sleep(100);
      continue;
    }
    try {
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      const raced = readIfThere(file);
      if (raced !== undefined) return raced;
      const text = make();
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, file);
      return text;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function makerGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // created but no pid yet: gone only if it stays that way (its maker died in between)
    try {
      return Date.now() - statSync(lock).mtimeMs > 10_000;
    } catch {
      return false; // released meanwhile
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Blocks this worker (it has nothing else to do while another packages its template). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
