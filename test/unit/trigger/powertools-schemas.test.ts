/**
 * The sample events are complete: Powertools Parser's strict schemas accept them, so tests
 * run against what AWS sends, not trimmed shapes. And where those schemas are stricter than
 * AWS (the reason lib/trigger uses its own lenient schemas), trailwatch still reads the event.
 */
import { S3EventNotificationEventBridgeSchema, S3Schema, S3SqsEventNotificationSchema } from '@aws-lambda-powertools/parser/schemas/s3';
import { SnsSchema, SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { objectRefsFrom } from '../../../lib/trigger';
import { loadTrigger, s3PutWith } from './fixtures';

interface SqsBodies {
  Records: { body: string }[];
}
interface SnsMessages {
  Records: { Sns: { Message: string } }[];
}

describe('sample trigger events are complete', () => {
  it('s3-put.json passes S3Schema', () => {
    // Act
    const result = S3Schema.safeParse(loadTrigger('s3-put.json'));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it.each(['s3-object-removed-delete.json', 's3-object-removed-delete-marker.json'])('%s passes S3Schema', (name) => {
    // Act
    const result = S3Schema.safeParse(loadTrigger(name));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it('eventbridge-object-deleted.json passes S3EventNotificationEventBridgeSchema', () => {
    // Act
    const result = S3EventNotificationEventBridgeSchema.safeParse(loadTrigger('eventbridge-object-deleted.json'));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it('sqs-s3.json passes S3SqsEventNotificationSchema', () => {
    // Act
    const result = S3SqsEventNotificationSchema.safeParse(loadTrigger('sqs-s3.json'));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it('sns-s3.json passes SnsSchema, and its message S3Schema', () => {
    // Prepare
    const event = loadTrigger('sns-s3.json') as SnsMessages;

    // Act
    const outer = SnsSchema.safeParse(event);
    const inner = S3Schema.safeParse(JSON.parse(event.Records[0]?.Sns.Message ?? 'null'));

    // Assess
    expect(outer.error).toBeUndefined();
    expect(inner.error).toBeUndefined();
  });

  it.each(['sqs-sns-s3.json', 'sqs-cloudtrail-sns.json'])('%s passes SqsSchema, and its body SnsSqsNotificationSchema', (name) => {
    // Prepare
    const event = loadTrigger(name) as SqsBodies;

    // Act
    const outer = SqsSchema.safeParse(event);
    const envelopes = event.Records.map((record) => SnsSqsNotificationSchema.safeParse(JSON.parse(record.body)));

    // Assess
    expect(outer.error).toBeUndefined();
    expect(envelopes.map((result) => result.error)).toEqual(event.Records.map(() => undefined));
  });

  it('the S3 notification inside sqs-sns-s3.json passes S3Schema', () => {
    // Prepare
    const event = loadTrigger('sqs-sns-s3.json') as SqsBodies;
    const envelope = JSON.parse(event.Records[0]?.body ?? 'null') as { Message: string };

    // Act
    const result = S3Schema.safeParse(JSON.parse(envelope.Message));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it('cloudtrail-sns.json passes SnsSchema', () => {
    // Act
    const result = SnsSchema.safeParse(loadTrigger('cloudtrail-sns.json'));

    // Assess
    expect(result.error).toBeUndefined();
  });

  it('eventbridge-object-created.json passes S3EventNotificationEventBridgeSchema', () => {
    // Act
    const result = S3EventNotificationEventBridgeSchema.safeParse(loadTrigger('eventbridge-object-created.json'));

    // Assess
    expect(result.error).toBeUndefined();
  });
});

describe('legitimate events Powertools schemas reject, trailwatch reads', () => {
  it('a put over an IPv6 (dual-stack) endpoint', () => {
    // Prepare
    const event = s3PutWith((record) => {
      record.requestParameters.sourceIPAddress = '2600:1f18:4a3:6902::7';
    });

    // Act
    const strict = S3Schema.safeParse(event);
    const refs = objectRefsFrom(event);

    // Assess
    expect(strict.success).toBe(false);
    expect(refs).toHaveLength(1);
  });

  it('an EventBridge "Object Created" event from an IPv6 address', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-created.json') as { detail: Record<string, unknown> };
    event.detail['source-ip-address'] = '2600:1f18:4a3:6902::7';

    // Act
    const strict = S3EventNotificationEventBridgeSchema.safeParse(event);
    const refs = objectRefsFrom(event);

    // Assess
    expect(strict.success).toBe(false);
    expect(refs).toHaveLength(1);
  });
});
