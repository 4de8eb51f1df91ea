import { createHash, createPublicKey, verify } from 'node:crypto';
import type { DigestFile } from './schema';

/** The only algorithm CloudTrail signs digests with (AWS-FACTS.md). */
export const SIGNATURE_ALGORITHM = 'SHA256withRSA';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The string CloudTrail signs (AWS "Custom implementations of CloudTrail log file integrity
 * validation"), UTF-8: end time, the digest's own S3 path, the hex SHA-256 of the
 * uncompressed digest, and the previous digest's signature (the text `null` for the first
 * of a chain). The path comes from the body: a digest copied elsewhere still verifies, so
 * its location is checked separately.
 */
export function signingString(digest: DigestFile, uncompressedDigest: Uint8Array): string {
  return [
    digest.digestEndTime,
    `${digest.digestS3Bucket}/${digest.digestS3Object}`,
    sha256Hex(uncompressedDigest),
    digest.previousDigestSignature ?? 'null',
  ].join('\n');
}

/**
 * RSA PKCS#1 v1.5 over SHA-256, key as ListPublicKeys returns it (DER, PKCS#1 RSAPublicKey).
 * False (never a throw) for a signature that is not hex or a key that does not parse: the
 * caller reports an invalid signature either way.
 */
export function verifySignature(publicKeyDer: Uint8Array, signed: string, signatureHex: string): boolean {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'pkcs1' });
    return verify('sha256', Buffer.from(signed, 'utf8'), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
