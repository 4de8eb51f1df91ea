import { writeFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import type { DeliveryReport } from '../../lib/report';
import { formatSuppressions } from '../../lib/rules/exceptions';
import { Command, Option } from 'commander';
import { S3ObjectLister } from '../../lib/aws/s3-object-lister';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import { anomalyOptionsFromEnv } from '../../lib/anomaly';
import { CliUsageError } from '../../lib/cli/errors';
import { EXIT } from '../../lib/cli/exit-codes';
import { checkRange, parseFailOn, parsePositiveInt, parseTime } from '../../lib/cli/options';
import { Progress } from '../../lib/cli/progress';
import { EventCollector } from '../../lib/report/events';
import { buildHtmlReport, ReportData } from '../../lib/report/html';
import { csvHeader, csvRow, formatFinding, NdjsonWriter, stripControls } from '../../lib/scan/format';
import { localScanItems, type ScanItem } from '../../lib/scan/inputs';
import { scanItems } from '../../lib/scan/run';
import { isS3Url, parseS3Url, s3ScanItems, type S3ScanCounts } from '../../lib/scan/s3-layout';
import { ScanSummary } from '../../lib/scan/summary';
import { examples, loadPack, withRuleOptions, type CliContext, type RuleFlags } from './context';

interface ScanFlags extends RuleFlags {
  readonly format: 'text' | 'ndjson' | 'csv';
  readonly json?: boolean;
  readonly html?: string;
  readonly maxEvents: string;
  readonly failOn: string;
  readonly concurrency: string;
  readonly from?: string;
  readonly to?: string;
}

export function scanCommand(ctx: CliContext): Command {
  return withRuleOptions(new Command('scan'))
    .description(
      'run every analyser the Lambda runs (rules, Sigma, CloudTrail Insights, the Insights-like detector with an in-memory baseline) over CloudTrail files (local paths or s3://bucket/prefix with --from/--to) and print the findings',
    )
    .argument('<paths...>', 'files (.json.gz, .json), directories (read recursively), or s3://bucket/prefix (with --from)')
    .addOption(new Option('--format <format>', 'findings on stdout: text, ndjson (rule texts once per rule, by id) or csv').choices(['text', 'ndjson', 'csv']).default('text'))
    .option('--json', 'same as --format ndjson')
    .option('--html <file>', 'also write a self-contained HTML report (dashboard, event history, comparison)')
    .option('--max-events <n>', 'events listed in the HTML report (findings’ events are always listed)', '100000')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (INFO, LOW, MEDIUM, HIGH, CRITICAL, or none)', 'HIGH')
    .option('--concurrency <n>', 'files read at once', '4')
    .option('--from <time>', 's3:// only: files delivered at or after this ISO 8601 time (only the days from here to --to are listed)')
    .option('--to <time>', 's3:// only: files delivered before this ISO 8601 time (default: now)')
    .addHelpText(
      'after',
      examples([
        'trailwatch scan ./my-trail-sync                       # aws s3 sync of a trail bucket',
        'trailwatch scan case-42/ --html case-42.html --fail-on none',
        'trailwatch scan AWSLogs/ --format ndjson > findings.ndjson',
        'trailwatch scan one-file.json.gz --rules ./my-rules --disable vpc-changes --format csv',
        'trailwatch scan s3://org-trail-logs/AWSLogs/ --from 2026-11-20 --to 2026-11-27 --html week.html',
      ]) +
        '\nThe summary (per severity, per rule) goes to stderr; findings to stdout.\n' +
        'For s3:// the key layout AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/ is walked (accounts and\n' +
        'Regions found by listing) and only the days [--from, --to) touches are listed; credentials and Region are the\n' +
        'standard AWS_* ones. Times are delivery times from the file names, as for reprocess.\n' +
        'Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, 3 a file could not be read or S3 could not be listed.\n',
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      const failOn = parseFailOn(flags.failOn);
      const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
      const maxEvents = Number(flags.maxEvents);
      if (!Number.isSafeInteger(maxEvents) || maxEvents < 0) throw new CliUsageError(`--max-events must be a whole number (got ${JSON.stringify(flags.maxEvents)})`);
      const format = flags.json ? 'ndjson' : flags.format;
      const urls = paths.filter(isS3Url);
      const from = parseTime('--from', flags.from);
      const to = parseTime('--to', flags.to) ?? (from ? new Date() : undefined);
      checkRange(from, to);
      if (urls.length === 0 && (from || to)) throw new CliUsageError('--from and --to apply to s3:// inputs only (local files are scanned whole)');
      if (urls.length > 0 && !from) throw new CliUsageError('scan s3://… needs --from (only the days from --from to --to are listed)');
      const locations = urls.map(parseS3Url);
      const local = await localScanItems(paths.filter((p) => !isS3Url(p)));
      const s3Counts: S3ScanCounts = { dayFolders: 0, outsideRange: 0 };
      const s3 = locations.length > 0 ? (ctx.env.s3 ?? new S3Client({})) : undefined;
      const items = (async function* () {
        yield* local;
        if (!s3 || !from || !to) return;
        const lister = new S3ObjectLister(s3, ctx.env.pageSize === undefined ? {} : { pageSize: ctx.env.pageSize });
        const source = new S3ObjectSource(s3);
        for (const where of locations) yield* s3ScanItems(where, { from, to }, lister, source, s3Counts);
      })();
      const pack = await loadPack(flags, ctx);
      const anomaly = anomalyOptionsFromEnv(ctx.processEnv);
      const events = flags.html ? new EventCollector(maxEvents) : undefined;
      const summary = new ScanSummary();
      // an S3 listing is read as the scan goes: no totals (and so no ETA) then
      const progress = new Progress(ctx.progress, 'scan', locations.length > 0 ? {} : { files: local.length, bytes: local.reduce((n, i) => n + (i.size ?? 0), 0) });
      const say = (line: string): void => {
        progress.clear();
        ctx.err(line);
      };
      const ndjson = new NdjsonWriter(ctx.out);
      if (format === 'csv') ctx.out(csvHeader());
      const files: ScanItem[] = [];
      // what each exception suppressed, printed after the summary so a team can tune on its history
      const suppressed: DeliveryReport[] = [];
      const findings = [];
      for await (const { item, report } of scanItems(items, pack, {
        concurrency,
        anomaly,
        ...(events ? { events } : {}),
        onAnomaly: (r) => {
          if (r.status === 'failed') say(`anomaly detector: ${r.reason}`);
        },
      })) {
        files.push(item);
        summary.add(item.name, report);
        if (report.suppressed) suppressed.push(report);
        progress.add({ files: 1, records: report.records.read, bytes: item.size ?? report.bytes.compressed });
        if (report.status === 'failed') say(stripControls(`${item.name}: FAILED: ${report.reason}`));
        else if (report.status === 'skipped') say(stripControls(`${item.name}: skipped: ${report.reason}`));
        for (const finding of report.findings) {
          progress.clear();
          if (format === 'ndjson') ndjson.write(finding);
          else if (format === 'csv') ctx.out(csvRow(finding));
          else ctx.out(formatFinding(finding));
          if (flags.html) findings.push(finding);
        }
        if (report.matched && report.matched.findings > report.findings.length) {
          say(`${item.name}: ${report.matched.findings} findings, ${report.findings.length} listed (the rest over the per-rule and per-delivery limits)`);
        }
      }
      progress.clear();
      if (locations.length > 0) ctx.err(`s3: ${s3Counts.dayFolders} day folder(s) listed; ${s3Counts.outsideRange} object(s) in them delivered outside --from/--to, not read`);
      for (const line of summary.lines()) ctx.err(line);
      for (const line of formatSuppressions(suppressed)) ctx.err(line);
      if (flags.html && events) {
        const data: ReportData = { files: files.map((f) => f.name), findings, events: events.rows, eventsCap: events.cap, eventsDropped: events.dropped, summary, generatedAt: new Date().toISOString() };
        await writeFile(flags.html, buildHtmlReport(data));
        ctx.err(`report: ${flags.html} (${events.rows.length} event(s)${events.dropped > 0 ? `, ${events.dropped} past the --max-events cap not listed` : ''})`);
      }
      if (summary.failed > 0) ctx.setExitCode(EXIT.runtime);
      else if (failOn !== 'none' && summary.atOrAbove(failOn) > 0) ctx.setExitCode(EXIT.findings);
      else ctx.setExitCode(EXIT.clean);
    });
}
