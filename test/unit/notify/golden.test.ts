/**
 * Golden files of both renderings: test/fixtures/notify/<scenario>.txt is the email (subject
 * line, blank line, body) and <scenario>.json the JSON message pretty-printed with its
 * subject and attributes. After an intended change, regenerate and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx jest test/unit/notify/golden.test.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildNotification, publishBytes, type Notification } from '../../../lib/notify';
import type { DeliveryReport } from '../../../lib/report';
import { findingStorm, hostile, LOG_GROUP, NOW, oneCritical, thousandFindings } from '../../fixtures/notify/scenarios';

const FIXTURES = path.join(__dirname, '../../fixtures/notify');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const scenarios: ReadonlyArray<[string, () => DeliveryReport, number?]> = [
  ['one-critical', oneCritical],
  ['thousand-findings', thousandFindings],
  ['hostile', hostile],
  // the same 1,000 findings squeezed into 12 KB: what trimming looks like to a reader
  ['thousand-findings-trimmed', thousandFindings, 12_000],
  // 10,000 root sign-ins, 500 listed: the true size in the subject, text, JSON and attributes
  ['finding-storm', findingStorm],
];

function build(report: DeliveryReport, format: 'json' | 'text', maxBytes?: number): Notification {
  const notification = buildNotification(report, { logGroup: LOG_GROUP, now: () => NOW, format, maxBytes });
  if (!notification) throw new Error('expected a notification');
  return notification;
}

function emailText(n: Notification): string {
  return `Subject: ${n.subject}\n\n${n.message}`;
}

function jsonView(n: Notification): string {
  const view = { subject: n.subject, messageAttributes: n.messageAttributes, message: JSON.parse(n.message) as unknown };
  return `${JSON.stringify(view, null, 2)}\n`;
}

function compare(file: string, actual: string): void {
  const target = path.join(FIXTURES, file);
  if (UPDATE || !existsSync(target)) {
    if (!UPDATE) throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1`);
    writeFileSync(target, actual);
  }
  expect(actual).toBe(readFileSync(target, 'utf8'));
}

describe.each(scenarios)('golden: %s', (name, scenario, maxBytes) => {
  it('renders the email text as recorded', () => {
    // Prepare
    const report = scenario();

    // Act
    const text = build(report, 'text', maxBytes);

    // Assess
    compare(`${name}.txt`, emailText(text));
    expect(publishBytes(text)).toBeLessThanOrEqual(maxBytes ?? 262_144);
  });

  it('renders the JSON message as recorded', () => {
    // Prepare
    const report = scenario();

    // Act
    const json = build(report, 'json', maxBytes);

    // Assess
    compare(`${name}.json`, jsonView(json));
    expect(publishBytes(json)).toBeLessThanOrEqual(maxBytes ?? 262_144);
  });
});
