import { DiscardingSink } from '../forward/sink';
import { processObject } from '../pipeline';
import type { DeliveryReport } from '../report';
import { cloudTrailFiles, localItem } from '../scan/inputs';
import { exceptionAnalyser } from './exceptions';
import type { RulePack } from './load';

/**
 * `trailwatch scan <dir>`: the rule pack over local CloudTrail files, through the Lambda's
 * own `processObject` (gunzip, record scanner, batcher, analysers) with a sink that only
 * counts. Two adaptations, both outside the pipeline:
 *
 * - A file whose path below `dir` is a CloudTrail key (`…/AWSLogs/<account>/CloudTrail/
 *   <region>/YYYY/MM/DD/<name>.json.gz`, as `aws s3 sync` of a trail bucket leaves it) is
 *   read under that key. Any other `.json.gz` or `.json` file gets a stand-in key in that
 *   layout (account 000000000000, us-east-1, 1970-01-01), so the key classifier lets it
 *   through; findings still name the real file, and their account and Region come from
 *   the records.
 * - `.json` files are gzipped on the fly (fast level), since the pipeline always gunzips.
 */
export interface ScannedFile {
  /** Path relative to the scanned directory. */
  readonly file: string;
  readonly report: DeliveryReport;
}

export interface ScanOptions {
  /** The bucket name findings carry; default `local`. */
  readonly bucket?: string;
  readonly logGroup?: string;
}

export async function* scanDirectory(dir: string, pack: RulePack, options: ScanOptions = {}): AsyncGenerator<ScannedFile> {
  const bucket = options.bucket ?? 'local';
  const sink = new DiscardingSink();
  const files = await cloudTrailFiles(dir);
  for (const [n, file] of files.entries()) {
    // recognised CloudTrail keys keep their key, so digests and probes are skipped with a reason
    const item = localItem(dir, file, file, undefined, n);
    const report = await processObject(
      { ...item.ref, bucket },
      {
        source: item.source,
        sink,
        logGroup: options.logGroup ?? 'trailwatch-scan',
        // Findings name the file as it is on disk, not the stand-in key.
        analysersFor: (r) => [exceptionAnalyser(pack, { ...r, key: file })],
      },
    );
    yield { file, report };
  }
}
