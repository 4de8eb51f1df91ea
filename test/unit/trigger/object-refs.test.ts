import type { SQSEvent } from 'aws-lambda';
import { UnrecognisedTriggerError } from '../../../lib/errors';
import { isSqsEvent, objectRefsFrom, readTrigger } from '../../../lib/trigger';
import { loadTrigger, s3PutRecord, s3PutWith, snsEnvelope } from './fixtures';

const BUCKET = 'aws-cloudtrail-logs-111122223333-3c5a8f1e';
const KEY_US_EAST_1 =
  'AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/14/111122223333_CloudTrail_us-east-1_20250314T0905Z_Ab3dE6gH9jK2mN5p.json.gz';

/** The object s3-put.json (and the samples built from the same delivery) names. */
const PUT_REF = {
  bucket: BUCKET,
  key: KEY_US_EAST_1,
  size: 3185,
  eTag: '0f343b0931126a20f133d67c2b018a3b',
  versionId: 'fZ3y.rUq2hV0xW1J5kp9QeLx7nB4sT6m',
  sequencer: '0067D3F1A5C2E4B7F1',
};

/** What the SQS handler does: each record's body on its own. */
function refsPerSqsRecord(event: unknown): unknown[] {
  if (!isSqsEvent(event)) throw new Error('not an SQS event');
  return (event as SQSEvent).Records.map((record) => objectRefsFrom(JSON.parse(record.body)));
}

function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('objectRefsFrom: every delivery shape', () => {
  it('reads a direct S3 event notification (S3 → Lambda)', () => {
    // Prepare
    const event = loadTrigger('s3-put.json');

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it('reads each SQS record body that holds an S3 notification (S3 → SQS → Lambda)', () => {
    // Prepare
    const event = loadTrigger('sqs-s3.json');

    // Act
    const refs = refsPerSqsRecord(event);

    // Assess
    expect(refs).toEqual([
      [PUT_REF],
      [
        {
          bucket: BUCKET,
          key: 'AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/14/111122223333_CloudTrail_eu-west-1_20250314T0910Z_qR7sT1uV4wX8yZ2a.json.gz',
          size: 12873,
          eTag: '9b2cf535f27731c974343645a3985328',
          versionId: 'Hc9tW2qLx0aJ3vR7bN5mK1pY8sD4fG6e',
          sequencer: '0067D3F2AFE1B3C4D5',
        },
      ],
    ]);
  });

  it('reads an S3 notification inside an SNS Lambda event (S3 → SNS → Lambda)', () => {
    // Prepare
    const event = loadTrigger('sns-s3.json');

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it('reads an S3 notification inside the SNS envelope of a non-raw SQS subscription (S3 → SNS → SQS → Lambda)', () => {
    // Prepare
    const event = loadTrigger('sqs-sns-s3.json');

    // Act
    const refs = refsPerSqsRecord(event);

    // Assess
    expect(refs).toEqual([
      [
        {
          bucket: BUCKET,
          key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/14/111122223333_CloudTrail_us-east-1_20250314T0915Z_Lm4Np7Qr1St5Uv9W.json.gz',
          size: 4410,
          eTag: '4e68adba0abe2dc8653dc3354e14c01d',
          versionId: 'Zp1Lx8qWm3vNt6Ry0bUe4kHs7cJd2fGa',
          sequencer: '0067D3F3C1A9E8B7D6',
        },
      ],
    ]);
  });

  it('reads an EventBridge "Object Created" event, mapping etag and version-id', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-created.json');

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it('reads an EventBridge event that arrives as an SQS body (EventBridge → SQS → Lambda)', () => {
    // Prepare
    const body = JSON.stringify(loadTrigger('eventbridge-object-created.json'));

    // Act
    const refs = objectRefsFrom(JSON.parse(body));

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it("reads CloudTrail's own SNS notification (CloudTrail → SNS → Lambda)", () => {
    // Prepare
    const event = loadTrigger('cloudtrail-sns.json');

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([{ bucket: BUCKET, key: KEY_US_EAST_1 }]);
  });

  it("reads CloudTrail's SNS notification of an organization trail through SQS, every key listed", () => {
    // Prepare
    const event = loadTrigger('sqs-cloudtrail-sns.json');

    // Act
    const refs = refsPerSqsRecord(event);

    // Assess
    expect(refs).toEqual([
      [
        {
          bucket: 'org-cloudtrail-999988887777',
          key: 'trails/org/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/ap-southeast-2/2025/03/14/444455556666_CloudTrail_ap-southeast-2_20250314T2355Z_Vw2Xy5Za8Bc1De4F.json.gz',
        },
        {
          bucket: 'org-cloudtrail-999988887777',
          key: 'trails/org/AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/us-west-2/2025/03/14/777788889999_CloudTrail_us-west-2_20250314T2355Z_Gh7Ij0Kl3Mn6Op9Q.json.gz',
        },
      ],
    ]);
  });

  it('returns no objects for the s3:TestEvent and says so', () => {
    // Prepare
    const event = loadTrigger('s3-test-event.json');

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.objects).toEqual([]);
    expect(contents.ignored).toEqual([{ reason: expect.stringContaining('S3 test event'), bucket: BUCKET }]);
  });

  it('returns no objects for the s3:TestEvent inside an SNS envelope', () => {
    // Prepare
    const event = snsEnvelope(loadTrigger('s3-test-event.json'));

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([]);
  });
});

describe('objectRefsFrom: S3 key decoding', () => {
  it.each([
    ['+ is a space', 'logs/red+flower.json.gz', 'logs/red flower.json.gz'],
    ['%2B is a plus', 'logs/c%2B%2B+notes.json.gz', 'logs/c++ notes.json.gz'],
    ['escaped punctuation', 'dt%3D2025-03-14/a%3Ab%3Bc.json.gz', 'dt=2025-03-14/a:b;c.json.gz'],
    ['two-byte UTF-8', 'caf%C3%A9/r%C3%A9sum%C3%A9.json.gz', 'café/résumé.json.gz'],
    ['four-byte UTF-8', 'emoji/%F0%9F%93%9C.json.gz', 'emoji/📜.json.gz'],
    ['an escaped percent sign', '100%25/file.json.gz', '100%/file.json.gz'],
  ])('decodes %s', (_name, encoded, decoded) => {
    // Prepare
    const event = s3PutWith((record) => {
      record.s3.object.key = encoded;
    });

    // Act
    const [ref] = objectRefsFrom(event);

    // Assess
    expect(ref?.key).toBe(decoded);
  });

  it.each([
    ['a truncated escape', 'AWSLogs/%E0%A4%A.json.gz'],
    ['a lone percent sign', 'AWSLogs/100%.json.gz'],
    ['non-hex digits', 'AWSLogs/%zz.json.gz'],
    ['an invalid UTF-8 sequence', 'AWSLogs/%C3.json.gz'],
  ])('rejects %s as an unrecognised trigger naming the key', (_name, encoded) => {
    // Prepare
    const event = s3PutWith((record) => {
      record.s3.object.key = encoded;
    });

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error).not.toBeInstanceOf(URIError);
    expect(error.message).toContain(JSON.stringify(encoded));
    expect(error.message).toContain(BUCKET);
  });

  it('keeps the good objects of a multi-record event when one key has a malformed escape, and names the bad one', () => {
    // Prepare
    const good = s3PutWith(() => undefined) as { Records: { s3: { object: { key: string } } }[] };
    const bad = s3PutWith((record) => {
      record.s3.object.key = 'AWSLogs/%E0%A4%A.json.gz';
    }) as { Records: unknown[] };
    const event = { Records: [...bad.Records, ...good.Records] };

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.objects).toHaveLength(1);
    expect(contents.rejected).toEqual([{ error: expect.any(UnrecognisedTriggerError), bucket: BUCKET, key: 'AWSLogs/%E0%A4%A.json.gz' }]);
  });

  it('does not decode EventBridge keys, which arrive as stored', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-created.json') as { detail: { object: { key: string } } };
    event.detail.object.key = 'exports/c++ 100%25+done.json.gz';

    // Act
    const [ref] = objectRefsFrom(event);

    // Assess
    expect(ref?.key).toBe('exports/c++ 100%25+done.json.gz');
  });

  it("does not decode the keys of CloudTrail's SNS notification", () => {
    // Prepare
    const message = { s3Bucket: BUCKET, s3ObjectKey: ['my+prefix/AWSLogs/111122223333/x%41.json.gz'] };

    // Act
    const refs = objectRefsFrom(message);

    // Assess
    expect(refs).toEqual([{ bucket: BUCKET, key: 'my+prefix/AWSLogs/111122223333/x%41.json.gz' }]);
  });
});

describe('objectRefsFrom: what it skips and collapses', () => {
  it('reads ObjectRemoved records as removals and keeps the creations of the same event', () => {
    // Prepare
    const removed = s3PutRecord();
    removed.eventName = 'ObjectRemoved:Delete';
    removed.s3.object = { key: 'AWSLogs/old+file.json.gz', sequencer: '0067D3F1A5C2E4B800' };
    const event = s3PutWith(() => undefined);
    event.Records.push(removed);

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.objects).toEqual([PUT_REF]);
    expect(contents.removed).toEqual([
      { bucket: BUCKET, key: 'AWSLogs/old file.json.gz', sequencer: '0067D3F1A5C2E4B800', deleteMarker: false, event: 'ObjectRemoved:Delete' },
    ]);
    expect(contents.ignored).toEqual([]);
  });

  it('ignores a non-creation record even when its key would not decode', () => {
    // Prepare
    const event = s3PutWith((record) => {
      record.eventName = 'ObjectRestore:Completed';
      record.s3.object.key = 'AWSLogs/%E0%A4%A';
    });

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.objects).toEqual([]);
    expect(contents.ignored).toEqual([
      { reason: expect.stringContaining('ObjectRestore:Completed'), bucket: BUCKET, key: 'AWSLogs/%E0%A4%A' },
    ]);
  });

  it.each(['ObjectCreated:Post', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload'])(
    'reads %s like a put',
    (eventName) => {
      // Prepare
      const event = s3PutWith((record) => {
        record.eventName = eventName;
      });

      // Act
      const refs = objectRefsFrom(event);

      // Assess
      expect(refs).toEqual([PUT_REF]);
    },
  );

  it('ignores EventBridge S3 events other than "Object Created" and "Object Deleted"', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-created.json') as Record<string, unknown>;
    event['detail-type'] = 'Object Restore Completed';

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.objects).toEqual([]);
    expect(contents.removed).toEqual([]);
    expect(contents.ignored).toEqual([
      { reason: expect.stringContaining('"Object Restore Completed"'), bucket: BUCKET, key: KEY_US_EAST_1 },
    ]);
  });

  it('collapses a record repeated within one event', () => {
    // Prepare
    const event = s3PutWith(() => undefined);
    event.Records.push(s3PutRecord(), s3PutRecord());

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it('keeps writes of the same key that differ in sequencer or version', () => {
    // Prepare
    const later = s3PutRecord();
    later.s3.object.sequencer = '0067D3F1A5C2E4B7F2';
    const otherVersion = s3PutRecord();
    otherVersion.s3.object.versionId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const event = s3PutWith(() => undefined);
    event.Records.push(later, otherVersion);

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs.map((ref) => [ref.sequencer, ref.versionId])).toEqual([
      ['0067D3F1A5C2E4B7F1', 'fZ3y.rUq2hV0xW1J5kp9QeLx7nB4sT6m'],
      ['0067D3F1A5C2E4B7F2', 'fZ3y.rUq2hV0xW1J5kp9QeLx7nB4sT6m'],
      ['0067D3F1A5C2E4B7F1', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ]);
  });

  it('collapses the same write named by two SNS records of one event', () => {
    // Prepare
    const event = loadTrigger('sns-s3.json') as { Records: unknown[] };
    event.Records.push(event.Records[0]);

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });

  it("collapses a key CloudTrail's notification lists twice", () => {
    // Prepare
    const message = { s3Bucket: BUCKET, s3ObjectKey: [KEY_US_EAST_1, KEY_US_EAST_1] };

    // Act
    const refs = objectRefsFrom(message);

    // Assess
    expect(refs).toEqual([{ bucket: BUCKET, key: KEY_US_EAST_1 }]);
  });
});

describe('objectRefsFrom: lenient about fields it does not read', () => {
  it('accepts an S3 notification with only the fields trailwatch reads', () => {
    // Prepare
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'k+1' } } }] };

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([{ bucket: 'b', key: 'k 1' }]);
  });

  it('accepts a put from an IPv6 address and a null versionId', () => {
    // Prepare
    const event = s3PutWith((record) => {
      record.requestParameters.sourceIPAddress = '2001:db8:85a3::8a2e:370:7334';
      record.s3.object.versionId = null;
    });

    // Act
    const [ref] = objectRefsFrom(event);

    // Assess
    expect(ref).toEqual({ bucket: BUCKET, key: KEY_US_EAST_1, size: 3185, eTag: PUT_REF.eTag, sequencer: PUT_REF.sequencer });
    expect(ref).not.toHaveProperty('versionId');
  });

  it('accepts new, unknown fields anywhere', () => {
    // Prepare
    const event = s3PutWith((record) => {
      Object.assign(record, { newTopLevelField: { nested: true } });
      Object.assign(record.s3.object, { checksumAlgorithm: 'CRC64NVME' });
    });

    // Act
    const refs = objectRefsFrom(event);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });
});

describe('objectRefsFrom: unrecognised triggers', () => {
  it('names the top-level keys, never the values', () => {
    // Prepare
    const payload = { apiKey: 'do-not-log-this-value', detail: { secret: 'nor-this' } };

    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('[apiKey, detail]');
    expect(error.message).not.toContain('do-not-log-this-value');
    expect(error.message).not.toContain('nor-this');
  });

  it('lists at most ten keys and counts the rest', () => {
    // Prepare
    const payload = Object.fromEntries(Array.from({ length: 13 }, (_, index) => [`field${index}`, index]));

    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error.message).toContain('field9, …3 more]');
    expect(error.message).not.toContain('field10');
  });

  it.each([
    ['null', null, 'null'],
    ['an array', [1, 2], 'a JSON array of 2 item(s)'],
    ['a string', 'hello', 'a string of 5 character(s)'],
    ['a number', 42, 'a number'],
    ['an empty object', {}, 'an empty object'],
  ])('describes %s', (_name, payload, description) => {
    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain(description);
  });

  it('names the event source of records it does not know', () => {
    // Prepare
    const payload = { Records: [{ eventSource: 'aws:kinesis', kinesis: { data: 'c2VjcmV0' } }] };

    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error.message).toContain('Records[0].eventSource "aws:kinesis"');
    expect(error.message).not.toContain('c2VjcmV0');
  });

  it('names the source and detail-type of a foreign EventBridge event', () => {
    // Prepare
    const payload = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} };

    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error.message).toContain('source "aws.ec2"');
    expect(error.message).toContain('detail-type "EC2 Instance State-change Notification"');
  });

  it('tells the caller to pass the bodies of an SQS batch', () => {
    // Prepare
    const event = loadTrigger('sqs-s3.json');

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('isSqsEvent');
  });

  it('says where an unknown message sits inside an SNS event', () => {
    // Prepare
    const event = loadTrigger('sns-s3.json') as { Records: { Sns: { Message: string } }[] };
    (event.Records[0] as { Sns: { Message: string } }).Sns.Message = JSON.stringify({ hello: 'world' });

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error.message).toContain('event.Records[0].Sns.Message');
    expect(error.message).toContain('[hello]');
  });

  it('rejects an SNS message that is not JSON', () => {
    // Prepare
    const event = { ...snsEnvelope(null), Message: 'Hello from SNS!' };

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('event.Message is not JSON');
  });

  it('asks for an SNS SubscriptionConfirmation to be confirmed', () => {
    // Prepare
    const event = { ...snsEnvelope(null), Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription' };

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('SubscribeURL');
  });

  it('names the field a near-miss S3 notification lacks', () => {
    // Prepare
    const event = s3PutWith((record) => {
      delete (record.s3.object as { key?: string }).key;
    });

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('S3 event notification');
    expect(error.message).toContain('Records.0.s3.object.key');
  });

  it('rejects an EventBridge "Object Created" event without an object key', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-created.json') as { detail: { object: Record<string, unknown> } };
    delete event.detail.object['key'];

    // Act
    const error = thrownBy(() => objectRefsFrom(event));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('event.detail');
    expect(error.message).toContain('object.key');
  });

  it("rejects CloudTrail's notification when s3ObjectKey is not a list of keys", () => {
    // Prepare
    const message = { s3Bucket: BUCKET, s3ObjectKey: KEY_US_EAST_1 };

    // Act
    const error = thrownBy(() => objectRefsFrom(message));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('s3ObjectKey');
  });

  it('stops unwrapping envelopes nested beyond any real delivery path', () => {
    // Prepare
    let payload: unknown = loadTrigger('s3-put.json');
    for (let level = 0; level < 5; level += 1) payload = snsEnvelope(payload);

    // Act
    const error = thrownBy(() => objectRefsFrom(payload));

    // Assess
    expect(error).toBeInstanceOf(UnrecognisedTriggerError);
    expect(error.message).toContain('nested more than');
  });

  it('unwraps up to three nested envelopes', () => {
    // Prepare: one more level than any real path (SNS → message) needs, the deepest accepted.
    const payload = snsEnvelope(snsEnvelope(snsEnvelope(loadTrigger('s3-put.json'))));

    // Act
    const refs = objectRefsFrom(payload);

    // Assess
    expect(refs).toEqual([PUT_REF]);
  });
});

describe('readTrigger: deletions (tampering evidence under the trail prefix)', () => {
  it('reads an S3 ObjectRemoved:Delete notification (unversioned bucket: key and sequencer only)', () => {
    // Act
    const contents = readTrigger(loadTrigger('s3-object-removed-delete.json'));

    // Assess
    expect(contents.objects).toEqual([]);
    expect(contents.removed).toEqual([{ bucket: BUCKET, key: KEY_US_EAST_1, sequencer: '0067D400D3A1B2C3D4', deleteMarker: false, event: 'ObjectRemoved:Delete' }]);
  });

  it('reads an S3 ObjectRemoved:DeleteMarkerCreated notification (versioned bucket) with the marker\'s version', () => {
    // Act
    const [removed] = readTrigger(loadTrigger('s3-object-removed-delete-marker.json')).removed;

    // Assess
    expect(removed).toMatchObject({ bucket: BUCKET, versionId: 'wQ8r.Zk2Lm4nP6sT9vX1yA3bC5dE7fG0', deleteMarker: true, event: 'ObjectRemoved:DeleteMarkerCreated' });
    expect(removed?.key).toContain('/CloudTrail-Digest/us-east-1/');
  });

  it('reads an ObjectRemoved notification wrapped in SQS (S3 → SQS body) and in SNS → SQS', () => {
    // Prepare
    const notification = loadTrigger('s3-object-removed-delete.json');

    // Act
    const direct = readTrigger(notification).removed;
    const viaSns = readTrigger(snsEnvelope(notification)).removed;

    // Assess
    expect(direct).toHaveLength(1);
    expect(viaSns).toEqual(direct);
  });

  it('reads an EventBridge "Object Deleted" event (delete marker), the key as stored', () => {
    // Act
    const contents = readTrigger(loadTrigger('eventbridge-object-deleted.json'));

    // Assess
    expect(contents.removed).toEqual([
      {
        bucket: BUCKET,
        key: KEY_US_EAST_1,
        versionId: '1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF',
        sequencer: '0067D400D3A1B2C3F6',
        deleteMarker: true,
        event: 'Object Deleted (Delete Marker Created)',
      },
    ]);
  });

  it('reads a permanent EventBridge deletion, and skips one by a lifecycle expiration rule with its reason', () => {
    // Prepare
    const permanent = loadTrigger('eventbridge-object-deleted.json') as { detail: Record<string, unknown> };
    permanent.detail['deletion-type'] = 'Permanently Deleted';
    const expired = loadTrigger('eventbridge-object-deleted.json') as { detail: Record<string, unknown> };
    expired.detail['reason'] = 'Lifecycle Expiration';

    // Act
    const byRequest = readTrigger(permanent);
    const byLifecycle = readTrigger(expired);

    // Assess
    expect(byRequest.removed).toEqual([expect.objectContaining({ deleteMarker: false, event: 'Object Deleted (Permanently Deleted)' })]);
    expect(byLifecycle.removed).toEqual([]);
    expect(byLifecycle.ignored).toEqual([{ reason: expect.stringContaining('lifecycle expiration'), bucket: BUCKET, key: KEY_US_EAST_1 }]);
  });

  it('rejects an EventBridge "Object Deleted" event without an object key, naming the field', () => {
    // Prepare
    const event = loadTrigger('eventbridge-object-deleted.json') as { detail: { object: Record<string, unknown> } };
    delete event.detail.object['key'];

    // Act
    const read = () => readTrigger(event);

    // Assess
    expect(read).toThrow(/"Object Deleted" detail but is not one at object\.key/);
  });

  it('collapses a deletion repeated within one event', () => {
    // Prepare
    const event = loadTrigger('s3-object-removed-delete.json') as { Records: unknown[] };
    event.Records.push(event.Records[0]);

    // Act
    const contents = readTrigger(event);

    // Assess
    expect(contents.removed).toHaveLength(1);
  });
});
