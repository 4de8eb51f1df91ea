import type { z } from 'zod';
import type { ObjectRef } from '../cloudtrail/types';
import { UnrecognisedTriggerError } from '../errors';
import { describePayload, quote } from './describe';
import { decodeS3NotificationKey } from './s3-key';
import {
  CloudTrailNotificationSchema,
  EventBridgeS3EventSchema,
  ObjectCreatedDetailSchema,
  ObjectDeletedDetailSchema,
  S3NotificationSchema,
  S3TestEventSchema,
  SnsEnvelopeSchema,
  SnsLambdaEventSchema,
} from './shapes';

/** A well-formed event, or part of one, that names no object to read, and why. */
export interface IgnoredNotice {
  readonly reason: string;
  readonly bucket?: string;
  /** Decoded when it came URL-encoded and decodes; otherwise as it arrived. */
  readonly key?: string;
}

/** An entry that names an object but cannot be read as one (a key with a malformed % escape). */
export interface RejectedEntry {
  readonly error: UnrecognisedTriggerError;
  readonly bucket: string;
  /** As it arrived: it does not decode. */
  readonly key: string;
}

/**
 * An object deleted by a request (S3 `ObjectRemoved:*`, EventBridge "Object Deleted" by
 * DeleteObject). Under a trail's prefix it is tampering evidence: CloudTrail never deletes
 * what it delivered. The caller decides whether the key is a CloudTrail file.
 */
export interface RemovedObject {
  readonly bucket: string;
  /** Decoded. */
  readonly key: string;
  /** The deleted version, or the delete marker's version id. */
  readonly versionId?: string;
  readonly sequencer?: string;
  /** A versioned bucket kept the data behind a delete marker: it can be restored. */
  readonly deleteMarker: boolean;
  /** What the event called it, for the finding: `ObjectRemoved:Delete`, `Object Deleted (Permanently Deleted)`, … */
  readonly event: string;
}

export interface TriggerContents {
  /** Objects to read, duplicates within the event collapsed, in event order. */
  readonly objects: ObjectRef[];
  /** Objects deleted by a request, duplicates within the event collapsed, in event order. */
  readonly removed: RemovedObject[];
  /** What was deliberately skipped, so the caller can log it ("nothing is lost silently"). */
  readonly ignored: IgnoredNotice[];
  /**
   * Entries that are broken on their own: the caller reads the other objects, then fails the
   * event so that it reaches the failure destination with these named.
   */
  readonly rejected: RejectedEntry[];
}

/**
 * The longest legitimate chain is SNS (Lambda event or SQS envelope) → message, one level;
 * allow some slack, but never recurse without bound on a message that nests itself.
 */
const MAX_ENVELOPES = 3;

/**
 * Reads any trigger shape trailwatch accepts: a direct S3 notification, an SNS Lambda event,
 * an SQS message body (S3 notification, SNS envelope, EventBridge event, CloudTrail's SNS
 * message or S3's test event), an EventBridge "Object Created" or "Object Deleted" event, CloudTrail's SNS
 * message. Envelopes are unwrapped recursively.
 *
 * @throws UnrecognisedTriggerError for any other shape, naming what it saw.
 */
export function readTrigger(payload: unknown): TriggerContents {
  const found: TriggerContents = { objects: [], removed: [], ignored: [], rejected: [] };
  visit(payload, 'event', 0, found);
  return { objects: collapseDuplicates(found.objects), removed: collapseDuplicates(found.removed), ignored: found.ignored, rejected: found.rejected };
}

/** The objects a trigger names; see {@link readTrigger}. Throws for the first rejected entry. */
export function objectRefsFrom(payload: unknown): ObjectRef[] {
  const contents = readTrigger(payload);
  if (contents.rejected[0]) throw contents.rejected[0].error;
  return contents.objects;
}

function visit(payload: unknown, where: string, depth: number, found: TriggerContents): void {
  if (depth > MAX_ENVELOPES) {
    throw new UnrecognisedTriggerError(`${where}: envelopes nested more than ${MAX_ENVELOPES} deep`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw unrecognised(where, payload);
  }
  const fields = payload as Record<string, unknown>;

  if (Array.isArray(fields['Records'])) {
    const first: unknown = fields['Records'][0];
    const record = first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : {};
    if (record['eventSource'] === 'aws:s3') return readS3Notification(fields, where, found);
    if (record['EventSource'] === 'aws:sns') return readSnsLambdaEvent(fields, where, depth, found);
    if (record['eventSource'] === 'aws:sqs') {
      throw new UnrecognisedTriggerError(
        `${where} is a whole SQS batch: pass each record's parsed body instead (see isSqsEvent)`,
      );
    }
    throw unrecognised(where, payload);
  }
  if (typeof fields['Type'] === 'string' && 'Message' in fields) return readSnsEnvelope(fields, where, depth, found);
  if (fields['source'] === 'aws.s3' && 'detail-type' in fields) return readEventBridge(fields, where, found);
  if ('s3Bucket' in fields && 's3ObjectKey' in fields) return readCloudTrailNotification(fields, where, found);
  if (fields['Event'] === 's3:TestEvent') return readS3TestEvent(fields, where, found);
  throw unrecognised(where, payload);
}

function readS3Notification(payload: unknown, where: string, found: TriggerContents): void {
  const event = parse(S3NotificationSchema, payload, 'an S3 event notification', where);
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const { key: encodedKey, size, eTag, versionId, sequencer } = record.s3.object;
    const removal = record.eventName.startsWith('ObjectRemoved:');
    // Creations name a new log file, removals a deleted one; ObjectRestore, Replication,
    // LifecycleExpiration (a configured rule, not a request), … name nothing to act on.
    if (!record.eventName.startsWith('ObjectCreated:') && !removal) {
      found.ignored.push({
        reason: `S3 ${quote(record.eventName)} event: not an object creation`,
        bucket,
        key: decodeOrKeep(encodedKey),
      });
      continue;
    }
    let key: string;
    try {
      key = decodeS3NotificationKey(encodedKey, bucket);
    } catch (error) {
      // one broken entry must not hide the other objects of a multi-record event
      if (!(error instanceof UnrecognisedTriggerError)) throw error;
      found.rejected.push({ error, bucket, key: encodedKey });
      continue;
    }
    if (removal) {
      found.removed.push({
        bucket,
        key,
        ...(versionId ? { versionId } : {}),
        ...(sequencer === undefined ? {} : { sequencer }),
        deleteMarker: record.eventName === 'ObjectRemoved:DeleteMarkerCreated',
        event: record.eventName,
      });
      continue;
    }
    found.objects.push(objectRef({ bucket, key, size, eTag, versionId: versionId ?? undefined, sequencer }));
  }
}

function readSnsLambdaEvent(payload: unknown, where: string, depth: number, found: TriggerContents): void {
  const event = parse(SnsLambdaEventSchema, payload, 'an SNS event', where);
  event.Records.forEach((record, index) => {
    const inner = `${where}.Records[${index}].Sns.Message`;
    visit(parseJson(record.Sns.Message, inner), inner, depth + 1, found);
  });
}

function readSnsEnvelope(payload: Record<string, unknown>, where: string, depth: number, found: TriggerContents): void {
  const type = payload['Type'];
  if (type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation') {
    // An SQS queue subscribed to a topic in another account receives a SubscriptionConfirmation
    // that someone must confirm: make it visible (failure queue) rather than skip it.
    throw new UnrecognisedTriggerError(
      `${where} is an SNS ${type} message, which names no object` +
        ' (a SubscriptionConfirmation must be confirmed through its SubscribeURL)',
    );
  }
  if (type !== 'Notification') throw unrecognised(where, payload);
  const envelope = parse(SnsEnvelopeSchema, payload, 'an SNS notification', where);
  const inner = `${where}.Message`;
  visit(parseJson(envelope.Message, inner), inner, depth + 1, found);
}

function readEventBridge(payload: unknown, where: string, found: TriggerContents): void {
  const event = parse(EventBridgeS3EventSchema, payload, 'an S3 EventBridge event', where);
  const detailType = event['detail-type'];
  if (detailType === 'Object Deleted') return readObjectDeleted(event.detail, where, found);
  if (detailType !== 'Object Created') {
    const detail = ObjectCreatedDetailSchema.safeParse(event.detail);
    found.ignored.push({
      reason: `EventBridge S3 ${quote(detailType)} event: not an object creation`,
      ...(detail.success ? { bucket: detail.data.bucket.name, key: detail.data.object.key } : {}),
    });
    return;
  }
  const detail = parse(ObjectCreatedDetailSchema, event.detail, 'an EventBridge "Object Created" detail', `${where}.detail`);
  const { key, size, etag, sequencer } = detail.object;
  // EventBridge carries the key as stored: decoding it would corrupt keys containing `+` or `%`.
  found.objects.push(
    objectRef({ bucket: detail.bucket.name, key, size, eTag: etag, versionId: detail.object['version-id'], sequencer }),
  );
}

function readObjectDeleted(payload: unknown, where: string, found: TriggerContents): void {
  const detail = parse(ObjectDeletedDetailSchema, payload, 'an EventBridge "Object Deleted" detail', `${where}.detail`);
  const { key, sequencer } = detail.object;
  const versionId = detail.object['version-id'];
  const deletionType = detail['deletion-type'];
  if (detail.reason === 'Lifecycle Expiration') {
    // a configured rule expiring old files, not a request: the same as S3's LifecycleExpiration events
    found.ignored.push({ reason: 'EventBridge S3 "Object Deleted" by a lifecycle expiration rule: not a request', bucket: detail.bucket.name, key });
    return;
  }
  // EventBridge carries the key as stored: no decoding
  found.removed.push({
    bucket: detail.bucket.name,
    key,
    ...(versionId === undefined ? {} : { versionId }),
    ...(sequencer === undefined ? {} : { sequencer }),
    deleteMarker: deletionType === 'Delete Marker Created',
    event: `Object Deleted (${deletionType ?? 'deletion type not given'})`,
  });
}

function readCloudTrailNotification(payload: unknown, where: string, found: TriggerContents): void {
  const message = parse(CloudTrailNotificationSchema, payload, "CloudTrail's SNS notification", where);
  for (const key of message.s3ObjectKey) found.objects.push(objectRef({ bucket: message.s3Bucket, key }));
}

function readS3TestEvent(payload: unknown, where: string, found: TriggerContents): void {
  const event = parse(S3TestEventSchema, payload, 'an S3 test event', where);
  found.ignored.push({
    reason: 'S3 test event, sent when the bucket notification was configured',
    ...(event.Bucket === undefined ? {} : { bucket: event.Bucket }),
  });
}

function parse<T extends z.ZodType>(schema: T, payload: unknown, shape: string, where: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  // The first issue names the field; zod's messages state the expected type, not the value.
  const issue = result.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
  throw new UnrecognisedTriggerError(
    `${where} looks like ${shape} but is not one${path}: ${issue?.message ?? 'invalid'}`,
    { cause: result.error },
  );
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnrecognisedTriggerError(`${where} is not JSON (${text.length} characters)`, { cause: error });
  }
}

function unrecognised(where: string, payload: unknown): UnrecognisedTriggerError {
  return new UnrecognisedTriggerError(`${where} is not a trigger trailwatch understands: ${describePayload(payload)}`);
}

function decodeOrKeep(encoded: string): string {
  try {
    return decodeS3NotificationKey(encoded);
  } catch {
    return encoded;
  }
}

interface ObjectFields {
  bucket: string;
  key: string;
  size?: number | undefined;
  sequencer?: string | undefined;
  versionId?: string | undefined;
  eTag?: string | undefined;
}

/** An ObjectRef without `undefined`-valued fields, so it logs and compares cleanly. */
function objectRef({ bucket, key, size, sequencer, versionId, eTag }: ObjectFields): ObjectRef {
  return {
    bucket,
    key,
    ...(size === undefined ? {} : { size }),
    ...(sequencer === undefined ? {} : { sequencer }),
    ...(versionId === undefined ? {} : { versionId }),
    ...(eTag === undefined ? {} : { eTag }),
  };
}

/**
 * S3 delivers at least once and an event may name one write twice; the same
 * bucket + key + version + sequencer is the same write, so read it once.
 */
function collapseDuplicates<T extends Pick<ObjectRef, 'bucket' | 'key' | 'versionId' | 'sequencer'>>(refs: readonly T[]): T[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const identity = JSON.stringify([ref.bucket, ref.key, ref.versionId ?? null, ref.sequencer ?? null]);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}
