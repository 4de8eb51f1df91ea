import type { DeliveryReport } from '../report';
import type { FindingGroup } from './aggregate';
import { SNS_MAX_SUBJECT_CHARS } from './notification';
import { sanitize, truncateGraphemes } from './sanitize';
import { countText } from './count-text';

/** Account and region come from the log: capped so the title always keeps most of the room. */
const MAX_PLACE_CHARS = 20;

/**
 * The email subject (SNS Publish: UTF-8, under 100 characters, no line breaks or control
 * characters): `[CRITICAL] Root console login in 111122223333 us-east-1 (+3 more)`, or in a
 * storm `[CRITICAL] Root console login x10,000 (500 listed) in 111122223333 us-east-1`.
 * The severity tag and the place are kept whole; the title is cut at a grapheme boundary.
 */
export function buildSubject(report: DeliveryReport, groups: readonly FindingGroup[]): string {
  const where = placeOf(report);
  const top = groups[0];
  if (top === undefined) {
    const what =
      report.status === 'failed'
        ? `[FAILED] Delivery not processed (${sanitize(report.error?.reason ?? 'unknown', 40)})`
        : `[OK] No findings, ${countText(report.records.read)} records`;
    return fit(what, where, '');
  }
  // true counts: a storm of 10,000 matches says x10,000, with how many of them are listed
  const total = groups.reduce((sum, group) => sum + group.matched.findings, 0);
  const others = total - top.matched.findings;
  const repeat = top.matched.events > 1 ? ` x${countText(top.matched.events)}` : '';
  const listed = top.findings.length < top.matched.findings ? ` (${countText(top.findings.length)} listed)` : '';
  const prefix = `[${top.severity}] `;
  const suffix = `${repeat}${listed}${where}${others > 0 ? ` (+${countText(others)} more)` : ''}`;
  return fit(prefix, suffix, sanitize(top.title, 200), true);
}

/** `prefix + title + suffix`, the title cut to fit; a last grapheme-safe cut guards the whole. */
function fit(prefix: string, suffix: string, title: string, titleInMiddle = false): string {
  if (!titleInMiddle) return truncateGraphemes(`${prefix}${suffix}`, SNS_MAX_SUBJECT_CHARS);
  const room = SNS_MAX_SUBJECT_CHARS - prefix.length - suffix.length;
  return truncateGraphemes(`${prefix}${truncateGraphemes(title, Math.max(1, room))}${suffix}`, SNS_MAX_SUBJECT_CHARS);
}

function placeOf(report: DeliveryReport): string {
  const parts = [report.accountId, report.region]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map((part) => sanitize(part, MAX_PLACE_CHARS));
  return parts.length > 0 ? ` in ${parts.join(' ')}` : '';
}
