import { PublishCommand, SNSServiceException, type SNSClient } from '@aws-sdk/client-sns';
import { NotifyRejectedError, NotifyUnavailableError, type NotifyError } from '../notify/errors';
import type { Notification } from '../notify/notification';
import type { Notifier } from '../notify/notifier';

/**
 * Publishes notifications to one SNS topic. Throttling, 5xx and network errors are retried
 * by the SDK's own retry strategy (configure the client's `maxAttempts`/`retryMode`); what
 * is left is turned into a typed NotifyError.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(notification: Notification): Promise<{ messageId: string }> {
    let messageId: string | undefined;
    try {
      const out = await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: notification.subject,
          Message: notification.message,
          MessageAttributes: notification.messageAttributes,
          ...(notification.messageStructure ? { MessageStructure: notification.messageStructure } : {}),
        }),
      );
      messageId = out.MessageId;
    } catch (err) {
      throw wrap(err, this.topicArn);
    }
    if (!messageId) {
      throw new NotifyUnavailableError(`Publish to ${this.topicArn} returned no MessageId`, 'MissingMessageId');
    }
    return { messageId };
  }
}

function wrap(err: unknown, topicArn: string): NotifyError {
  const code = err instanceof Error ? err.name : 'Error';
  const text = `Publish to ${topicArn} failed: ${code}: ${err instanceof Error ? err.message : String(err)}`;
  const status = err instanceof SNSServiceException ? err.$metadata.httpStatusCode : undefined;
  // A 4xx other than throttling is the service saying no; anything else may pass later.
  const rejected = err instanceof SNSServiceException && err.$fault === 'client' && status !== 429 && !/Throttl/i.test(code);
  return rejected ? new NotifyRejectedError(text, code, { cause: err }) : new NotifyUnavailableError(text, code, { cause: err });
}
