/**
 * Trigger events as AWS delivers them to Lambda, complete enough for Powertools' parser
 * schemas (S3Schema, SqsSchema, SnsSchema, EventBridgeSchema): a direct S3 notification,
 * S3 → SQS, S3 → SNS, S3 → EventBridge, and CloudTrail's own SNS notification.
 */
import { createHash } from 'node:crypto';
import { hashSeed, type Rng, stableChars } from './rng';
import { stableIp, uniqueId } from './principals';

/** An object as stored in S3, with what a notification says about it. */
export interface StoredObject {
  readonly bucket: string;
  /** The key as stored (not URL-encoded). */
  readonly key: string;
  readonly size: number;
  /** Hex MD5 of the object bytes (single-part upload), without quotes. */
  readonly eTag: string;
  readonly createdAt: Date;
  /** The service that wrote it: CloudTrail for trail files, AWS Config for its probe. */
  readonly writer: 'cloudtrail.amazonaws.com' | 'config.amazonaws.com';
}

export interface Scene {
  readonly accountId: string;
  readonly region: string;
}

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * URL-encodes a key as S3 event notifications do (AWS-FACTS.md "S3 event notifications"):
 * percent-encoding with `/` kept and spaces as `+`, so `decodeURIComponent(k.replace(/\+/g, ' '))`
 * gives the key back. CloudTrail keys are plain ASCII and come out unchanged.
 */
export function s3EncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** Sequencers order events for one key; S3's start with the time in hex. */
function sequencer(rng: Rng, at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000).toString(16).toUpperCase().padStart(8, '0');
  return `00${seconds}${rng.hex(8).toUpperCase()}`;
}

function s3RequestId(rng: Rng): string {
  return rng.upperAlnum(16);
}

function writerPrincipal(obj: StoredObject): string {
  const session = obj.writer === 'cloudtrail.amazonaws.com' ? 'regional-delivery-session' : 'AWSConfig-BucketConfigCheck';
  return `AWS:${uniqueId('AROA', obj.writer)}:${session}`;
}

/** S3's canonical owner principal id is opaque; a stable one per account. */
function ownerPrincipal(accountId: string): string {
  return `A${stableChars(`owner:${accountId}`, 'upperAlnum', 13)}`;
}

export function s3NotificationRecord(rng: Rng, obj: StoredObject, scene: Scene, configurationId = 'trailwatch-cloudtrail-logs'): Record<string, unknown> {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: scene.region,
    eventTime: obj.createdAt.toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: writerPrincipal(obj) },
    requestParameters: { sourceIPAddress: stableIp(obj.writer) },
    responseElements: { 'x-amz-request-id': s3RequestId(rng), 'x-amz-id-2': rng.base64(76) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: { name: obj.bucket, ownerIdentity: { principalId: ownerPrincipal(scene.accountId) }, arn: `arn:aws:s3:::${obj.bucket}` },
      object: { key: s3EncodeKey(obj.key), size: obj.size, eTag: obj.eTag, sequencer: sequencer(rng, obj.createdAt) },
    },
  };
}

export function s3Event(rng: Rng, objects: readonly StoredObject[], scene: Scene): { Records: Record<string, unknown>[] } {
  return { Records: objects.map((obj) => s3NotificationRecord(rng, obj, scene)) };
}

/** S3 → SQS → Lambda: one SQS message per S3 notification, each body an S3 event. */
export function sqsEvent(rng: Rng, objects: readonly StoredObject[], scene: Scene, queueName = 'trailwatch-local-deliveries'): { Records: Record<string, unknown>[] } {
  return {
    Records: objects.map((obj) => {
      const body = JSON.stringify(s3Event(rng, [obj], scene));
      const sent = obj.createdAt.getTime() + rng.int(50, 400);
      return {
        messageId: rng.uuid(),
        receiptHandle: `AQEB${rng.base64(340)}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(sent),
          SenderId: uniqueId('AIDA', 's3-event-notifications'),
          ApproximateFirstReceiveTimestamp: String(sent + rng.int(5, 200)),
        },
        messageAttributes: {},
        md5OfBody: md5Hex(body),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${scene.region}:${scene.accountId}:${queueName}`,
        awsRegion: scene.region,
      };
    }),
  };
}

/** An SNS → Lambda event: always one record, the SNS message as a string. */
export function snsEvent(rng: Rng, message: string, subject: string | null, at: Date, scene: Scene, topicName: string): { Records: Record<string, unknown>[] } {
  const topicArn = `arn:aws:sns:${scene.region}:${scene.accountId}:${topicName}`;
  const subscriptionArn = `${topicArn}:${rng.uuid()}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: rng.uuid(),
          TopicArn: topicArn,
          Subject: subject,
          Message: message,
          Timestamp: at.toISOString(),
          SignatureVersion: '1',
          Signature: `${rng.base64(342)}==`,
          SigningCertUrl: `https://sns.${scene.region}.amazonaws.com/SimpleNotificationService-${stableChars(`sns-cert:${scene.region}`, 'hex', 32)}.pem`,
          UnsubscribeUrl: `https://sns.${scene.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** S3 → SNS → Lambda: S3 publishes its event with the subject "Amazon S3 Notification". */
export function snsS3Event(rng: Rng, obj: StoredObject, scene: Scene, topicName = 'trailwatch-local-s3-events'): { Records: Record<string, unknown>[] } {
  const message = JSON.stringify(s3Event(rng, [obj], scene));
  return snsEvent(rng, message, 'Amazon S3 Notification', new Date(obj.createdAt.getTime() + rng.int(20, 300)), scene, topicName);
}

/** CloudTrail's own notification per delivered file: `{"s3Bucket":…,"s3ObjectKey":[…]}`, no subject. */
export function cloudTrailSnsEvent(rng: Rng, bucket: string, keys: readonly string[], at: Date, scene: Scene, topicName = 'trailwatch-local-cloudtrail'): { Records: Record<string, unknown>[] } {
  return snsEvent(rng, JSON.stringify({ s3Bucket: bucket, s3ObjectKey: keys }), null, at, scene, topicName);
}

/** S3 → EventBridge → Lambda. EventBridge carries the key as stored, not URL-encoded. */
export function eventBridgeObjectCreated(rng: Rng, obj: StoredObject, scene: Scene): Record<string, unknown> {
  return {
    version: '0',
    id: rng.uuid(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: scene.accountId,
    time: `${obj.createdAt.toISOString().slice(0, 19)}Z`,
    region: scene.region,
    resources: [`arn:aws:s3:::${obj.bucket}`],
    detail: {
      version: '0',
      bucket: { name: obj.bucket },
      object: { key: obj.key, size: obj.size, etag: obj.eTag, sequencer: sequencer(rng, obj.createdAt) },
      'request-id': s3RequestId(rng),
      requester: obj.writer,
      'source-ip-address': stableIp(obj.writer),
      reason: 'PutObject',
    },
  };
}

/** A stable, plausible "when S3 stored it": a few seconds after the delivery minute. */
export function storedAt(deliveredAt: Date, name: string): Date {
  return new Date(deliveredAt.getTime() + 5_000 + (hashSeed(name) % 50_000));
}
