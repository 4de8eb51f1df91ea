import { z } from 'zod';

/**
 * The trigger shapes trailwatch accepts, as lenient zod schemas that require only the
 * fields it reads. Unknown fields pass (zod objects strip them), so new AWS fields never
 * break parsing.
 *
 * Why not Powertools Parser's schemas (`S3Schema`, `SnsSchema`, `SqsSchema`,
 * `S3EventNotificationEventBridgeSchema`, 2.35): they validate the whole envelope, and
 * some of it is stricter than what AWS sends. `S3Schema` accepts only an IPv4 address or
 * `s3.amazonaws.com` as `sourceIPAddress`, so a put over an IPv6 (dual-stack) endpoint is
 * rejected; the EventBridge detail schema rejects an IPv6 `source-ip-address`; `SnsSchema`
 * requires `UnsubscribeUrl`, `SqsSchema` every SQS system attribute. A tool that must not
 * lose a delivery cannot drop a legitimate event over a field it never reads. CloudTrail's
 * own SNS message and the `s3:TestEvent` have no Powertools schema at all. The unit tests
 * still run the sample events through the Powertools schemas, to keep them complete.
 */

const nonEmpty = z.string().min(1);

/** S3 event notification (S3 → Lambda, or the body S3 → SQS / SNS carries). */
export const S3NotificationSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:s3'),
        // `ObjectCreated:Put`, `ObjectRemoved:Delete`, …: no `s3:` prefix in notifications.
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: nonEmpty }),
          object: z.object({
            key: nonEmpty,
            size: z.number().nonnegative().optional(),
            eTag: z.string().optional(),
            // The S3 user guide describes it as "null" when versioning is off; in practice absent.
            versionId: z.string().nullish(),
            sequencer: z.string().optional(),
          }),
        }),
      }),
    )
    .min(1),
});
export type S3Notification = z.infer<typeof S3NotificationSchema>;

/** SNS → Lambda event: one record per message, the message as a string. */
export const SnsLambdaEventSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({ Message: z.string() }),
      }),
    )
    .min(1),
});

/** SNS envelope an SQS subscription receives when raw message delivery is off. */
export const SnsEnvelopeSchema = z.object({
  Type: z.literal('Notification'),
  Message: z.string(),
});

/** Any S3 event on EventBridge: the detail is read per detail-type. */
export const EventBridgeS3EventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  detail: z.unknown(),
});

/** `detail` of an EventBridge "Object Created" event. The key is NOT URL-encoded here. */
export const ObjectCreatedDetailSchema = z.object({
  bucket: z.object({ name: nonEmpty }),
  object: z.object({
    key: nonEmpty,
    size: z.number().nonnegative().optional(),
    etag: z.string().optional(),
    'version-id': z.string().optional(),
    sequencer: z.string().optional(),
  }),
});

/**
 * `detail` of an EventBridge "Object Deleted" event (S3 user guide, "EventBridge event
 * message structure"): no size or ETag; `deletion-type` is `Permanently Deleted` or
 * `Delete Marker Created` (versioned bucket), `reason` is `DeleteObject` or
 * `Lifecycle Expiration`. The key is NOT URL-encoded here.
 */
export const ObjectDeletedDetailSchema = z.object({
  bucket: z.object({ name: nonEmpty }),
  object: z.object({
    key: nonEmpty,
    'version-id': z.string().optional(),
    sequencer: z.string().optional(),
  }),
  'deletion-type': z.string().optional(),
  reason: z.string().optional(),
});

/**
 * The message CloudTrail publishes to a trail's SNS topic per delivered file
 * (CloudTrail user guide, "Configuring Amazon SNS notifications for CloudTrail").
 * Keys are plain, not URL-encoded.
 */
export const CloudTrailNotificationSchema = z.object({
  s3Bucket: nonEmpty,
  s3ObjectKey: z.array(nonEmpty),
});

/** The message S3 sends to an SQS/SNS destination when a notification is configured. */
export const S3TestEventSchema = z.object({
  Service: z.literal('Amazon S3'),
  Event: z.literal('s3:TestEvent'),
  Bucket: z.string().optional(),
});

/** SQS → Lambda batch: only what the handler needs to process and report each record. */
export const SqsBatchSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:sqs'),
        messageId: z.string(),
        body: z.string(),
      }),
    )
    .min(1),
});
