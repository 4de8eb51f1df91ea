/**
 * Every string in a notification comes from an untrusted log record (a CloudTrail field, an
 * S3 key, a rule title built from an event). Before it goes into the JSON document, the email
 * text, the subject or an attribute it passes through `sanitize`, which
 * - renders characters that could forge a line, hide text or reorder it on screen visibly
 *   escaped (`\u202E`), so a reader sees that they were there;
 * - replaces lone UTF-16 surrogates the same way (SNS requires valid UTF-8, and the SDK's
 *   form encoder throws on them);
 * - caps the length at a grapheme boundary (an emoji or an accented letter is never split)
 *   and says how much was cut: `…(+N chars)`.
 * Sanitised values never contain a control character, so they cannot add a line to the
 * email or a header, and JSON.stringify of them is plain.
 */

/** Default cap for one field, in UTF-16 code units, marker included. */
export const MAX_FIELD_CHARS = 512;

/**
 * C0 controls (tab, CR, LF included), DEL, C1 controls (NEL U+0085 included), Arabic letter
 * mark, Mongolian vowel separator, zero-width space, LRM/RLM, line/paragraph separators
 * (U+2028/2029: line breaks in many viewers and in pre-ES2019 JSON parsers), bidi embeddings
 * and overrides (U+202A–202E), word joiner, invisible operators and bidi isolates
 * (U+2060–2069), BOM, interlinear annotations, non-characters U+FFFE/FFFF, the invisible
 * "tag" characters (U+E0000–E007F, used to smuggle text), and lone surrogates (matched as
 * single code points under the `u` flag). ZWJ/ZWNJ (U+200C/200D) stay: emoji need them.
 */
const UNSAFE_SOURCE =
  '[\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B\\u200E\\u200F\\u2028-\\u202E\\u2060-\\u2069\\uFEFF\\uFFF9-\\uFFFB\\uFFFE\\uFFFF\\u{E0000}-\\u{E007F}\\uD800-\\uDFFF]';
const UNSAFE_ONE = new RegExp(UNSAFE_SOURCE, 'u');
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'gu');

/** True when `text` holds a character `sanitize` would escape. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/**
 * Made on the first value that must be cut, not when the module loads: creating a segmenter
 * loads ICU's break rules, ~85 M instructions (8 % of a cold start to handler ready,
 * bench/cold-start.bench.ts --instructions), and most deliveries cut nothing.
 */
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/** Escapes unsafe characters visibly; the result has no control or invisible formatting characters. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_ALL, escapeCodePoint);
}

/** Code points (not UTF-16 units): what the `…(+N chars)` marker counts. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

/** Any value as text: strings as they are, other JSON-able values as JSON, nothing as ''. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

interface Taken {
  readonly text: string;
  /** Code points of the source consumed. */
  readonly consumed: number;
  readonly complete: boolean;
}

/**
 * The longest escaped prefix of `source` within `budget` UTF-16 units that ends on a
 * grapheme boundary and not inside an escape. Escaping only lengthens, so nothing past
 * source index `budget` can fit: only a window of `budget + 1` units is escaped and
 * segmented (once, around the cut), which keeps a 100 KB user agent as cheap as a short one.
 */
function takeEscaped(source: string, budget: number): Taken {
  const window = source.length > budget + 1 ? source.slice(0, budget + 1) : source;
  const escapes: Array<{ start: number; end: number }> = [];
  let grown = 0;
  const escaped = window.replace(UNSAFE_ALL, (char: string, offset: number) => {
    const replacement = escapeCodePoint(char);
    const start = offset + grown;
    escapes.push({ start, end: start + replacement.length });
    grown += replacement.length - char.length;
    return replacement;
  });
  if (window === source && escaped.length <= budget) {
    return { text: escaped, consumed: countCodePoints(source), complete: true };
  }

  const outsideEscapes = (at: number): number => {
    const inside = escapes.find((e) => e.start < at && at < e.end);
    return inside ? inside.start : at;
  };
  const segments = graphemes().segment(escaped);
  let cut = Math.min(budget, escaped.length);
  for (;;) {
    const safe = outsideEscapes(cut);
    const start = segments.containing(safe)?.index ?? safe;
    if (start === cut) break;
    cut = start;
  }
  if (cut === 0) {
    // A single grapheme longer than the whole cap (e.g. a letter with thousands of
    // combining marks): the only case where one is cut, at a code point boundary.
    cut = outsideEscapes(Math.min(budget, escaped.length));
    const last = escaped.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  }
  const text = escaped.slice(0, cut);
  // Each escape stands for one source code point.
  const extra = escapes.filter((e) => e.end <= cut).reduce((sum, e) => sum + (e.end - e.start - 1), 0);
  return { text, consumed: countCodePoints(text) - extra, complete: false };
}

/**
 * An untrusted value made safe for any rendering: unsafe characters escaped visibly, at most
 * `maxChars` UTF-16 units including a `…(+N chars)` marker when cut (N counts the source's
 * code points left out). Idempotent for values it did not cut.
 */
export function sanitize(value: unknown, maxChars: number = MAX_FIELD_CHARS): string {
  const text = asText(value);
  if (text.length <= maxChars && !UNSAFE_ONE.test(text)) return text;
  const whole = takeEscaped(text, maxChars);
  if (whole.complete) return whole.text;
  const total = countCodePoints(text);
  // Reserve room for the longest marker this value can need.
  const reserve = `…(+${total} chars)`.length;
  const cut = takeEscaped(text, Math.max(0, maxChars - reserve));
  return `${cut.text}…(+${total - cut.consumed} chars)`;
}

/**
 * Prose written by people (rule descriptions and runbooks, often multi-line YAML): runs of whitespace,
 * line breaks included, become one space before `sanitize`, so a multi-line YAML
 * description reads as a sentence instead of showing `\u000A` escapes.
 */
export function sanitizeProse(value: unknown, maxChars: number = MAX_FIELD_CHARS): string {
  return sanitize(asText(value).replace(/[\t\n\v\f\r \u0085\u00A0\u2028\u2029]+/g, ' ').trim(), maxChars);
}

/**
 * Cuts `text` to at most `maxUnits` UTF-16 units at a grapheme boundary, ending in `…` when
 * cut. For text that is already sanitised (the subject).
 */
export function truncateGraphemes(text: string, maxUnits: number, ellipsis = '…'): string {
  if (text.length <= maxUnits) return text;
  let out = '';
  const budget = maxUnits - ellipsis.length;
  for (const { segment } of graphemes().segment(text)) {
    if (out.length + segment.length > budget) break;
    out += segment;
  }
  return `${out}${ellipsis}`;
}

/**
 * A JSON value from untrusted `details`: strings sanitised, numbers kept when finite,
 * containers bounded in depth, width and key length. Keys are own properties (never a
 * prototype), so `__proto__` in a record stays data.
 */
export function sanitizeJsonValue(value: unknown, depth = 0): unknown {
  const MAX_DEPTH = 4;
  const MAX_ITEMS = 10;
  const MAX_KEYS = 20;
  const MAX_STRING = 256;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return sanitize(value, MAX_STRING);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => sanitizeJsonValue(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…(+${value.length - MAX_ITEMS} items)`);
    return items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const kept: Array<[string, unknown]> = entries
    .slice(0, MAX_KEYS)
    .map(([key, item]) => [sanitize(key, 64), sanitizeJsonValue(item, depth + 1)]);
  if (entries.length > MAX_KEYS) kept.push(['…', `+${entries.length - MAX_KEYS} keys`]);
  return Object.fromEntries(kept);
}

/**
 * Makes links in untrusted text inert for mail clients that turn `scheme://…` and `www.…`
 * into clickable links ("defanging", as threat-intel reports write indicators): a crafted
 * user agent cannot put a clickable phishing link into the alert. Only the email text is
 * defanged; the JSON keeps the sanitised value as it was.
 */
export function defang(text: string): string {
  return text.replace(/:\/\//g, '[://]').replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}[.]`);
}
