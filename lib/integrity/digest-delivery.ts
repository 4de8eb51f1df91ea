import type { ObjectRef } from '../cloudtrail/types';
import type { Finding } from '../findings';
import { integrityFindings } from './findings';
import type { LogHashStore } from './hash-store';
import type { CachedPublicKeys } from './keys';
import type { IntegrityReader } from './reader';
import { MalformedDigestError } from './errors';
import { checkLogFiles, isBackfillKey, verifyDigest } from './verify-digest';
import { CHAIN_PROBLEMS, type DigestVerdict, type LogFileVerdict, type ObjectLocation } from './verdicts';

/** What the ingest function needs to check a digest as it arrives. */
export interface DigestCheckDeps {
  readonly reader: Pick<IntegrityReader, 'readDigest' | 'hashLogFile'>;
  readonly keys: CachedPublicKeys;
  /** Hashes kept when the log files were forwarded; a file not in it is read and hashed now. */
  readonly hashes?: LogHashStore;
}

export interface DigestDeliveryCheck {
  readonly verdict: DigestVerdict;
  readonly logFiles: readonly LogFileVerdict[];
  readonly findings: Finding[];
  /** Log files read again because no hash was kept for them (not processed yet, or the store failed). */
  readonly logFilesRead: number;
}

/**
 * One digest delivery: verify it, then compare every log file it lists. A log file the
 * pipeline has not seen yet (S3 events come in any order) is fetched and hashed here, and
 * its hash kept. Returns undefined when the digest object is gone; throws the typed error
 * when the check could not be made (keys unavailable, S3 failing), so the delivery is retried.
 */
export async function checkDigestDelivery(ref: ObjectRef, deps: DigestCheckDeps, where: { accountId?: string; region?: string } = {}): Promise<DigestDeliveryCheck | undefined> {
  const location = { bucket: ref.bucket, key: ref.key };
  // not a digest at all (not gzip, not JSON, fields missing): a verdict, since a retry reads the same bytes
  const malformed = (err: MalformedDigestError): DigestVerdict => ({
    digest: location,
    valid: false,
    problems: [{ code: 'malformed', message: err.message }],
    backfill: isBackfillKey(ref.key),
    logFileCount: 0,
  });
  let verdict: DigestVerdict;
  let logFiles: LogFileVerdict[] = [];
  let logFilesRead = 0;
  try {
    const object = await deps.reader.readDigest(location);
    if (object === undefined) return undefined;
    const check = await verifyDigest(object, { keys: deps.keys, readDigest: (l) => deps.reader.readDigest(l) });
    verdict = check.verdict;
    // a digest whose own signature fails vouches for nothing; a broken chain link still does
    if (!verdict.problems.some((p) => !CHAIN_PROBLEMS.has(p.code))) {
      logFiles = await checkLogFiles(location, check.body, async (l) => {
        const kept = await storedHash(deps.hashes, l);
        if (kept !== undefined) return kept;
        logFilesRead++;
        const fresh = await deps.reader.hashLogFile(l);
        if (fresh !== undefined && !fresh.startsWith('unreadable:')) await deps.hashes?.put(l, fresh).catch(() => undefined);
        return fresh;
      });
    }
  } catch (err) {
    if (!(err instanceof MalformedDigestError)) throw err;
    verdict = malformed(err);
  }
  return { verdict, logFiles, findings: integrityFindings(verdict, logFiles, where.accountId, where.region), logFilesRead };
}

/** A store that fails to answer is not a reason to fail the check: the file is read instead. */
async function storedHash(store: LogHashStore | undefined, location: ObjectLocation): Promise<string | undefined> {
  if (!store) return undefined;
  try {
    return await store.get(location);
  } catch {
    return undefined;
  }
}
