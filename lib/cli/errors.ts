import { TrailwatchError } from '../errors';

/** A command line that cannot be run as given: exit 2, one line, no stack. */
export class CliUsageError extends TrailwatchError {
  readonly reason = 'Usage';
}
