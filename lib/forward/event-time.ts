/**
 * A record's `eventTime` as a PutLogEvents timestamp (ms since the epoch), or undefined when
 * it is not a time CloudTrail would write; the forwarder then uses the delivery time and
 * counts a timestamp fallback.
 *
 * Accepted (RFC 3339, the ISO 8601 profile CloudTrail writes):
 *   `YYYY-MM-DDTHH:mm:ssZ`                 what CloudTrail writes
 *   `YYYY-MM-DDTHH:mm:ss.f…Z`              1 to 9 fraction digits (kept to the millisecond,
 *                                          truncated), as other AWS services write times
 *   `…+HH:MM` / `…-HH:MM` instead of `Z`   a numeric offset (`+00:00` included)
 * Everything else is refused, including what `Date.parse` reads loosely (`"1"`, `"2026"`,
 * `"Dec 4"`, `"2026-11-24"`, a space for `T`, lower-case `t`/`z`, a leap second `:60`,
 * `2026-02-30`): such a time would be taken as real and the record then rejected as too
 * old, instead of forwarded with the delivery time.
 *
 * A time before 1970-01-01T00:00:00Z is refused too: PutLogEvents' `timestamp` has a
 * minimum of 0 and one negative value fails the whole call (AWS-FACTS.md).
 *
 * Hand-written over char codes rather than a regex plus `Date.parse`: it runs once per
 * record, does constant work per string (it reads at most 35 characters before refusing),
 * and computes the epoch day itself so years 0000–0099 are not shifted to 19xx as
 * `Date.UTC` would.
 */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = value.length;
  // 20 = `YYYY-MM-DDTHH:mm:ssZ`; the longest form adds 10 fraction characters and `+HH:MM` for `Z`.
  if (n < 20 || n > 35) return undefined;
  const year = digits4(value, 0);
  const month = digits2(value, 5);
  const day = digits2(value, 8);
  const hour = digits2(value, 11);
  const minute = digits2(value, 14);
  const second = digits2(value, 17);
  if (
    (year | month | day | hour | minute | second) < 0 ||
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    value.charCodeAt(10) !== LETTER_T ||
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }

  let i = 19;
  let millis = 0;
  if (value.charCodeAt(i) === DOT) {
    const start = ++i;
    while (i < n && isDigit(value.charCodeAt(i))) {
      if (i - start < 3) millis = millis * 10 + (value.charCodeAt(i) - ZERO);
      i++;
    }
    const fractionDigits = i - start;
    if (fractionDigits < 1 || fractionDigits > 9) return undefined;
    for (let k = fractionDigits; k < 3; k++) millis *= 10;
  }

  let offsetMinutes = 0;
  const zone = value.charCodeAt(i);
  if (zone === LETTER_Z) {
    if (i + 1 !== n) return undefined;
  } else if (zone === PLUS || zone === DASH) {
    if (i + 6 !== n || value.charCodeAt(i + 3) !== COLON) return undefined;
    const offsetHours = digits2(value, i + 1);
    const offsetMins = digits2(value, i + 4);
    if (offsetHours < 0 || offsetMins < 0 || offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone === PLUS ? 1 : -1) * (offsetHours * 60 + offsetMins);
  } else {
    return undefined;
  }

  const ms =
    ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + millis;
  return ms >= 0 ? ms : undefined;
}

const ZERO = 0x30;
const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

/** Two ASCII digits at `at` as a number, or -1. (NaN from charCodeAt past the end fails isDigit too.) */
function digits2(s: string, at: number): number {
  const a = s.charCodeAt(at);
  const b = s.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - ZERO) * 10 + (b - ZERO) : -1;
}

function digits4(s: string, at: number): number {
  const hi = digits2(s, at);
  const lo = digits2(s, at + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
