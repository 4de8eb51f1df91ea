import { gunzipChunks, type GunzipOptions } from '../cloudtrail/gunzip';
import type { ObjectSource, OpenedObject } from '../cloudtrail/source';
import { LogFileError, ObjectNotFoundError } from '../errors';
import { MalformedDigestError } from './errors';
import { hashingChunks, newSha256 } from './hash-store';
import type { DigestObject } from './verify-digest';
import type { ObjectLocation } from './verdicts';

/** Digests are a few KB to a few MB; a digest inflating past this is not CloudTrail's. */
const MAX_DIGEST_BYTES = 64 * 1024 * 1024;

/**
 * Reads digests and hashes log files through the pipeline's ObjectSource (S3 in Lambda, a
 * directory in the CLI). A missing object is `undefined` (a verdict: missing), any other
 * failure throws its typed error (the check could not be made).
 */
export class IntegrityReader {
  constructor(
    private readonly source: ObjectSource,
    private readonly gunzip: GunzipOptions = {},
  ) {}

  async readDigest(location: ObjectLocation): Promise<DigestObject | undefined> {
    const opened = await this.openIfPresent(location);
    if (opened === undefined) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of gunzipChunks(opened.body, { ...this.gunzip, maxDecompressedBytes: MAX_DIGEST_BYTES })) chunks.push(chunk);
    } catch (err) {
      // the bytes are the digest's own problem, not S3's: a verdict, not a retry
      if (err instanceof LogFileError && !(err instanceof ObjectNotFoundError) && err.reason !== 'ObjectReadFailed' && err.reason !== 'AccessDenied') {
        throw new MalformedDigestError(`s3://${location.bucket}/${location.key}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    const metadata = opened.metadata ?? {};
    return {
      bucket: location.bucket,
      key: location.key,
      bytes: Buffer.concat(chunks),
      ...(metadata['signature'] === undefined ? {} : { signature: metadata['signature'] }),
      ...(metadata['signature-algorithm'] === undefined ? {} : { signatureAlgorithm: metadata['signature-algorithm'] }),
    };
  }

  /**
   * Hex SHA-256 of the uncompressed log file, or undefined when it is not there, or
   * `unreadable:<reason>` when it no longer inflates.
   */
  async hashLogFile(location: ObjectLocation): Promise<string | undefined> {
    const opened = await this.openIfPresent(location);
    if (opened === undefined) return undefined;
    const hash = newSha256();
    try {
      for await (const _chunk of hashingChunks(gunzipChunks(opened.body, this.gunzip), hash)) {
        // hashing is all this pass does
      }
    } catch (err) {
      // A file that no longer inflates was changed after delivery (CloudTrail writes valid
      // gzip): a value that never equals a hex hash, so the verdict is `modified`.
      if (err instanceof LogFileError && (err.reason === 'CorruptGzip' || err.reason === 'TruncatedGzip' || err.reason === 'EmptyObject')) {
        return `unreadable:${err.reason}`;
      }
      throw err;
    }
    return hash.digest('hex');
  }

  /** The object, or undefined when it is not there (a missing file is a verdict, not an error). */
  private async openIfPresent(location: ObjectLocation): Promise<OpenedObject | undefined> {
    try {
      return await this.source.open(location);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }
}
