import { Readable } from 'node:stream';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import {
  CorruptGzipError,
  DecompressedSizeLimitError,
  EmptyObjectError,
  LogFileError,
  TruncatedGzipError,
} from '../errors';

export interface GunzipOptions {
  /**
   * Stop with DecompressedSizeLimitError past this many decompressed bytes: a small object
   * can inflate to many GB (a gzip bomb), and the Lambda would die without saying why.
   */
  readonly maxDecompressedBytes?: number;
  /** zlib output chunk size; larger chunks mean fewer iterations downstream. */
  readonly chunkSize?: number;
}

/** 2 GiB: far above any real CloudTrail file (typically < 100 MB inflated), far below /tmp-free memory use. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3;
const DEFAULT_CHUNK_SIZE = 64 * 1024;

export interface GunzipProgress {
  compressedBytes: number;
  decompressedBytes: number;
}

/**
 * Inflate a gzip byte stream chunk by chunk (constant memory), turning zlib's errors into
 * typed ones. `progress` is updated as bytes flow, so a caller can report how far a failed
 * file got. Concatenated gzip members are inflated as one stream, as gunzip(1) does.
 */
export async function* gunzipChunks(
  source: AsyncIterable<Uint8Array>,
  options: GunzipOptions = {},
  progress: GunzipProgress = { compressedBytes: 0, decompressedBytes: 0 },
): AsyncGenerator<Buffer> {
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const gunzip = createGunzip({ chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE });
  const magic = { startsAsGzip: false };
  const counted = Readable.from(countBytes(source, progress, magic), { objectMode: false });
  let sourceError: unknown;
  counted.on('error', (err) => {
    sourceError = err;
    gunzip.destroy(err);
  });
  counted.pipe(gunzip);

  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      progress.decompressedBytes += chunk.length;
      if (progress.decompressedBytes > maxBytes) {
        throw new DecompressedSizeLimitError(
          `inflates past the limit of ${maxBytes} bytes (read ${progress.compressedBytes} compressed bytes so far)`,
        );
      }
      yield chunk;
    }
  } catch (err) {
    throw toLogFileError(sourceError ?? err, progress, magic.startsAsGzip);
  } finally {
    counted.destroy();
    gunzip.destroy();
  }
  if (progress.compressedBytes === 0) throw new EmptyObjectError('the object is empty (0 bytes)');
}

/** Counts bytes and notes whether the object begins with gzip's magic bytes 1f 8b. */
async function* countBytes(source: AsyncIterable<Uint8Array>, progress: GunzipProgress, magic: { startsAsGzip: boolean }): AsyncGenerator<Uint8Array> {
  let head: number[] = [];
  for await (const chunk of source) {
    if (head.length < 2) {
      head = [...head, ...chunk.subarray(0, 2 - head.length)];
      magic.startsAsGzip = head[0] === 0x1f && head[1] === 0x8b;
    }
    progress.compressedBytes += chunk.length;
    yield chunk;
  }
}

function toLogFileError(err: unknown, progress: GunzipProgress, startsAsGzip: boolean): unknown {
  if (err instanceof LogFileError) return err;
  if (progress.compressedBytes === 0) return new EmptyObjectError('the object is empty (0 bytes)', { cause: err });
  const code = (err as { code?: unknown; errno?: unknown } | null)?.code;
  const errno = (err as { errno?: unknown } | null)?.errno;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'Z_BUF_ERROR' || errno === zlibConstants.Z_BUF_ERROR || /unexpected end of file/i.test(message)) {
    return new TruncatedGzipError(
      `gzip stream ends early after ${progress.compressedBytes} compressed bytes (${progress.decompressedBytes} inflated)`,
      { cause: err },
    );
  }
  if (code === 'Z_DATA_ERROR' || errno === zlibConstants.Z_DATA_ERROR) {
    if (startsAsGzip && /incorrect header check/i.test(message)) {
      // The first header was gzip's, so this one is where a next member would start:
      // complete gzip data followed by bytes that are not gzip. CloudTrail never writes that; a file appended to
      // or damaged after delivery fails loudly rather than being half-trusted.
      return new CorruptGzipError(
        `bytes after the end of the gzip data are not gzip (the file was appended to or damaged after it was written; ${progress.compressedBytes} compressed bytes read)`,
        { cause: err },
      );
    }
    return new CorruptGzipError(`not valid gzip: ${message} (after ${progress.compressedBytes} compressed bytes)`, {
      cause: err,
    });
  }
  // Anything else (a reset connection from S3, …) is not the file's fault: let the caller classify it.
  return err;
}
