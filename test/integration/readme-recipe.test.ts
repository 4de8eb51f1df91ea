import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { privateServiceCopy } from './serverless-cli';

/**
 * The README's manual `serverless invoke local` recipe, run as written: the first command of
 * the block in one shell (it stays up and prints `export …` lines), the rest in a second shell
 * that has only those lines pasted in, as a reader would. A README edit that breaks the
 * recipe, or a local stack that stops printing what it needs, fails here.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const MARKER = '<!-- recipe: invoke-local';
/**
 * Both shells run in a private copy of the service, so the invocation's esbuild output does
 * not meet another suite's serverless command (see serverless-cli.ts).
 */
let cwd = ROOT;

/** The fenced block after the marker: its command lines, comments dropped. */
function recipe(): { serve: string; rest: string[] } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf(MARKER);
  if (from < 0) throw new Error(`README.md has no ${MARKER} block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))?.[1] ?? '';
  const commands = block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const [serve, ...rest] = commands;
  if (serve === undefined) throw new Error('the recipe block is empty');
  return { serve, rest };
}

/** A shell environment without the test runner's AWS settings: only what the reader pastes counts. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'SLS_TELEMETRY_DISABLED'));
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', command], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // the pretty-printed return value spans several lines
    }
  });
}

describe("the README's serverless invoke local recipe", () => {
  let server: ChildProcess | undefined;
  let serverOut = '';
  let serverClosed: Promise<void> | undefined;
  let closed = false;

  beforeAll(() => {
    cwd = privateServiceCopy();
  });

  afterAll(async () => {
    // the shell, npm, tsx and node share one process group: stop them all, as Ctrl-C does
    if (server?.pid !== undefined && !closed) process.kill(-server.pid, 'SIGINT');
    await serverClosed;
    if (cwd !== ROOT) rmSync(cwd, { recursive: true, force: true });
  }, 60_000);

  it('works as written: the local stack stays up and prints the variables, the invocation forwards the sample', async () => {
    // Prepare: shell 1
    const { serve, rest } = recipe();
    expect(serve).toBe('npm start -- --serve');
    expect(rest.length).toBeGreaterThan(0);
    const started = spawn('bash', ['-c', serve], { cwd, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server = started;
    serverClosed = new Promise((resolve) =>
      started.on('close', () => {
        closed = true;
        resolve();
      }),
    );
    const exports = await new Promise<string[]>((resolve, reject) => {
      const onData = (d: Buffer) => {
        serverOut += d.toString();
        if (/Ctrl-C stops the servers/.test(serverOut)) resolve(serverOut.split('\n').filter((l) => l.startsWith('export ')));
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', (d: Buffer) => (serverOut += d.toString()));
      started.on('close', (code) => reject(new Error(`"${serve}" exited (${code}) before it was up:\n${serverOut}`)));
    });
    expect(exports.map((l) => l.split('=')[0])).toEqual(expect.arrayContaining(['export AWS_ENDPOINT_URL_S3', 'export AWS_ENDPOINT_URL_DYNAMODB', 'export ALERT_TOPIC_ARN']));

    // Act: shell 2, with the printed lines pasted in
    const invocation = await run([...exports, ...rest].join('\n'), cleanEnv());

    // Assess: the function ran clean and forwarded the sample …
    expect({ code: invocation.code, stderr: invocation.code === 0 ? '' : invocation.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = jsonLines(invocation.stdout);
    expect(lines.filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
    const processed = lines.find((l) => l.status === 'processed');
    expect(processed).toMatchObject({ kind: 'log', records: { read: 200, forwarded: 200 } });
    // … into the servers shell 1 runs, which report it when stopped as Ctrl-C stops them
    process.kill(-started.pid!, 'SIGINT');
    await serverClosed;
    expect(serverOut).toMatch(/CloudWatch Logs now holds \(group \/trailwatch\/dev\/cloudtrail\):\n\s+111122223333_CloudTrail_us-east-1\s+200 events/);
    expect(serverOut).toContain('local servers stopped.');
  }, 240_000);
});
