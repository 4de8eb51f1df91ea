import { z } from 'zod';
import { MalformedDigestError } from './errors';

/**
 * A CloudTrail digest file's body (AWS "CloudTrail digest file structure"). Only the fields
 * the check relies on are required; unknown fields are kept (AWS adds fields over time).
 * The previous-digest fields are null in the first digest of a chain.
 */
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 time');

export const logFileEntrySchema = z.looseObject({
  s3Bucket: z.string().min(1),
  s3Object: z.string().min(1),
  hashValue: z.string().regex(/^[0-9a-fA-F]{64}$/, 'not a hex SHA-256'),
  hashAlgorithm: z.string(),
  newestEventTime: z.string().nullish(),
  oldestEventTime: z.string().nullish(),
});

export const digestFileSchema = z.looseObject({
  awsAccountId: z.string(),
  digestStartTime: isoTime,
  digestEndTime: isoTime,
  digestS3Bucket: z.string().min(1),
  digestS3Object: z.string().min(1),
  digestPublicKeyFingerprint: z.string().min(1),
  digestSignatureAlgorithm: z.string(),
  newestEventTime: z.string().nullish(),
  oldestEventTime: z.string().nullish(),
  previousDigestS3Bucket: z.string().nullable(),
  previousDigestS3Object: z.string().nullable(),
  previousDigestHashValue: z.string().nullable(),
  previousDigestHashAlgorithm: z.string().nullable(),
  previousDigestSignature: z.string().nullable(),
  logFiles: z.array(logFileEntrySchema),
});

export type DigestFile = z.infer<typeof digestFileSchema>;
export type LogFileEntry = z.infer<typeof logFileEntrySchema>;

/** Parses the uncompressed digest bytes; MalformedDigestError names the first problem. */
export function parseDigest(bytes: Buffer): DigestFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new MalformedDigestError(`digest file is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = digestFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedDigestError(`digest file is not a CloudTrail digest: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
