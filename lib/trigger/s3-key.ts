import { UnrecognisedTriggerError } from '../errors';

/**
 * S3 event notifications carry the object key URL-encoded, with `+` for a space
 * ("red flower.jpg" arrives as "red+flower.jpg", a literal `+` as `%2B`): S3 user guide,
 * "Event message structure". EventBridge events and CloudTrail's own SNS notification
 * carry the key as-is and must not go through this.
 *
 * A malformed escape (`%E0%A4%A`, a lone `%`) cannot name any object, so it is reported as
 * an unrecognised trigger naming the key, never as a bare URIError.
 */
export function decodeS3NotificationKey(encoded: string, bucket?: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (error) {
    const where = bucket === undefined ? '' : ` in bucket ${JSON.stringify(bucket)}`;
    throw new UnrecognisedTriggerError(
      `S3 notification key ${JSON.stringify(encoded)}${where} is not valid URL encoding (malformed % escape)`,
      { cause: error },
    );
  }
}

/**
 * The inverse, for building notifications S3 would send (local stack, tests): `/` stays
 * as-is and a space becomes `+`, as in real notifications. The key must be well-formed
 * Unicode, which every S3 key is (keys are UTF-8).
 */
export function encodeS3NotificationKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
