import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailureQueue, QueueMessage } from '../replay/queue';

export interface SqsFailureQueueOptions {
  /** Long polling: SQS samples only some of its servers on a short poll and can answer empty. Default 2 s (max 20). */
  readonly waitSeconds?: number;
  /**
   * How long a received message stays hidden while it is replayed: a large log file can take
   * minutes. Default 900 s, the longest Lambda run; a failed replay releases it at once.
   */
  readonly visibilitySeconds?: number;
}

/** The failure queue (the Lambda's on-failure destination, or a redrive queue) on SQS. */
export class SqsFailureQueue implements FailureQueue {
  private readonly waitSeconds: number;
  private readonly visibilitySeconds: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsFailureQueueOptions = {},
  ) {
    this.waitSeconds = options.waitSeconds ?? 2;
    this.visibilitySeconds = options.visibilitySeconds ?? 900;
  }

  async receive(max: number): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        // SQS: 1 to 10 messages per receive
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        WaitTimeSeconds: this.waitSeconds,
        VisibilityTimeout: this.visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.MessageId && m.ReceiptHandle && m.Body !== undefined
        ? [
            {
              id: m.MessageId,
              receiptHandle: m.ReceiptHandle,
              body: m.Body,
              ...(m.Attributes?.ApproximateReceiveCount ? { receiveCount: Number(m.Attributes.ApproximateReceiveCount) } : {}),
            },
          ]
        : [],
    );
  }

  async delete(message: QueueMessage): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle }));
  }

  async release(message: QueueMessage): Promise<void> {
    await this.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }));
  }
}
