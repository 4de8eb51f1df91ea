import type { Notification } from './notification';

/**
 * The port the pipeline publishes through: `SnsNotifier` (lib/aws/sns-notifier.ts) in
 * Lambda, `MemoryNotifier` in tests and local runs. Failures are `NotifyError`s
 * (lib/notify/errors.ts).
 */
export interface Notifier {
  publish(notification: Notification): Promise<{ messageId: string }>;
}

/** Keeps what it is given, in order; for tests and the local runner that prints it. */
export class MemoryNotifier implements Notifier {
  readonly published: Notification[] = [];

  async publish(notification: Notification): Promise<{ messageId: string }> {
    this.published.push(notification);
    return { messageId: `memory-${this.published.length}` };
  }
}
