import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { classifyKey } from '../cloudtrail/classify';
import type { ObjectSource, OpenedObject } from '../cloudtrail/source';
import type { ObjectRef } from '../cloudtrail/types';
import { DiscardingSink } from '../forward/sink';
import { FileObjectSource } from '../local/file-source';
import { processObject } from '../pipeline';
import type { DeliveryReport } from '../report';
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

const STAND_IN_ACCOUNT = '000000000000';
const STAND_IN_REGION = 'us-east-1';

export async function* scanDirectory(dir: string, pack: RulePack, options: ScanOptions = {}): AsyncGenerator<ScannedFile> {
  const bucket = options.bucket ?? 'local';
  const files = await cloudTrailFiles(dir);
  const keys = new Map<string, { file: string; gzip: boolean }>();
  const refs: { ref: ObjectRef; file: string }[] = [];
  files.forEach((file, n) => {
    const gzip = file.endsWith('.json');
    // recognised CloudTrail keys keep their key, so digests and probes are skipped with a reason
    const key = classifyKey(file).kind === 'other' ? standInKey(n) : file;
    keys.set(key, { file, gzip });
    refs.push({ ref: { bucket, key }, file });
  });

  const source = new ScanSource(dir, keys);
  const sink = new DiscardingSink();
  for (const { ref, file } of refs) {
    const report = await processObject(ref, {
      source,
      sink,
      logGroup: options.logGroup ?? 'trailwatch-scan',
      // Findings name the file as it is on disk, not the stand-in key.
      analysersFor: (r) => [exceptionAnalyser(pack, { ...r, key: file })],
    });
    yield { file, report };
  }
}

/** `.json.gz` and `.json` files below `dir`, as sorted relative paths with `/` separators. */
export async function cloudTrailFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile() && /\.json(\.gz)?$/.test(d.name))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
  return names.sort();
}

function standInKey(n: number): string {
  const a = STAND_IN_ACCOUNT;
  const r = STAND_IN_REGION;
  return `AWSLogs/${a}/CloudTrail/${r}/1970/01/01/${a}_CloudTrail_${r}_19700101T0000Z_scan${String(n).padStart(6, '0')}.json.gz`;
}

/** Opens files with FileObjectSource under their real path, gzipping `.json` on the fly. */
class ScanSource implements ObjectSource {
  private readonly files: FileObjectSource;
  constructor(
    root: string,
    private readonly keys: ReadonlyMap<string, { file: string; gzip: boolean }>,
  ) {
    this.files = new FileObjectSource(root);
  }

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const entry = this.keys.get(ref.key) ?? { file: ref.key, gzip: false };
    const opened = await this.files.open({ ...ref, key: entry.file });
    if (!entry.gzip) return opened;
    const gzip = createGzip({ level: 1 });
    const body = opened.body as NodeJS.ReadableStream;
    body.on('error', (err: Error) => gzip.destroy(err));
    return { body: body.pipe(gzip) };
  }
}

