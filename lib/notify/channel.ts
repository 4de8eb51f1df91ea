import type { AlertChannel } from '../ingest';
import type { DeliveryReport } from '../report';
import { buildNotification } from './build';
import type { NotifyOptions } from './notification';
import type { Notifier } from './notifier';

/**
 * An alert channel that renders the delivery for one audience (`options.format`: `text`
 * for people, `json` for machines) and publishes it through a Notifier (one SNS topic).
 */
export function notificationChannel(name: string, notifier: Notifier, options: NotifyOptions): AlertChannel {
  return {
    name,
    async notify(report: DeliveryReport) {
      const notification = buildNotification(report, options);
      if (!notification) return { published: false };
      const { messageId } = await notifier.publish(notification);
      return { published: true, messageId };
    },
  };
}
