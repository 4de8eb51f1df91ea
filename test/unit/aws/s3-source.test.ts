import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectSource } from '../../../lib/aws/s3-source';
import { ObjectAccessDeniedError } from '../../../lib/errors';

const s3 = mockClient(S3Client);
const ref = { bucket: 'trail', key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/x.json.gz' };

const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

describe('S3ObjectSource', () => {
  beforeEach(() => s3.reset());

  it('identifies the object by what S3 holds: version id (not the pre-versioning "null"), ETag without quotes', async () => {
    // Prepare
    s3.on(HeadObjectCommand).resolvesOnce({ VersionId: 'v-7', ETag: '"abc"' }).resolvesOnce({ VersionId: 'null', ETag: '"def-2"' });
    const source = new S3ObjectSource(new S3Client({ region: 'us-east-1' }));

    // Act
    const versioned = await source.identify(ref);
    const unversioned = await source.identify(ref);

    // Assess
    expect(versioned).toEqual({ versionId: 'v-7', eTag: 'abc' });
    expect(unversioned).toEqual({ eTag: 'def-2' });
  });

  it('a 403 says it may also be a missing key (the function has no s3:ListBucket)', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));
    const source = new S3ObjectSource(new S3Client({ region: 'us-east-1' }));

    // Act
    const opened = source.open(ref);

    // Assess
    await expect(opened).rejects.toBeInstanceOf(ObjectAccessDeniedError);
    await expect(source.open(ref)).rejects.toThrow(/403 for a key that does not exist/);
  });

  it('a KMS refusal is not confused with a missing key', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(serviceError('KMS.DisabledException', 400));
    const source = new S3ObjectSource(new S3Client({ region: 'us-east-1' }));

    // Act / Assess
    await expect(source.open(ref)).rejects.toThrow(/KMS\.DisabledException(?![^]*does not exist)/);
  });
});
