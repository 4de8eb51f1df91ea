import fc from 'fast-check';
import { parseEventTime } from '../../../lib/forward/event-time';

describe('parseEventTime', () => {
  it.each([
    ['2026-11-24T09:05:00Z', Date.UTC(2026, 10, 24, 9, 5, 0)],
    ['1970-01-01T00:00:00Z', 0],
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['2000-02-29T12:00:00Z', Date.UTC(2000, 1, 29, 12)],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
    // fractions: kept to the millisecond, the rest truncated
    ['2026-11-24T09:05:00.1Z', Date.UTC(2026, 10, 24, 9, 5, 0, 100)],
    ['2026-11-24T09:05:00.123Z', Date.UTC(2026, 10, 24, 9, 5, 0, 123)],
    ['2026-11-24T09:05:00.123456789Z', Date.UTC(2026, 10, 24, 9, 5, 0, 123)],
    // numeric offsets
    ['2026-11-24T09:05:00+00:00', Date.UTC(2026, 10, 24, 9, 5, 0)],
    ['2026-11-24T10:35:00+01:30', Date.UTC(2026, 10, 24, 9, 5, 0)],
    ['2026-11-24T04:05:00-05:00', Date.UTC(2026, 10, 24, 9, 5, 0)],
    ['2026-11-24T09:05:00.5-00:00', Date.UTC(2026, 10, 24, 9, 5, 0, 500)],
  ])('reads %s', (text, expected) => {
    expect(parseEventTime(text)).toBe(expected);
  });

  it.each([
    // regression (issue 9 item 9): Date.parse reads these, and they were taken as real times
    '1',
    '12',
    '2026',
    'Dec 4',
    'Dec 4 2026',
    'Tue, 24 Nov 2026 09:05:00 GMT',
    '2026-11-24',
    '2026-11-24T09:05',
    '2026-11-24T09:05:00', // no zone: local time to Date.parse
    '2026-11-24 09:05:00Z',
    '2026-11-24t09:05:00z',
    '+002026-11-24T09:05:00Z',
    // out of range
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T09:60:00Z',
    '2016-12-31T23:59:60Z', // leap second
    '2026-11-24T09:05:00+24:00',
    '2026-11-24T09:05:00+01:60',
    // shape
    '2026-11-24T09:05:00.Z',
    '2026-11-24T09:05:00.1234567890Z',
    '2026-11-24T09:05:00+0100',
    '2026-11-24T09:05:00+01',
    '2026-11-24T09:05:00Z ',
    ' 2026-11-24T09:05:00Z',
    '2026-11-24T09:05:00ZZ',
    '２０２６-11-24T09:05:00Z',
    '',
  ])('refuses %p', (text) => {
    expect(parseEventTime(text)).toBeUndefined();
  });

  it.each([
    // regression (issue 9 item 8): PutLogEvents refuses a whole call with a negative timestamp
    '1969-12-31T23:59:59Z',
    '1969-12-31T23:59:59.999Z',
    '1960-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1970-01-01T00:30:00+01:00',
  ])('refuses %s, before 1970', (text) => {
    expect(parseEventTime(text)).toBeUndefined();
  });

  it.each([undefined, null, 0, 1_700_000_000_000, {}, ['2026-11-24T09:05:00Z']])('refuses a value that is not a string: %p', (value) => {
    expect(parseEventTime(value)).toBeUndefined();
  });

  it('property: agrees with Date.parse on every time it accepts, 1970 to 9999, with or without fraction and offset', () => {
    // a day inside either end, so the time written in any zone still has a 4-digit year
    const times = fc.integer({ min: 86_400_000, max: Date.UTC(9999, 11, 30, 23, 59, 59) });
    const offsets = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });
    fc.assert(
      fc.property(times, offsets, fc.boolean(), (ms, offset, withFraction) => {
        // Prepare: the same instant written in another zone
        const local = new Date(ms + offset * 60_000).toISOString();
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const text = (withFraction ? local.slice(0, 23) : local.slice(0, 19)) + zone;
        const expected = withFraction ? ms : ms - (ms % 1000);

        // Act, Assess
        expect(parseEventTime(text)).toBe(expected);
        expect(parseEventTime(text)).toBe(Date.parse(text));
        expect(parseEventTime(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: whatever the string, a result is a non-negative integer that Date.parse agrees with', () => {
    const isoish = fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,10})?(Z|[+-][0-9]{2}:?[0-9]{2})?$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), isoish), (text) => {
        const ms = parseEventTime(text);
        if (ms !== undefined) {
          expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
          // Date.parse reads the same forms (it keeps only the first three fraction digits too)
          expect(ms).toBe(Date.parse(text));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
