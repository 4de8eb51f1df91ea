/**
 * What an unrecognised payload looked like, for an error message: its type and top-level
 * keys, plus the few discriminating fields a reader needs to see which service sent it.
 * Never the payload itself: it may be large, and SNS/SQS bodies may carry data that does
 * not belong in logs.
 */
const MAX_KEYS = 10;
const MAX_TEXT = 48;

export function describePayload(payload: unknown): string {
  if (payload === null) return 'null';
  if (Array.isArray(payload)) return `a JSON array of ${payload.length} item(s)`;
  if (typeof payload === 'string') return `a string of ${payload.length} character(s)`;
  if (typeof payload !== 'object') return `a ${typeof payload}`;

  const fields = payload as Record<string, unknown>;
  const keys = Object.keys(fields);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, MAX_KEYS).map((key) => clip(key));
  const more = keys.length > MAX_KEYS ? `, …${keys.length - MAX_KEYS} more` : '';
  return `an object with keys [${shown.join(', ')}${more}]${hints(fields)}`;
}

/** A value from the payload, quoted, escaped and cut short. */
export function quote(text: string): string {
  return JSON.stringify(clip(text));
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function hints(fields: Record<string, unknown>): string {
  const found: string[] = [];
  const records = fields['Records'];
  if (Array.isArray(records)) {
    const first: unknown = records[0];
    if (first !== null && typeof first === 'object') {
      const record = first as Record<string, unknown>;
      // S3 and SQS spell it eventSource, SNS spells it EventSource.
      for (const name of ['eventSource', 'EventSource']) {
        const value = record[name];
        if (typeof value === 'string') found.push(`Records[0].${name} ${quote(value)}`);
      }
    } else {
      found.push(`${records.length} Records`);
    }
  }
  for (const name of ['source', 'detail-type', 'Type', 'Event']) {
    const value = fields[name];
    if (typeof value === 'string') found.push(`${name} ${quote(value)}`);
  }
  return found.length === 0 ? '' : `; ${found.join(', ')}`;
}
