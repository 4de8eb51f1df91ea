import {
  InvalidParameterException,
  KMSThrottlingException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsNotifier } from '../../../lib/aws/sns-notifier';
import { TrailwatchError } from '../../../lib/errors';
import { MemoryNotifier, NotifyError, NotifyRejectedError, NotifyUnavailableError, type Notification } from '../../../lib/notify';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailwatch-alerts';
const sns = mockClient(SNSClient);
const notification: Notification = {
  subject: '[HIGH] Something happened',
  message: '{"schemaVersion":1}',
  messageAttributes: {
    severity: { DataType: 'String', StringValue: 'HIGH' },
    severityRank: { DataType: 'Number', StringValue: '3' },
  },
};

beforeEach(() => sns.reset());

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the publish to fail');
}

describe('SnsNotifier', () => {
  it('publishes subject, message and attributes to its topic, without MessageStructure', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    const result = await new SnsNotifier(new SNSClient({}), TOPIC).publish(notification);

    // Assess
    expect(result).toEqual({ messageId: 'm-1' });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: notification.messageAttributes,
    });
  });

  it('passes MessageStructure through when a notification sets it', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });

    // Act
    await new SnsNotifier(new SNSClient({}), TOPIC).publish({ ...notification, messageStructure: 'json' });

    // Assess
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageStructure).toBe('json');
  });

  it.each([
    ['InvalidParameterException', new InvalidParameterException({ message: 'Invalid parameter: Subject', $metadata: { httpStatusCode: 400 } })],
    ['NotFoundException', new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } })],
  ])('turns %s into a NotifyRejectedError', async (code, error) => {
    // Prepare
    sns.on(PublishCommand).rejects(error);

    // Act
    const thrown = await failure(new SnsNotifier(new SNSClient({}), TOPIC).publish(notification));

    // Assess
    expect(thrown).toBeInstanceOf(NotifyRejectedError);
    expect(thrown).toBeInstanceOf(NotifyError);
    expect(thrown).toBeInstanceOf(TrailwatchError);
    expect(thrown).toMatchObject({ code, reason: 'NotifyRejected', cause: error });
    expect((thrown as Error).message).toContain(TOPIC);
  });

  it.each([
    ['ThrottledException', new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } })],
    ['KMSThrottlingException', new KMSThrottlingException({ message: 'KMS is busy', $metadata: { httpStatusCode: 400 } })],
    ['Error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('turns %s into a NotifyUnavailableError', async (code, error) => {
    // Prepare
    sns.on(PublishCommand).rejects(error);

    // Act
    const thrown = await failure(new SnsNotifier(new SNSClient({}), TOPIC).publish(notification));

    // Assess
    expect(thrown).toBeInstanceOf(NotifyUnavailableError);
    expect(thrown).toMatchObject({ code, reason: 'NotifyUnavailable' });
  });

  it('treats a response without MessageId as a failure', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});

    // Act
    const thrown = await failure(new SnsNotifier(new SNSClient({}), TOPIC).publish(notification));

    // Assess
    expect(thrown).toBeInstanceOf(NotifyUnavailableError);
  });
});

describe('MemoryNotifier', () => {
  it('keeps what it publishes, in order, with distinct message ids', async () => {
    // Prepare
    const notifier = new MemoryNotifier();

    // Act
    const ids = [await notifier.publish(notification), await notifier.publish({ ...notification, subject: 'second' })];

    // Assess
    expect(notifier.published.map((n) => n.subject)).toEqual([notification.subject, 'second']);
    expect(new Set(ids.map((id) => id.messageId)).size).toBe(2);
  });
});
