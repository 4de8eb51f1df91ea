export { isSqsEvent } from './sqs';
export { objectRefsFrom, readTrigger } from './object-refs';
export type { IgnoredNotice, RejectedEntry, RemovedObject, TriggerContents } from './object-refs';
export { decodeS3NotificationKey, encodeS3NotificationKey } from './s3-key';
