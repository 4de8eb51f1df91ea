import { S3Client } from '@aws-sdk/client-s3';
import type { VerifyAws } from '../integrity/verify-command';
import { CloudTrailPublicKeys } from './cloudtrail-public-keys';
import { S3ObjectLister } from './s3-object-lister';
import { S3ObjectSource } from './s3-source';

/** `trailwatch verify` against AWS: S3 from the standard AWS_* settings, ListPublicKeys per Region. */
export function verifyAws(): VerifyAws {
  return {
    s3: () => {
      const client = new S3Client({});
      return { source: new S3ObjectSource(client), lister: new S3ObjectLister(client) };
    },
    publicKeys: () => new CloudTrailPublicKeys(),
  };
}
