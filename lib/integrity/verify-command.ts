import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectSource } from '../cloudtrail/source';
import { FileObjectSource } from '../local/file-source';
import type { ListedObject } from '../replay/reprocess';
import { EXIT } from '../cli/exit-codes';
import { TrailwatchError } from '../errors';
import { VerifyRangeError } from './errors';
import { CachedPublicKeys, type PublicKey, type PublicKeySource } from './keys';
import { IntegrityReader } from './reader';
import { formatVerifySummary, verifyRange, type VerifyRangeDeps } from './verify-range';

export const VERIFY_USAGE = `  trailwatch verify --bucket B [--prefix P] [--dir D] --from ISO [--to ISO] [--public-keys FILE] [--json]
      D: a local copy of the bucket (keys as paths; a digest's signature in <file>.metadata.json)
      FILE: the output of \`aws cloudtrail list-public-keys\` (offline); default: CloudTrail ListPublicKeys`;

/** What the command needs from AWS (lib/aws/verify-environment.ts), so this module imports no SDK. */
export interface VerifyAws {
  s3(): { source: ObjectSource; lister: VerifyRangeDeps['lister'] };
  publicKeys(): PublicKeySource;
}

interface VerifyArgs {
  bucket: string;
  prefix: string;
  dir?: string;
  from: Date;
  to: Date;
  publicKeys?: string;
  json: boolean;
}

/**
 * `trailwatch verify`: like `aws cloudtrail validate-logs` over a bucket/prefix (or a local
 * copy) and a time range. Prints "N/N digest files valid, N/N log files valid" and each
 * invalid file; exit 1 when any file is invalid, 2 for bad arguments, 3 when it could not complete.
 */
export async function verifyCommand(argv: readonly string[], out: (l: string) => void, err: (l: string) => void, aws: VerifyAws, now: () => number = Date.now): Promise<number> {
  let args: VerifyArgs;
  try {
    args = parseVerifyArgs(argv, now);
  } catch (e) {
    if (!(e instanceof VerifyRangeError)) throw e;
    err(`${e.message}\nusage:\n${VERIFY_USAGE}`);
    return EXIT.usage;
  }
  const store = args.dir ? { source: new FileObjectSource(path.resolve(args.dir)), lister: new DirectoryLister(path.resolve(args.dir)) } : aws.s3();
  const keys = new CachedPublicKeys(args.publicKeys ? await publicKeysFromFile(args.publicKeys) : aws.publicKeys());
  try {
    const result = await verifyRange({ reader: new IntegrityReader(store.source), lister: store.lister, keys }, { bucket: args.bucket, prefix: args.prefix, start: args.from, end: args.to });
    out(args.json ? JSON.stringify(result, null, 2) : formatVerifySummary(result));
    return result.valid ? EXIT.clean : EXIT.findings;
  } catch (e) {
    if (!(e instanceof TrailwatchError)) throw e;
    err(`verify could not complete: ${e.reason}: ${e.message}`);
    return EXIT.runtime;
  }
}

function parseVerifyArgs(argv: readonly string[], now: () => number): VerifyArgs {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (['--bucket', '--prefix', '--dir', '--from', '--to', '--public-keys'].includes(arg)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new VerifyRangeError(`${arg} needs a value`);
      values[arg.slice(2)] = v;
    } else throw new VerifyRangeError(`unknown argument ${arg}`);
  }
  if (!values.bucket) throw new VerifyRangeError('--bucket is required (with --dir: the bucket the files were delivered to, as the digests name it)');
  if (!values.from) throw new VerifyRangeError('--from is required');
  const from = new Date(values.from);
  const to = values.to ? new Date(values.to) : new Date(now());
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new VerifyRangeError('--from/--to must be ISO 8601 times');
  if (from > to) throw new VerifyRangeError('--from must be before --to');
  return { bucket: values.bucket, prefix: values.prefix ?? '', ...(values.dir ? { dir: values.dir } : {}), from, to, ...(values['public-keys'] ? { publicKeys: values['public-keys'] } : {}), json };
}

/** `aws cloudtrail list-public-keys` output: `{"PublicKeyList":[{"Value": base64, "ValidityStartTime", "ValidityEndTime", "Fingerprint"}]}`. */
async function publicKeysFromFile(file: string): Promise<PublicKeySource> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { PublicKeyList?: Array<Record<string, unknown>> };
  const keys: PublicKey[] = (parsed.PublicKeyList ?? []).map((k) => ({
    value: Buffer.from(String(k.Value), 'base64'),
    fingerprint: String(k.Fingerprint),
    validityStart: timeOf(k.ValidityStartTime),
    validityEnd: timeOf(k.ValidityEndTime),
  }));
  return { listPublicKeys: async () => keys };
}

/** The CLI prints ISO strings; the JSON protocol epoch seconds. */
function timeOf(value: unknown): Date {
  return typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
}

/** Lists a directory as a bucket: keys are paths below the root, `/`-separated; metadata sidecars are not objects. */
export class DirectoryLister {
  constructor(private readonly root: string) {}
  async *list(_bucket: string, prefix: string): AsyncIterable<ListedObject> {
    const entries = await readdir(this.root, { withFileTypes: true, recursive: true });
    const keys = entries
      .filter((e) => e.isFile() && !e.name.endsWith('.metadata.json'))
      .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((k) => k.startsWith(prefix))
      .sort();
    for (const key of keys) yield { key };
  }
}
