import { SQSClient } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { SqsFailureQueue } from '../../lib/aws/sqs-failure-queue';
import { EXIT } from '../../lib/cli/exit-codes';
import { parsePositiveInt } from '../../lib/cli/options';
import { Progress } from '../../lib/cli/progress';
import { formatReplayQueueSummary, ingestWith, replayQueue, type Ingest } from '../../lib/replay';
import { examples, withRuleOptions, type CliContext, type RuleFlags } from './context';
import { environmentDeps, REPLAY_HELP } from './replay-env';

interface ReplayQueueFlags extends RuleFlags {
  readonly queueUrl: string;
  readonly max?: string;
  readonly alerts: boolean;
  readonly concurrency: string;
  readonly dryRun?: boolean;
}

export function replayQueueCommand(ctx: CliContext): Command {
  return withRuleOptions(new Command('replay-queue'))
    .description(
      "re-drive the failure queue: each message (the Lambda's on-failure record, or a redriven S3 event) goes back through the Lambda's pipeline and is deleted only after that succeeded; exit 1 if a message was kept",
    )
    .requiredOption('--queue-url <url>', 'the failure queue')
    .option('--max <n>', 'stop after this many messages')
    .option('--no-alerts', 'process without alerting: findings stay pending for a later run with the topics')
    .option('--concurrency <n>', 'messages of one receive replayed at once (at most 10 per receive)', '1')
    .option('--dry-run', 'read and describe the messages; replay and delete none')
    .addHelpText(
      'after',
      examples([
        'trailwatch replay-queue --queue-url https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-prod-failures --max 100',
        'trailwatch replay-queue --queue-url "$QUEUE" --dry-run',
      ]) + REPLAY_HELP,
    )
    .action(async (flags: ReplayQueueFlags) => {
      const max = flags.max === undefined ? undefined : parsePositiveInt('--max', flags.max);
      const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
      const env = ctx.env;
      const ingest: Ingest = flags.dryRun
        ? async () => []
        : ingestWith(await (env.ingestDeps ?? (() => environmentDeps(flags, ctx)))(), env.lockMs === undefined ? {} : { lockMs: env.lockMs });
      const queue = new SqsFailureQueue(env.sqs ?? new SQSClient({}), flags.queueUrl, env.queueWaitSeconds === undefined ? {} : { waitSeconds: env.queueWaitSeconds });
      const progress = new Progress(ctx.progress, 'replay-queue', max === undefined ? {} : { files: max });
      const summary = await replayQueue(queue, ingest, {
        ...(max === undefined ? {} : { max }),
        concurrency,
        dryRun: flags.dryRun === true,
        log: (line) => {
          progress.clear();
          ctx.out(line);
          progress.add({ files: 1 });
        },
      });
      progress.clear();
      ctx.out(flags.dryRun ? `dry run: ${summary.received} message(s) read, ${summary.wouldReplay ?? 0} would be replayed, ${summary.kept} unreadable; nothing replayed or deleted` : formatReplayQueueSummary(summary));
      ctx.setExitCode(summary.kept > 0 ? EXIT.findings : EXIT.clean);
    });
}
