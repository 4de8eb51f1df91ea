import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { classifyKey } from '../cloudtrail/classify';
import type { ObjectSource, OpenedObject } from '../cloudtrail/source';
import type { ObjectRef } from '../cloudtrail/types';
import { FileObjectSource } from '../local/file-source';
import { ScanInputError } from './errors';

/** One thing to scan: the ref the pipeline reads, the name findings carry, and where it comes from. */
export interface ScanItem {
  /** The key the pipeline classifies (a stand-in in the CloudTrail layout for other local files). */
  readonly ref: ObjectRef;
  /** What a person calls it: a path as given, or `s3://bucket/key`. Findings name this. */
  readonly name: string;
  /** Compressed size when known (progress ETA). */
  readonly size?: number;
  readonly source: ObjectSource;
  /** The key is CloudTrail's own (account and Region from the key): the anomaly detector runs on it. */
  readonly trailKey: boolean;
}

const STAND_IN_ACCOUNT = '000000000000';
const STAND_IN_REGION = 'us-east-1';

/**
 * Local paths (files or directories, as given) to scan items. A missing path or a file that
 * is not `.json`/`.json.gz` is a ScanInputError naming it (one clear line for the person);
 * a directory without any trail file is one too, since an empty scan hides a typo.
 */
export async function localScanItems(paths: readonly string[]): Promise<ScanItem[]> {
  const items: ScanItem[] = [];
  let n = 0;
  for (const given of paths) {
    const resolved = path.resolve(given);
    const info = await stat(resolved).catch((err: NodeJS.ErrnoException) => {
      throw new ScanInputError(err.code === 'ENOENT' ? `${given}: no such file or directory` : `${given}: ${err.message}`, { cause: err });
    });
    if (info.isFile()) {
      if (!/\.json(\.gz)?$/.test(resolved)) throw new ScanInputError(`${given}: not a CloudTrail file (expected .json.gz or .json)`);
      items.push(localItem(path.dirname(resolved), path.basename(resolved), given, info.size, n++));
      continue;
    }
    if (!info.isDirectory()) throw new ScanInputError(`${given}: not a file or directory`);
    const files = await cloudTrailFiles(resolved);
    if (files.length === 0) throw new ScanInputError(`${given}: no .json.gz or .json files below it`);
    for (const file of files) {
      const size = (await stat(path.join(resolved, file))).size;
      items.push(localItem(resolved, file, path.join(given, file).split(path.sep).join('/'), size, n++));
    }
  }
  return items;
}

/** `.json.gz` and `.json` files below `dir`, as sorted relative paths with `/` separators. */
export async function cloudTrailFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile() && /\.json(\.gz)?$/.test(d.name))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
  return names.sort();
}

/**
 * `file` below `root` as a scan item: read under its CloudTrail key when it has one, else
 * under a stand-in key in that layout (the n-th), so the key classifier lets it through;
 * `.json` is gzipped on the fly. Shared with `scanDirectory` (lib/rules/scan.ts).
 */
export function localItem(root: string, file: string, name: string, size: number | undefined, n: number): ScanItem {
  const gzip = file.endsWith('.json');
  // a path in CloudTrail's layout keeps its key, so digests and probes are skipped with a reason
  // and the account and Region come from the key, as in the bucket
  // (a single file given by name keeps its key too, from the AWSLogs/ part of its path)
  const full = path.join(root, file).split(path.sep).join('/');
  const anchored = full.includes('/AWSLogs/') ? full.slice(full.lastIndexOf('/AWSLogs/') + 1) : file;
  const candidate = classifyKey(file).kind !== 'other' ? file : anchored;
  const trailKey = classifyKey(candidate).kind !== 'other';
  const key = trailKey ? candidate : standInKey(n);
  return { ref: { bucket: 'local', key }, name, ...(size === undefined ? {} : { size }), source: new LocalFile(root, file, gzip), trailKey };
}

function standInKey(n: number): string {
  const a = STAND_IN_ACCOUNT;
  const r = STAND_IN_REGION;
  return `AWSLogs/${a}/CloudTrail/${r}/1970/01/01/${a}_CloudTrail_${r}_19700101T0000Z_scan${String(n).padStart(6, '0')}.json.gz`;
}

/** One local file, gzipped on the fly when it is plain `.json` (the pipeline always gunzips). */
class LocalFile implements ObjectSource {
  private readonly files: FileObjectSource;
  constructor(
    root: string,
    private readonly file: string,
    private readonly gzip: boolean,
  ) {
    this.files = new FileObjectSource(root);
  }

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const opened = await this.files.open({ ...ref, key: this.file });
    if (!this.gzip) return opened;
    const gzip = createGzip({ level: 1 });
    const body = opened.body as NodeJS.ReadableStream;
    body.on('error', (err: Error) => gzip.destroy(err));
    return { body: body.pipe(gzip) };
  }
}
