import { Command } from 'commander';
import { verifyAws } from '../../lib/aws/verify-environment';
import { VERIFY_USAGE, verifyCommand as runVerify } from '../../lib/integrity/verify-command';
import { examples, type CliContext } from './context';

interface VerifyFlags {
  readonly bucket?: string;
  readonly prefix?: string;
  readonly dir?: string;
  readonly from?: string;
  readonly to?: string;
  readonly publicKeys?: string;
  readonly json?: boolean;
}

/**
 * `trailwatch verify`: the flags are declared here for help; lib/integrity/verify-command.ts
 * validates them (its messages name the missing flag and repeat the usage).
 */
export function verifyCommand(ctx: CliContext): Command {
  return new Command('verify')
    .description('check CloudTrail digest files and the log files they list, like `aws cloudtrail validate-logs`: "N/N digest files valid, N/N log files valid"; exit 1 on any invalid file')
    .option('--bucket <bucket>', 'the trail bucket (with --dir: the bucket the digests name)')
    .option('--prefix <prefix>', 'key prefix of the trail, e.g. AWSLogs/111122223333/', '')
    .option('--dir <dir>', 'a local copy of the bucket (keys as paths; signatures in <file>.metadata.json)')
    .option('--from <time>', 'ISO 8601 start of the range (required)')
    .option('--to <time>', 'ISO 8601 end of the range (default: now)')
    .option('--public-keys <file>', 'the output of `aws cloudtrail list-public-keys` (offline); default: CloudTrail ListPublicKeys')
    .option('--json', 'the full result as JSON')
    .addHelpText('after', examples(['trailwatch verify --bucket org-trail-logs --prefix AWSLogs/111122223333/ --from 2026-11-20T00:00Z --to 2026-11-21T00:00Z']) + `\n\nusage:\n${VERIFY_USAGE}`)
    .action(async (flags: VerifyFlags) => {
      const argv: string[] = [];
      const pairs: [string, string | undefined][] = [
        ['--bucket', flags.bucket],
        ['--prefix', flags.prefix || undefined],
        ['--dir', flags.dir],
        ['--from', flags.from],
        ['--to', flags.to],
        ['--public-keys', flags.publicKeys],
      ];
      for (const [name, value] of pairs) if (value !== undefined) argv.push(name, value);
      if (flags.json) argv.push('--json');
      ctx.setExitCode(await runVerify(argv, ctx.out, ctx.err, verifyAws()));
    });
}
