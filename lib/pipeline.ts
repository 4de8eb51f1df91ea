import { classifyKey, type KeyClass } from './cloudtrail/classify';
import { gunzipChunks, type GunzipOptions, type GunzipProgress } from './cloudtrail/gunzip';
import { readRecordGroups } from './cloudtrail/record-reader';
import type { ObjectSource } from './cloudtrail/source';
import type { ObjectRef, TrailRecord } from './cloudtrail/types';
import { TrailwatchError } from './errors';
import { DeliveryFindings } from './delivery-findings';
import type { Finding, FindingLimits, RuleTally } from './findings';
import type { PutLogEventsLimits } from './forward/batcher';
import { Forwarder } from './forward/forwarder';
import { cloudTrailStreamName, type LogSink } from './forward/sink';
import { emptyReport, type DeliveryReport } from './report';
import { hashingChunks, newSha256, type LogHashStore } from './integrity/hash-store';
import { checkDigestDelivery, type DigestCheckDeps } from './integrity/digest-delivery';
import { logFileOverwrittenFinding } from './integrity/findings';
import type { SuppressionCount } from './rules/exceptions/apply';

/**
 * Something else that reads every record of a delivery in the same pass as forwarding
 * (rules, anomaly counters). `observe` gets groups of records in file order and must not
 * throw for odd records; `finish` runs once the whole file was read and returns findings.
 */
export interface Analyser {
  observe(records: readonly TrailRecord[]): void;
  finish(): Finding[] | Promise<Finding[]>;
  /**
   * After `finish`: the true counts of the rules whose findings the analyser capped itself
   * (matches it counted but did not return). Without it, the findings returned are all.
   */
  tallies?(): readonly RuleTally[];
  /** After `finish`: matches its exceptions suppressed (lib/rules/exceptions), for the report's count. */
  suppressions?(): readonly SuppressionCount[];
}

export interface PipelineDeps {
  readonly source: ObjectSource;
  readonly sink: LogSink;
  /** The CloudWatch Logs group records are forwarded to. */
  readonly logGroup: string;
  readonly now?: () => number;
  readonly gunzip?: GunzipOptions;
  readonly limits?: PutLogEventsLimits;
  readonly maxInFlight?: number;
  /** Analysers for one object; created per object so their state is per delivery. */
  readonly analysersFor?: (ref: ObjectRef, key: KeyClass) => Analyser[];
  /** Findings listed per rule and per delivery; default FINDING_LIMITS. */
  readonly findingLimits?: FindingLimits;
  /**
   * Where each log file's SHA-256 (of its uncompressed bytes, hashed in the same pass that
   * forwards them) is kept for the hourly digest check; none: nothing is hashed.
   */
  readonly logHashes?: LogHashStore;
  /** Checks CloudTrail digest files as they arrive; none: digests are skipped. */
  readonly digests?: Omit<DigestCheckDeps, 'hashes'>;
}

/**
 * Runs one S3 object through the pipeline: classify its key, stream its records to
 * CloudWatch Logs and the observers, and report what happened. Never throws for a
 * problem with the object itself: a failure is a report with `status: 'failed'` and the
 * typed error's reason, with the counts of what got through before it.
 */
export async function processObject(ref: ObjectRef, deps: PipelineDeps): Promise<DeliveryReport> {
  const now = deps.now ?? Date.now;
  const started = now();
  const key = classifyKey(ref.key);
  const report = emptyReport(ref, key.kind, key.reason);
  report.accountId = key.accountId;
  report.region = key.region;
  if (key.kind === 'digest' && deps.digests) return processDigest(ref, deps, deps.digests, report, started);
  if (!key.process || !key.accountId || !key.region) {
    report.durationMs = now() - started;
    return report;
  }

  report.logStream = cloudTrailStreamName(key.accountId, key.region);
  const forwarder = new Forwarder(
    deps.sink,
    { group: deps.logGroup, stream: report.logStream },
    { fallbackTimestamp: key.deliveredAt?.getTime() ?? started, limits: deps.limits, maxInFlight: deps.maxInFlight },
  );
  const analysers = deps.analysersFor?.(ref, key) ?? [];
  const progress: GunzipProgress = { compressedBytes: 0, decompressedBytes: 0 };
  // digests list log files, not Insights files: only log files are hashed
  const hash = deps.logHashes && key.kind === 'log' ? newSha256() : undefined;
  try {
    const opened = await deps.source.open(ref);
    const inflated = gunzipChunks(opened.body, deps.gunzip, progress);
    for await (const group of readRecordGroups(hash ? hashingChunks(inflated, hash) : inflated)) {
      report.records.read += group.length;
      for (const analyser of analysers) analyser.observe(group);
      await forwarder.add(group);
    }
    await forwarder.finish();
    // Bounded and counted whatever the analysers return (no spread: a delivery can have more
    // findings than a call has arguments).
    const collected = new DeliveryFindings(deps.findingLimits);
    for (const analyser of analysers) collected.add(await analyser.finish(), analyser.tallies?.());
    const kept = hash && deps.logHashes ? await keepHash(deps.logHashes, ref, hash.digest('hex'), key) : undefined;
    if (kept) collected.add(kept.findings);
    const { findings, matched } = collected.result();
    report.findings = findings;
    report.matched = matched;
    const suppressed = analysers.flatMap((a) => a.suppressions?.() ?? []);
    if (suppressed.length > 0) report.suppressed = suppressed;
    report.status = 'processed';
    report.reason = key.reason;
    if (kept) report.integrity = kept.integrity;
  } catch (err) {
    await forwarder.settle();
    report.status = 'failed';
    report.error = describeError(err);
    report.reason = `${report.error.reason}: ${report.error.message}`;
  } finally {
    const c = forwarder.counts;
    report.records.forwarded = c.forwarded;
    report.records.rejected = { tooOld: c.tooOld, tooNew: c.tooNew, expired: c.expired, tooLarge: c.tooLarge };
    report.records.timestampFallback = c.timestampFallback;
    report.bytes = { compressed: progress.compressedBytes, decompressed: progress.decompressedBytes, forwarded: c.forwardedBytes };
    report.putLogEventsCalls = c.calls;
    report.durationMs = now() - started;
  }
  return report;
}

/**
 * A digest file: verified, its log files compared, tampering reported as findings through
 * the same alert path as rule findings. `failed` (retried) only when the check could not be made.
 */
async function processDigest(ref: ObjectRef, deps: PipelineDeps, digests: Omit<DigestCheckDeps, 'hashes'>, report: DeliveryReport, started: number): Promise<DeliveryReport> {
  const now = deps.now ?? Date.now;
  try {
    const where = { ...(report.accountId ? { accountId: report.accountId } : {}), ...(report.region ? { region: report.region } : {}) };
    const check = await checkDigestDelivery(ref, { ...digests, ...(deps.logHashes ? { hashes: deps.logHashes } : {}) }, where);
    if (check === undefined) {
      report.status = 'failed';
      report.error = { reason: 'NoSuchKey', message: `s3://${ref.bucket}/${ref.key}: the digest file is gone (deleted after delivery?)` };
      report.reason = `${report.error.reason}: ${report.error.message}`;
      return report;
    }
    const collected = new DeliveryFindings(deps.findingLimits);
    collected.add(check.findings);
    const { findings, matched } = collected.result();
    report.findings = findings;
    report.matched = matched;
    const invalid = check.logFiles.filter((l) => l.status !== 'valid');
    report.integrity = {
      digest: {
        valid: check.verdict.valid,
        problems: check.verdict.problems.map((p) => p.code),
        logFiles: { valid: check.logFiles.length - invalid.length, total: check.logFiles.length, invalid: invalid.map((l) => ({ key: l.logFile.key, status: l.status })) },
      },
    };
    report.status = 'processed';
    report.reason =
      `CloudTrail digest file ${check.verdict.valid ? 'valid' : `INVALID (${check.verdict.problems.map((p) => p.code).join(', ')})`}: ` +
      `${check.logFiles.length - invalid.length}/${check.logFiles.length} log files valid` +
      (check.logFilesRead > 0 ? `, ${check.logFilesRead} read again (no hash kept)` : '');
  } catch (err) {
    report.status = 'failed';
    report.error = describeError(err);
    report.reason = `${report.error.reason}: ${report.error.message}`;
  } finally {
    report.durationMs = now() - started;
  }
  return report;
}

/**
 * A hash that could not be kept does not fail the delivery (its records are forwarded; a
 * retry would forward them twice): the digest check then reads the file again. Reported, so
 * it is logged and counted. A key already hashed with other content was overwritten after
 * delivery (CloudTrail never rewrites a key): tampering evidence, found now rather than at
 * the next digest.
 */
async function keepHash(store: LogHashStore, ref: ObjectRef, sha256: string, key: KeyClass): Promise<{ integrity: NonNullable<DeliveryReport['integrity']>; findings: Finding[] }> {
  const location = { bucket: ref.bucket, key: ref.key };
  try {
    const before = await store.get(location);
    await store.put(location, sha256);
    const findings = before !== undefined && before !== sha256 ? [logFileOverwrittenFinding(location, before, sha256, key.accountId, key.region)] : [];
    return { integrity: { sha256, hashStored: true }, findings };
  } catch (err) {
    return { integrity: { sha256, hashStored: false, hashStoreError: err instanceof Error ? err.message : String(err) }, findings: [] };
  }
}

function describeError(err: unknown): { reason: string; message: string } {
  if (err instanceof TrailwatchError) return { reason: err.reason, message: err.message };
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return { reason: `Unexpected${name === 'Error' ? '' : ':' + name}`, message };
}
