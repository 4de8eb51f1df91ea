import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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
      return { body: createReadStream(file, { highWaterMark: 256 * 1024 }), contentLength: info.size };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ObjectNotFoundError(`${file}: no such file`, { cause: err });
      throw new ObjectReadError(`${file}: ${(err as Error).message}`, { cause: err });
    }
  }
}
