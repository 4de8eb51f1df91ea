import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The serverless CLI (osls) run on the project, each command from its own temporary copy
 * of the service. serverless-esbuild builds in `<service>/.esbuild/` and deletes that
 * folder when it is done, and `serverless package` writes `<service>/.serverless/`: two
 * commands on one folder (jest runs suites in parallel workers; `npm start` uses the same
 * folders) delete each other's build, and `serverless package` then exits 0 without its
 * template. A private copy (source files copied, node_modules linked) shares nothing.
 */
export const ROOT = path.resolve(__dirname, '..', '..');
const SERVERLESS = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

/** Not part of the service: dependencies (linked instead), build output, git, CI's Node. */
const NOT_COPIED = ['node_modules', '.git', '.serverless', '.esbuild', '.ci', '.local', 'coverage', 'bench/out'];

export interface ServerlessRun {
  /** The exit code; null when the process was killed (e.g. by the timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ServerlessOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default 120 s. */
  readonly timeoutMs?: number;
  /** Runs in the service copy after the command, before the copy is deleted (read what it wrote). */
  readonly collect?: (serviceDir: string) => void;
}

function environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    // Node ≥ 22.1 keeps the compiled code of the CLI and its plugins between runs: loading
    // them is most of a command's time. Older versions ignore the variable.
    NODE_COMPILE_CACHE: path.join(ROOT, 'node_modules', '.cache', 'trailwatch-node-compile-cache'),
    ...extra,
  };
}

/** A temporary copy of the service to run one command in; the caller deletes it. */
export function privateServiceCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwatch-sls-'));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(ROOT, source).split(path.sep).join('/');
      return !NOT_COPIED.some((skip) => relative === skip || relative.startsWith(`${skip}/`));
    },
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `serverless <args>`, blocking (for `beforeAll` set-ups that build a fixture). */
export function serverlessSync(args: readonly string[], options: ServerlessOptions = {}): ServerlessRun {
  const dir = privateServiceCopy();
  try {
    const run = spawnSync(process.execPath, [SERVERLESS, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: environment(options.env),
      timeout: options.timeoutMs ?? 120_000,
    });
    if (run.error) throw run.error;
    const result = { code: run.status, stdout: run.stdout, stderr: run.stderr };
    if (result.code === 0) options.collect?.(dir);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `serverless <args>`, without blocking the test's own servers (e.g. `invoke local` against them). */
export async function serverless(args: readonly string[], options: ServerlessOptions = {}): Promise<ServerlessRun> {
  const dir = privateServiceCopy();
  try {
    const result = await new Promise<ServerlessRun>((resolve, reject) => {
      const child = spawn(process.execPath, [SERVERLESS, ...args], { cwd: dir, env: environment(options.env) });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    if (result.code === 0) options.collect?.(dir);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
