#!/usr/bin/env node
/**
 * trailwatch command-line tool: `trailwatch --help`, `trailwatch <command> --help`.
 * The commands are modules in bin/commands/ (listed in bin/commands/index.ts); their logic
 * is in lib/. Built to dist/trailwatch.js (`npm run build:cli`) for the package's `bin`.
 *
 * Exit codes: 0 clean; 1 findings at or above --fail-on (scan), a failed rule test, a
 * message or object kept (replays); 2 the command line or configuration is wrong; 3 a
 * runtime failure (a file unreadable, a service unreachable). Errors are one line; --debug
 * adds the stack trace.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { AnomalyOptionsError } from '../lib/anomaly';
import { CliUsageError } from '../lib/cli/errors';
import { EXIT } from '../lib/cli/exit-codes';
import type { ProgressStream } from '../lib/cli/progress';
import { ConfigError } from '../lib/config';
import { RuleLoadError } from '../lib/rules/errors';
import { ScanInputError } from '../lib/scan/errors';
import { COMMANDS } from './commands';
import type { CliContext, ReplayEnvironment } from './commands/context';

export type { ReplayEnvironment } from './commands/context';
export { formatFinding } from '../lib/scan/format';

/** The package root (bin/.. from source, dist/.. when built): rules/ and package.json are there. */
const ROOT = path.resolve(__dirname, '..');

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface MainOptions {
  /** Where the progress bar is drawn (default process.stderr; drawn only on a terminal). */
  readonly progress?: ProgressStream;
  readonly processEnv?: NodeJS.ProcessEnv;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('trailwatch')
    .description('CloudTrail log files: scan them with the Lambda\'s analysers, report, and replay deliveries')
    .version(version(), '-V, --version')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', '\nExit codes: 0 clean, 1 findings at or above --fail-on / a test failed / something kept, 2 usage, 3 runtime failure.\nRun `trailwatch <command> --help` for its options and examples.\n');
  for (const factory of COMMANDS) program.addCommand(factory(ctx));
  configure(program, ctx);
  return program;
}

/** Every command: errors and help through ctx, exit codes returned instead of process.exit. */
function configure(cmd: Command, ctx: CliContext): void {
  cmd
    .exitOverride()
    .showHelpAfterError(`(run \`${commandPath(cmd)} --help\` for usage and examples)`)
    .configureOutput({
      writeOut: (s) => ctx.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.err(s.replace(/\n$/, '')),
    });
  for (const sub of cmd.commands) configure(sub, ctx);
}

function commandPath(cmd: Command): string {
  return cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name();
}

export async function main(
  argv: readonly string[],
  out = (l: string) => console.log(l),
  err = (l: string) => console.error(l),
  env: ReplayEnvironment = {},
  options: MainOptions = {},
): Promise<number> {
  let code: number = EXIT.clean;
  const ctx: CliContext = {
    out,
    err,
    env,
    progress: options.progress ?? process.stderr,
    processEnv: options.processEnv ?? process.env,
    root: ROOT,
    setExitCode: (c) => {
      code = c;
    },
  };
  const debug = argv.includes('--debug');
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version were asked for; everything else commander throws is a usage error
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.clean;
      return EXIT.usage;
    }
    if (e instanceof CliUsageError || e instanceof ScanInputError || e instanceof ConfigError || e instanceof AnomalyOptionsError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof RuleLoadError) {
      err(`error: rule pack did not load: ${e.reason}: ${e.message}`);
      return EXIT.usage;
    }
    err(`error: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (--debug for the stack trace)'}`);
    if (debug && e instanceof Error && e.stack) err(e.stack);
    return EXIT.runtime;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = EXIT.runtime;
    },
  );
}
