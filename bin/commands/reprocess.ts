import { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { S3ObjectLister } from '../../lib/aws/s3-object-lister';
import { EXIT } from '../../lib/cli/exit-codes';
import { checkRange, parsePositiveInt, parseTime } from '../../lib/cli/options';
import { Progress } from '../../lib/cli/progress';
import { formatReprocessSummary, ingestWith, reprocessPrefix, type Ingest } from '../../lib/replay';
import { examples, withRuleOptions, type CliContext, type RuleFlags } from './context';
import { environmentDeps, REPLAY_HELP } from './replay-env';

interface ReprocessFlags extends RuleFlags {
  readonly bucket: string;
  readonly prefix: string;
  readonly from?: string;
  readonly to?: string;
  readonly alerts: boolean;
  readonly concurrency: string;
  readonly dryRun?: boolean;
}

export function reprocessCommand(ctx: CliContext): Command {
  return withRuleOptions(new Command('reprocess'))
    .description('reprocess the CloudTrail log files under s3://BUCKET/PREFIX delivered in [--from, --to) (the time in the file name); exit 1 if an object failed')
    .requiredOption('--bucket <bucket>', 'the trail bucket')
    .requiredOption('--prefix <prefix>', 'key prefix, e.g. AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/')
    .option('--from <time>', 'files delivered at or after this ISO 8601 time')
    .option('--to <time>', 'files delivered before this ISO 8601 time')
    .option('--no-alerts', 'process without alerting: findings stay pending for a later run with the topics')
    .option('--concurrency <n>', 'objects processed at once', '1')
    .option('--dry-run', 'list the objects that would be reprocessed; read and send nothing')
    .addHelpText(
      'after',
      examples([
        'trailwatch reprocess --bucket org-trail-logs --prefix AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/ --from 2026-11-20T00:00Z --to 2026-11-21T00:00Z',
        'trailwatch reprocess --bucket org-trail-logs --prefix AWSLogs/ --dry-run',
      ]) + REPLAY_HELP,
    )
    .action(async (flags: ReprocessFlags) => {
      const from = parseTime('--from', flags.from);
      const to = parseTime('--to', flags.to);
      checkRange(from, to);
      const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
      const env = ctx.env;
      const ingest: Ingest = flags.dryRun
        ? async () => []
        : ingestWith(await (env.ingestDeps ?? (() => environmentDeps(flags, ctx)))(), env.lockMs === undefined ? {} : { lockMs: env.lockMs });
      const lister = new S3ObjectLister(env.s3 ?? new S3Client({}), env.pageSize === undefined ? {} : { pageSize: env.pageSize });
      const progress = new Progress(ctx.progress, 'reprocess');
      const summary = await reprocessPrefix(lister, ingest, {
        bucket: flags.bucket,
        prefix: flags.prefix,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        concurrency,
        dryRun: flags.dryRun === true,
        onObject: (o) => progress.add({ files: 1, bytes: o.size ?? 0 }),
        log: (line) => {
          progress.clear();
          ctx.out(line);
        },
      });
      progress.clear();
      ctx.out(flags.dryRun ? `dry run: ${summary.selected} of ${summary.listed} object(s) would be reprocessed (${summary.outsideRange} outside the time range, ${summary.notLogFiles} not log files)` : formatReprocessSummary(flags.bucket, flags.prefix, summary));
      ctx.setExitCode(summary.failed > 0 ? EXIT.findings : EXIT.clean);
    });
}
