import type { CachedPublicKeys } from './keys';
import { parseDigest, type DigestFile } from './schema';
import { SIGNATURE_ALGORITHM, sha256Hex, signingString, verifySignature } from './signing';
import type { DigestProblem, DigestVerdict, LogFileVerdict, ObjectLocation } from './verdicts';

/** A digest object as read: where it lies, its uncompressed bytes and its S3 user metadata. */
export interface DigestObject extends ObjectLocation {
  readonly bytes: Buffer;
  /** x-amz-meta-signature (hex). */
  readonly signature?: string;
  /** x-amz-meta-signature-algorithm. */
  readonly signatureAlgorithm?: string;
}

export interface DigestCheck {
  readonly verdict: DigestVerdict;
  /** The parsed body; log files are compared against it only when the digest itself is valid. */
  readonly body: DigestFile;
}

export interface VerifyDigestDeps {
  readonly keys: CachedPublicKeys;
  /** Reads another digest object (the previous one of the chain); undefined when it is not there. */
  readonly readDigest: (location: ObjectLocation) => Promise<DigestObject | undefined>;
}

/** `…_20250101T010203Z_backfill.json.gz` (AWS "CloudTrail digest file structure"). */
export function isBackfillKey(key: string): boolean {
  return /_backfill\.json\.gz$/.test(key);
}

/** The region a digest key names: `…/CloudTrail-Digest/<region>/YYYY/…`. */
export function regionOfDigestKey(key: string): string | undefined {
  const parts = key.split('/');
  const at = parts.lastIndexOf('CloudTrail-Digest');
  return at >= 0 ? parts[at + 1] : undefined;
}

/**
 * Checks one digest: where it lies, its signature with CloudTrail's public key for its
 * region, and its link to the previous digest. Throws MalformedDigestError for a body that
 * is not a digest and PublicKeysUnavailableError when the keys cannot be had (the check was
 * not made); every tampering is a problem in the verdict.
 */
export async function verifyDigest(object: DigestObject, deps: VerifyDigestDeps): Promise<DigestCheck> {
  const body = parseDigest(object.bytes);
  const problems: DigestProblem[] = [];
  const here = `s3://${object.bucket}/${object.key}`;

  if (body.digestS3Bucket !== object.bucket || body.digestS3Object !== object.key) {
    problems.push({
      code: 'moved',
      message: `the digest says it was delivered to s3://${body.digestS3Bucket}/${body.digestS3Object}, but it lies at ${here}`,
    });
  }
  const algorithm = object.signatureAlgorithm ?? body.digestSignatureAlgorithm;
  if (body.digestSignatureAlgorithm !== SIGNATURE_ALGORITHM || algorithm !== SIGNATURE_ALGORITHM) {
    problems.push({ code: 'unsupported-algorithm', message: `signature algorithm ${JSON.stringify(algorithm)} is not ${SIGNATURE_ALGORITHM}` });
  } else if (object.signature === undefined || object.signature === '') {
    problems.push({ code: 'signature-missing', message: `${here} has no x-amz-meta-signature metadata` });
  } else {
    const region = regionOfDigestKey(object.key) ?? regionOfDigestKey(body.digestS3Object) ?? '';
    const end = new Date(body.digestEndTime);
    const key = await deps.keys.keyFor(region, body.digestPublicKeyFingerprint, end);
    if (key === undefined) {
      problems.push({
        code: 'unknown-key',
        message: `no CloudTrail public key in ${region} with fingerprint ${body.digestPublicKeyFingerprint} valid at ${body.digestEndTime}`,
      });
    } else if (!verifySignature(key.value, signingString(body, object.bytes), object.signature)) {
      problems.push({ code: 'signature-invalid', message: `the signature does not verify with key ${key.fingerprint}: the digest or its signature changed after delivery` });
    }
  }
  for (const problem of await chainProblems(body, deps)) problems.push(problem);

  return {
    body,
    verdict: {
      digest: { bucket: object.bucket, key: object.key },
      valid: problems.length === 0,
      problems,
      startTime: body.digestStartTime,
      endTime: body.digestEndTime,
      backfill: isBackfillKey(object.key),
      logFileCount: body.logFiles.length,
    },
  };
}

/**
 * The link to the previous digest: it must exist, carry the signature this digest recorded,
 * and hash (uncompressed) to the recorded value. The first digest of a chain names none.
 */
async function chainProblems(body: DigestFile, deps: VerifyDigestDeps): Promise<DigestProblem[]> {
  if (body.previousDigestSignature === null || body.previousDigestS3Bucket === null || body.previousDigestS3Object === null) return [];
  const where = { bucket: body.previousDigestS3Bucket, key: body.previousDigestS3Object };
  const name = `s3://${where.bucket}/${where.key}`;
  const previous = await deps.readDigest(where);
  if (previous === undefined) return [{ code: 'previous-missing', message: `the previous digest ${name} is missing (deleted?)` }];
  const problems: DigestProblem[] = [];
  if ((previous.signature ?? '').toLowerCase() !== body.previousDigestSignature.toLowerCase()) {
    problems.push({ code: 'previous-mismatch', message: `the previous digest ${name} carries another signature than the one this digest recorded` });
  }
  if (body.previousDigestHashValue !== null && sha256Hex(previous.bytes) !== body.previousDigestHashValue.toLowerCase()) {
    problems.push({ code: 'previous-mismatch', message: `the previous digest ${name} does not hash to the value this digest recorded (changed after delivery)` });
  }
  return problems;
}

/** Hex SHA-256 of a log file's uncompressed bytes, or undefined when the file is not there. */
export type LogHashLookup = (location: ObjectLocation) => Promise<string | undefined>;

/** Compares each log file a digest lists with its hash (stored when forwarded, or computed now). */
export async function checkLogFiles(digest: ObjectLocation, body: DigestFile, hashOf: LogHashLookup): Promise<LogFileVerdict[]> {
  const verdicts: LogFileVerdict[] = [];
  for (const entry of body.logFiles) {
    const logFile = { bucket: entry.s3Bucket, key: entry.s3Object };
    const expectedHash = entry.hashValue.toLowerCase();
    const actualHash = await hashOf(logFile);
    if (actualHash === undefined) verdicts.push({ logFile, status: 'missing', digest, expectedHash });
    else verdicts.push({ logFile, status: actualHash === expectedHash ? 'valid' : 'modified', digest, expectedHash, actualHash });
  }
  return verdicts;
}
