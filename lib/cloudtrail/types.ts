/**
 * CloudTrail record shapes. Every field may be absent or null, and new fields and enum
 * values appear over time (AWS-FACTS.md "Record fields"), so nothing here is required
 * and unknown keys are kept.
 */
export interface UserIdentity {
  type?: string | null;
  principalId?: string | null;
  arn?: string | null;
  accountId?: string | null;
  accessKeyId?: string | null;
  userName?: string | null;
  invokedBy?: string | null;
  sessionContext?: Record<string, unknown> | null;
  [field: string]: unknown;
}

export interface CloudTrailRecord {
  eventVersion?: string | null;
  eventTime?: string | null;
  eventSource?: string | null;
  eventName?: string | null;
  awsRegion?: string | null;
  sourceIPAddress?: string | null;
  userAgent?: string | null;
  userIdentity?: UserIdentity | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown> | null;
  requestID?: string | null;
  eventID?: string | null;
  readOnly?: boolean | null;
  eventType?: string | null;
  managementEvent?: boolean | null;
  recipientAccountId?: string | null;
  eventCategory?: string | null;
  [field: string]: unknown;
}

/** One record as read from a log file: the parsed object and its original JSON text. */
export interface TrailRecord {
  /** The record exactly as CloudTrail wrote it; forwarded unchanged so metric filters keep working. */
  readonly text: string;
  readonly record: CloudTrailRecord;
  /** UTF-8 length of `text`, known from the scan without re-encoding. */
  readonly bytes: number;
  /** Zero-based position in the file's `Records` array. */
  readonly index: number;
}

/** An S3 object named by a trigger event. The key is already URL-decoded. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly sequencer?: string;
  readonly versionId?: string;
  readonly eTag?: string;
}
