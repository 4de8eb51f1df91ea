import { classifyKey } from '../cloudtrail/classify';
import { encodeS3NotificationKey } from '../trigger';
import { mapBounded } from '../scan/bounded';
import type { Ingest } from './ingest';
import { addSummaries, emptyCounts, failureReason, type ObjectCounts } from './outcome';

/** One object a listing returned. */
export interface ListedObject {
  readonly key: string;
  readonly size?: number;
  /** As S3 lists it: quoted (`"9b2c…"`). */
  readonly eTag?: string;
}

/** Port: the objects under a prefix, in key order, page by page (S3 ListObjectsV2). */
export interface ObjectLister {
  list(bucket: string, prefix: string): AsyncIterable<ListedObject>;
}

export interface ReprocessOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** Files delivered at or after this time (the time in the file name). */
  readonly from?: Date;
  /** Files delivered before this time. */
  readonly to?: Date;
  readonly log?: (line: string) => void;
  /** Objects ingested at once (default 1). Lines and counts are still per object. */
  readonly concurrency?: number;
  /** List and select only: print what would be reprocessed, ingest nothing. */
  readonly dryRun?: boolean;
  /** After each selected object (for a progress bar). */
  readonly onObject?: (object: ListedObject) => void;
}

export interface ReprocessSummary {
  listed: number;
  /** Digests, Config probes, …: not read, as the Lambda does not read them. */
  notLogFiles: number;
  outsideRange: number;
  selected: number;
  objects: ObjectCounts;
  failed: number;
  readonly failures: Array<{ readonly key: string; readonly reason: string }>;
}

/**
 * Reprocesses the CloudTrail log files under a prefix, optionally only those delivered in
 * [from, to), one object at a time through the Lambda's own pipeline. Each object goes in
 * as the S3 notification S3 would have sent (key URL-encoded, ETag without quotes), so the
 * object-level idempotency key is the one the Lambda used: objects already processed are
 * no-ops, and the alert ledger keeps alerts already sent from being sent again. Running it
 * twice therefore forwards and alerts nothing the second time.
 *
 * Versioned buckets: a listing names the current version without its id, so an object the
 * Lambda processed by version id is processed once more here (CloudWatch Logs gets it again,
 * the alert ledger still holds back repeated alerts).
 */
export async function reprocessPrefix(lister: ObjectLister, ingest: Ingest, options: ReprocessOptions): Promise<ReprocessSummary> {
  const log = options.log ?? (() => undefined);
  const summary: ReprocessSummary = { listed: 0, notLogFiles: 0, outsideRange: 0, selected: 0, objects: emptyCounts(), failed: 0, failures: [] };
  const selected = (async function* () {
    for await (const object of lister.list(options.bucket, options.prefix)) {
      summary.listed++;
      const verdict = selectForReprocess(object.key, options.from, options.to);
      if (verdict === 'not-a-log-file') {
        summary.notLogFiles++;
        continue;
      }
      if (verdict === 'outside-range') {
        summary.outsideRange++;
        continue;
      }
      summary.selected++;
      yield object;
    }
  })();
  const one = async (object: ListedObject): Promise<void> => {
    if (options.dryRun) {
      log(`would reprocess  ${object.key}${object.size === undefined ? '' : `  ${object.size} bytes`}`);
      options.onObject?.(object);
      return;
    }
    try {
      const objects = await ingest(s3NotificationFor(options.bucket, object));
      addSummaries(summary.objects, objects);
      const first = objects[0];
      log(`${first?.duplicate ? 'already ' : ''}${first?.status ?? 'done'}  ${object.key}${first && !first.duplicate ? `  ${first.recordsForwarded} forwarded` : ''}`);
    } catch (err) {
      const reason = failureReason(err);
      summary.failed++;
      summary.failures.push({ key: object.key, reason });
      log(`FAILED   ${object.key}  ${reason}`);
    }
    options.onObject?.(object);
  };
  // each object is idempotent on its own, so objects may run side by side
  for await (const _done of mapBounded(selected, options.concurrency ?? 1, one));
  return summary;
}

export type Selection = 'selected' | 'not-a-log-file' | 'outside-range';

/** Whether a key is a log file (or Insights file) delivered within [from, to). */
export function selectForReprocess(key: string, from?: Date, to?: Date): Selection {
  const kind = classifyKey(key);
  if (!kind.process) return 'not-a-log-file';
  if (from === undefined && to === undefined) return 'selected';
  const at = kind.deliveredAt?.getTime();
  if (at === undefined) return 'outside-range';
  if (from !== undefined && at < from.getTime()) return 'outside-range';
  if (to !== undefined && at >= to.getTime()) return 'outside-range';
  return 'selected';
}

/** The S3 event notification S3 sends for a PUT of this object (the shape the Lambda reads). */
export function s3NotificationFor(bucket: string, object: ListedObject): unknown {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeS3NotificationKey(object.key),
            ...(object.size === undefined ? {} : { size: object.size }),
            // notifications carry the ETag without the quotes a listing has
            ...(object.eTag === undefined ? {} : { eTag: object.eTag.replace(/"/g, '') }),
          },
        },
      },
    ],
  };
}

export function formatReprocessSummary(bucket: string, prefix: string, s: ReprocessSummary): string {
  const o = s.objects;
  return (
    `reprocess s3://${bucket}/${prefix}: ${s.listed} object(s) listed, ${s.selected} selected ` +
    `(${s.outsideRange} outside the time range, ${s.notLogFiles} not log files); ` +
    `${o.processed} processed, ${o.duplicate} already processed, ${o.skipped} skipped, ${s.failed} failed; ` +
    `${o.recordsForwarded} record(s) forwarded, ${o.alerted} finding(s) alerted`
  );
}
