import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectSource, OpenedObject } from '../cloudtrail/source';
import type { ObjectRef } from '../cloudtrail/types';
import { ObjectNotFoundError, ObjectReadError } from '../errors';

/**
 * Reads "objects" from a directory: the key is a path below `root` (the bucket is
 * ignored). Lets the CLI and the benchmarks run the Lambda's exact pipeline on local files.
 */
export class FileObjectSource implements ObjectSource {
  constructor(private readonly root: string) {}

  async open(ref: ObjectRef): Promise<OpenedObject> {
    const file = path.resolve(this.root, ref.key);
    if (!file.startsWith(path.resolve(this.root) + path.sep)) {
      throw new ObjectNotFoundError(`${ref.key}: outside ${this.root}`);
    }
    try {
      const info = await stat(file);
      const metadata = await readMetadata(file);
      return { body: createReadStream(file, { highWaterMark: 256 * 1024 }), contentLength: info.size, ...(metadata ? { metadata } : {}) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ObjectNotFoundError(`${file}: no such file`, { cause: err });
      throw new ObjectReadError(`${file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * S3 user metadata has no place in a file: a `<file>.metadata.json` beside it (an object of
 * strings, e.g. a digest's `{"signature": …}`) stands for it. Absent: no metadata.
 */
async function readMetadata(file: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(`${file}.metadata.json`, 'utf8');
  } catch {
    return undefined;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ObjectReadError(`${file}.metadata.json: not a JSON object`);
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
