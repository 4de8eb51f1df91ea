import { SEVERITIES, type Severity } from '../findings';
import { CliUsageError } from './errors';

/** `--fail-on`: a severity, or `none` to never fail on findings. */
export function parseFailOn(text: string): Severity | 'none' {
  const upper = text.toUpperCase();
  if (upper === 'NONE') return 'none';
  if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
  throw new CliUsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} or none (got ${JSON.stringify(text)})`);
}

export function parsePositiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliUsageError(`${flag} must be a positive integer (got ${JSON.stringify(text)})`);
  return n;
}

export function parseTime(flag: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at)) throw new CliUsageError(`${flag} must be an ISO 8601 time, e.g. 2026-11-24T09:00Z (got ${JSON.stringify(text)})`);
  return new Date(at);
}

export function checkRange(from: Date | undefined, to: Date | undefined): void {
  if (from && to && from.getTime() >= to.getTime()) throw new CliUsageError('--from must be before --to');
}
