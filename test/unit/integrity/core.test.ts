import { generateKeyPairSync, sign } from 'node:crypto';
import { PublicKeysUnavailableError, MalformedDigestError } from '../../../lib/integrity/errors';
import { INTEGRITY_RULES, integrityFindings } from '../../../lib/integrity/findings';
import { CachedPublicKeys, selectKey, type PublicKey } from '../../../lib/integrity/keys';
import { parseDigest } from '../../../lib/integrity/schema';
import { sha256Hex, signingString, verifySignature } from '../../../lib/integrity/signing';
import type { DigestVerdict } from '../../../lib/integrity/verdicts';

const BODY = {
  awsAccountId: '111122223333',
  digestStartTime: '2015-08-17T14:01:31Z',
  digestEndTime: '2015-08-17T15:01:31Z',
  digestS3Bucket: 'amzn-s3-demo-bucket',
  digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20150817T150131Z.json.gz',
  digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
  digestSignatureAlgorithm: 'SHA256withRSA',
  previousDigestS3Bucket: null,
  previousDigestS3Object: null,
  previousDigestHashValue: null,
  previousDigestHashAlgorithm: null,
  previousDigestSignature: null,
  logFiles: [],
  someNewField: 'kept',
};

function key(fingerprint: string, start: string, end: string): PublicKey {
  return { value: Buffer.from([1]), fingerprint, validityStart: new Date(start), validityEnd: new Date(end) };
}

describe('integrity core', () => {
  it('signing string: end time, body path, hash of the uncompressed digest, `null` for the first of a chain', () => {
    // Prepare
    const bytes = Buffer.from(JSON.stringify(BODY));

    // Act
    const text = signingString(parseDigest(bytes), bytes);

    // Assess
    expect(text).toBe(`2015-08-17T15:01:31Z\namzn-s3-demo-bucket/${BODY.digestS3Object}\n${sha256Hex(bytes)}\nnull`);
  });

  it('signing string ends with the previous signature when there is one', () => {
    const bytes = Buffer.from(JSON.stringify({ ...BODY, previousDigestSignature: 'ab12' }));
    expect(signingString(parseDigest(bytes), bytes).split('\n')[3]).toBe('ab12');
  });

  it('verifies RSA PKCS#1 v1.5 SHA-256 with a DER PKCS#1 public key; rejects a changed string or non-hex signature', () => {
    // Prepare
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = publicKey.export({ format: 'der', type: 'pkcs1' });
    const signature = sign('sha256', Buffer.from('hello'), privateKey).toString('hex');

    // Assess
    expect(verifySignature(der, 'hello', signature)).toBe(true);
    expect(verifySignature(der, 'hellO', signature)).toBe(false);
    expect(verifySignature(der, 'hello', `zz${signature.slice(2)}`)).toBe(false);
    expect(verifySignature(Buffer.from('not a key'), 'hello', signature)).toBe(false);
  });

  it('selects the key by fingerprint and validity window', () => {
    const keys = [key('aa', '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z'), key('bb', '2021-01-01T00:00:00Z', '2022-01-01T00:00:00Z')];
    expect(selectKey(keys, 'bb', new Date('2021-06-01T00:00:00Z'))?.fingerprint).toBe('bb');
    expect(selectKey(keys, 'BB', new Date('2021-06-01T00:00:00Z'))?.fingerprint).toBe('bb');
    // the right fingerprint outside its window does not count
    expect(selectKey(keys, 'aa', new Date('2021-06-01T00:00:00Z'))).toBeUndefined();
    expect(selectKey(keys, 'cc', new Date('2021-06-01T00:00:00Z'))).toBeUndefined();
  });

  it('caches keys per region and day; a failure is typed and not cached', async () => {
    // Prepare
    let calls = 0;
    let fail = true;
    const cache = new CachedPublicKeys({
      listPublicKeys: async () => {
        calls++;
        if (fail) throw new Error('ThrottlingException: Rate exceeded');
        return [key('aa', '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z')];
      },
    });
    const at = new Date('2026-03-01T05:00:00Z');

    // Act + Assess
    await expect(cache.keyFor('us-east-1', 'aa', at)).rejects.toThrow(PublicKeysUnavailableError);
    fail = false;
    expect((await cache.keyFor('us-east-1', 'aa', at))?.fingerprint).toBe('aa');
    expect((await cache.keyFor('us-east-1', 'aa', new Date('2026-03-01T06:00:00Z')))?.fingerprint).toBe('aa');
    expect(calls).toBe(2);
    await cache.keyFor('eu-west-1', 'aa', at);
    expect(calls).toBe(3);
  });

  it('rejects a body that is not a digest with MalformedDigestError', () => {
    expect(() => parseDigest(Buffer.from('nope'))).toThrow(MalformedDigestError);
    expect(() => parseDigest(Buffer.from(JSON.stringify({ ...BODY, logFiles: undefined })))).toThrow(/logFiles/);
  });

  it('findings: digest problems CRITICAL, chain HIGH, modified CRITICAL, missing HIGH; each with a runbook and a stable dedup key', () => {
    // Prepare
    const digest = { bucket: 'b', key: 'd.json.gz' };
    const verdict: DigestVerdict = {
      digest,
      valid: false,
      problems: [
        { code: 'signature-invalid', message: 'bad' },
        { code: 'previous-missing', message: 'gone' },
      ],
      backfill: false,
      logFileCount: 2,
    };

    // Act
    const findings = integrityFindings(verdict, [
      { logFile: { bucket: 'b', key: 'l1' }, status: 'modified', digest, expectedHash: 'a', actualHash: 'b' },
      { logFile: { bucket: 'b', key: 'l2' }, status: 'missing', digest, expectedHash: 'a' },
      { logFile: { bucket: 'b', key: 'l3' }, status: 'valid', digest, expectedHash: 'a', actualHash: 'a' },
    ]);

    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.source])).toEqual([
      [INTEGRITY_RULES.digestInvalid.ruleId, 'CRITICAL', 'integrity'],
      [INTEGRITY_RULES.chainBroken.ruleId, 'HIGH', 'integrity'],
      [INTEGRITY_RULES.logModified.ruleId, 'CRITICAL', 'integrity'],
      [INTEGRITY_RULES.logMissing.ruleId, 'HIGH', 'integrity'],
    ]);
    expect(findings.every((f) => (f.runbook ?? '').length > 0)).toBe(true);
    expect(findings[2]?.dedupKey).toBe('integrity#integrity-log-file-modified#b/l1');
  });
});
