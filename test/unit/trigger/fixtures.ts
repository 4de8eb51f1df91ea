import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A sample trigger event from test/fixtures/triggers, parsed afresh so a test may change it. */
export function loadTrigger(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/triggers', name), 'utf8'));
}

/** The fields of an S3 notification record the tests change. */
export interface S3RecordFixture {
  eventName: string;
  requestParameters: { sourceIPAddress: string };
  s3: { bucket: { name: string }; object: { key: string; size?: number; versionId?: string | null; sequencer?: string; eTag?: string } };
}

/** s3-put.json with its single record passed through `change`. */
export function s3PutWith(change: (record: S3RecordFixture) => void): { Records: S3RecordFixture[] } {
  const event = loadTrigger('s3-put.json') as { Records: S3RecordFixture[] };
  const [record] = event.Records;
  if (record === undefined) throw new Error('s3-put.json has no record');
  change(record);
  return event;
}

/** The single record of s3-put.json. */
export function s3PutRecord(): S3RecordFixture {
  return s3PutWith(() => undefined).Records[0] as S3RecordFixture;
}

/** Wraps a message in the envelope SNS gives an SQS subscription without raw delivery. */
export function snsEnvelope(message: unknown): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: 'd88d4479-6ec0-54fe-b63f-1cf9df4bb16e',
    TopicArn: 'arn:aws:sns:us-east-1:111122223333:cloudtrail-log-objects',
    Message: JSON.stringify(message),
    Timestamp: '2025-03-14T09:15:02.791Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE==',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  };
}
