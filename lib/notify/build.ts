import { severityRank } from '../findings';
import type { DeliveryReport } from '../report';
import { groupFindings } from './aggregate';
import { buildAttributes } from './attributes';
import { assembleDocument, prepareDocument, type DocumentShape, type PreparedDocument } from './document';
import { SNS_MAX_MESSAGE_BYTES, type MessageAttribute, type Notification, type NotifyOptions } from './notification';
import { renderChat } from './render-chat';
import { renderText } from './render-text';
import type { NotificationDocumentV1 } from './schema';
import { buildSubject } from './subject';

const DEFAULT_MAX_EXAMPLES = 3;

/**
 * The SNS message for one delivery, or undefined when there is nothing to send (no findings
 * at or above `minSeverity` and not `always`; skipped objects never notify).
 *
 * Counts: the report lists at most FINDING_LIMITS findings; `report.matched` has the true
 * counts, which the subject, the `matchedEvents` attribute and the document's `matched`
 * fields carry next to what is listed.
 *
 * Size: the whole publish must stay under 262,144 bytes (`publishBytes`). Findings are
 * aggregated per rule and ordered most severe first; when the message is too large, the
 * least severe rules first lose examples, then are dropped and counted in `omitted`, with
 * the Logs Insights query as the pointer to all of them (see `fitMessage`).
 */
export function buildNotification(report: DeliveryReport, options: NotifyOptions): Notification | undefined {
  const maxBytes = Math.min(options.maxBytes ?? SNS_MAX_MESSAGE_BYTES, SNS_MAX_MESSAGE_BYTES);
  const format = options.format ?? 'json';
  const minRank = options.minSeverity === undefined ? -1 : severityRank(options.minSeverity);
  const included = report.findings.filter((finding) => severityRank(finding.severity) >= minRank);
  if (report.status === 'skipped') return undefined;
  if (included.length === 0 && !options.always) return undefined;

  // the true counts per rule, so a storm reads as 10,000 events, not as the 500 findings listed
  const matched = (report.matched?.rules ?? []).filter((rule) => severityRank(rule.severity) >= minRank);
  const groups = groupFindings(included, options.maxExamples ?? DEFAULT_MAX_EXAMPLES, matched);
  const prepared = prepareDocument(report, groups, {
    logGroup: options.logGroup,
    consoleRegion: options.consoleRegion,
    now: (options.now ?? (() => new Date()))(),
    belowMinSeverity: report.findings.length - included.length,
  });
  const subject = buildSubject(report, groups);
  const messageAttributes = buildAttributes(report, groups, format);
  const render = (doc: NotificationDocumentV1): string => (format === 'json' ? renderJson(doc) : format === 'chat' ? renderChat(doc) : renderText(doc));
  const fixedBytes = attributeBytes(messageAttributes) + Buffer.byteLength(subject, 'utf8');
  const message = fitMessage(prepared, render, maxBytes - fixedBytes);
  return { subject, message, messageAttributes };
}

/**
 * JSON text of the document. `<`, `>` and `&` are written as \u escapes — the same value to
 * any JSON parser, but inert if a consumer pastes the raw text into HTML.
 */
export function renderJson(doc: NotificationDocumentV1): string {
  return JSON.stringify(doc).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What SNS counts against the 262,144-byte limit: the message plus every attribute's name,
 * type and value. The subject is added too, as a margin: the documentation does not say it
 * is excluded.
 */
export function publishBytes(notification: Notification): number {
  return (
    Buffer.byteLength(notification.message, 'utf8') +
    attributeBytes(notification.messageAttributes) +
    Buffer.byteLength(notification.subject, 'utf8')
  );
}

function attributeBytes(attributes: Readonly<Record<string, MessageAttribute>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue);
  }
  return bytes;
}

/**
 * The largest message that fits, searched in this order (each step is a bisection over a
 * size that only grows, so the result depends only on the input):
 * 1. every entry with all its examples;
 * 2. every entry, the most severe ones with all their examples, the rest with one —
 *    seeing every rule matters more than a third example;
 * 3. the most severe entries with one example each (the least severe dropped and counted
 *    in `omitted`), then as many of them as fit with all their examples;
 * 4. the top entry with one example, then none; then the summary alone.
 */
function fitMessage(prepared: PreparedDocument, render: (doc: NotificationDocumentV1) => string, budget: number): string {
  const n = prepared.entries.length;
  const attempt = (shape: DocumentShape): string | undefined => {
    const message = render(assembleDocument(prepared, shape));
    return Buffer.byteLength(message, 'utf8') <= budget ? message : undefined;
  };
  /** The largest value in [low, high] for which `make` fits (undefined if none), with its message. */
  const largest = (low: number, high: number, make: (value: number) => DocumentShape): [number, string] | undefined => {
    let found: [number, string] | undefined;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const message = attempt(make(middle));
      if (message === undefined) {
        high = middle - 1;
      } else {
        found = [middle, message];
        low = middle + 1;
      }
    }
    return found;
  };

  const whole = attempt({ keep: n, rich: n, examples: 0 });
  if (whole !== undefined) return whole;

  if (attempt({ keep: n, rich: 0, examples: 1 }) !== undefined) {
    const best = largest(0, n - 1, (rich) => ({ keep: n, rich, examples: 1 }));
    if (best) return best[1];
  }

  const kept = largest(1, n - 1, (keep) => ({ keep, rich: 0, examples: 1 }));
  if (kept) {
    const [keep] = kept;
    const best = largest(0, keep, (rich) => ({ keep, rich, examples: 1 }));
    if (best) return best[1];
  }

  for (const shape of [
    { keep: 1, rich: 0, examples: 1 },
    { keep: 1, rich: 0, examples: 0 },
    { keep: 0, rich: 0, examples: 0 },
  ]) {
    if (shape.keep > n) continue;
    const message = attempt(shape);
    if (message !== undefined) return message;
  }
  throw new RangeError(`maxBytes leaves ${budget} bytes for the message: too small even for the delivery summary`);
}
