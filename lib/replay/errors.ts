import { TrailwatchError } from '../errors';

/**
 * A failure-queue message the replay tool cannot turn back into a trigger (not JSON, a
 * Lambda invocation record without its request payload, an SQS batch). It stays on the
 * queue; the printed reason says what is wrong with it.
 */
export class UnreplayableMessageError extends TrailwatchError {
  readonly reason = 'UnreplayableMessage';
}
