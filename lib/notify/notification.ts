import type { Severity } from '../findings';

/** One SNS message attribute as Publish takes it (Binary is never used here). */
export interface MessageAttribute {
  readonly DataType: 'String' | 'String.Array' | 'Number';
  readonly StringValue: string;
}

/** What a Notifier publishes: SNS Publish's Subject, Message, MessageAttributes and MessageStructure. */
export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttribute>>;
  /**
   * Never set by `buildNotification`: `json` would make SNS drop the attributes that
   * subscription filter policies match on (see README.md, "MessageStructure").
   */
  readonly messageStructure?: 'json';
}

/**
 * Who the message is written for: `json` for machines (SQS, Lambda, HTTPS), `text` for people
 * (email), `chat` for Amazon Q Developer in chat applications (a custom notification).
 */
export type NotificationFormat = 'json' | 'text' | 'chat';

export interface NotifyOptions {
  /** Publish for every processed or failed delivery, findings or not (never for skipped objects). */
  readonly always?: boolean;
  /** Leave out findings below this severity (counted in `omitted.belowMinSeverity`). */
  readonly minSeverity?: Severity;
  /** The CloudWatch Logs group the records were forwarded to, for the Logs Insights link. */
  readonly logGroup: string;
  /** Region of that log group (the function's region); default: the delivery's region. */
  readonly consoleRegion?: string;
  /** Clock for `generatedAt` and the fallback query time range. */
  readonly now?: () => Date;
  /**
   * Budget for Message + attributes (+ Subject, counted as a margin), UTF-8 bytes.
   * Default and maximum: 262,144, SNS Publish's limit.
   */
  readonly maxBytes?: number;
  /** Default `json`. */
  readonly format?: NotificationFormat;
  /** Example events per aggregated rule; default 3. */
  readonly maxExamples?: number;
}

/** SNS Publish: "at most 262,144 bytes", message attributes included (AWS-FACTS.md). */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** SNS Publish Subject: "less than 100 characters"; counted in UTF-16 units, the stricter reading. */
export const SNS_MAX_SUBJECT_CHARS = 99;
/** SQS subscriptions with raw message delivery drop messages with more than 10 attributes. */
export const SNS_MAX_RAW_ATTRIBUTES = 10;
