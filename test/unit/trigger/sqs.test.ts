import { isSqsEvent } from '../../../lib/trigger';
import { loadTrigger } from './fixtures';

describe('isSqsEvent', () => {
  it.each(['sqs-s3.json', 'sqs-sns-s3.json', 'sqs-cloudtrail-sns.json'])('recognises the SQS batch %s', (name) => {
    // Prepare
    const event = loadTrigger(name);

    // Act
    const result = isSqsEvent(event);

    // Assess
    expect(result).toBe(true);
  });

  it.each(['s3-put.json', 'sns-s3.json', 'cloudtrail-sns.json', 'eventbridge-object-created.json', 's3-test-event.json'])(
    'does not take %s for an SQS batch',
    (name) => {
      // Prepare
      const event = loadTrigger(name);

      // Act
      const result = isSqsEvent(event);

      // Assess
      expect(result).toBe(false);
    },
  );

  it.each([
    ['null', null],
    ['a string', 'Records'],
    ['an empty batch', { Records: [] }],
    ['Records that is not a list', { Records: {} }],
  ])('rejects %s', (_name, event) => {
    // Act
    const result = isSqsEvent(event);

    // Assess
    expect(result).toBe(false);
  });

  it('rejects a batch where one record is not from SQS', () => {
    // Prepare
    const event = loadTrigger('sqs-s3.json') as { Records: Record<string, unknown>[] };
    (event.Records[1] as Record<string, unknown>)['eventSource'] = 'aws:kinesis';

    // Act
    const result = isSqsEvent(event);

    // Assess
    expect(result).toBe(false);
  });

  it.each(['body', 'messageId'])('rejects a record whose %s is not a string', (field) => {
    // Prepare
    const event = loadTrigger('sqs-s3.json') as { Records: Record<string, unknown>[] };
    (event.Records[0] as Record<string, unknown>)[field] = { not: 'a string' };

    // Act
    const result = isSqsEvent(event);

    // Assess
    expect(result).toBe(false);
  });

  it('accepts a record without the system attributes it does not need', () => {
    // Prepare
    const event = { Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body: '{}' }] };

    // Act
    const result = isSqsEvent(event);

    // Assess
    expect(result).toBe(true);
  });
});
