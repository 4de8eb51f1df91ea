import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSchemas } from '../../lib/json-schemas';
import { buildNotification } from '../../lib/notify';
import { NotificationDocumentSchema } from '../../lib/notify/document-schema';
import { eventDetail, EventDetailSchema } from '../../lib/outputs';
import { findingStorm, hostile, LOG_GROUP, NOW, oneCritical, thousandFindings } from '../fixtures/notify/scenarios';

const DIR = path.resolve(__dirname, '..', '..', 'schemas');

describe('published JSON Schemas (schemas/)', () => {
  it('the committed files equal the ones generated from the zod schemas', () => {
    for (const [file, schema] of Object.entries(jsonSchemas())) {
      const text = `${JSON.stringify(schema, null, 2)}\n`;
      if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(path.join(DIR, file), text);
      expect(readFileSync(path.join(DIR, file), 'utf8')).toBe(text);
    }
  });

  it('every findings document and EventBridge detail the builders produce validates, hostile and trimmed ones included', () => {
    const reports = [oneCritical(), thousandFindings(), hostile(), findingStorm()];
    for (const report of reports) {
      for (const maxBytes of [undefined, 20_000]) {
        const message = buildNotification(report, { logGroup: LOG_GROUP, format: 'json', now: () => NOW, ...(maxBytes ? { maxBytes } : {}) })?.message;
        const result = NotificationDocumentSchema.safeParse(JSON.parse(message ?? 'null'));
        expect(result.error?.issues ?? []).toEqual([]);
      }
      for (const finding of report.findings.slice(0, 50)) expect(EventDetailSchema.safeParse(eventDetail(finding)).error?.issues ?? []).toEqual([]);
    }
  });

  it('the committed golden JSON messages validate', () => {
    for (const name of ['one-critical', 'thousand-findings', 'thousand-findings-trimmed', 'hostile', 'finding-storm']) {
      const doc = (JSON.parse(readFileSync(path.resolve(__dirname, '..', 'fixtures', 'notify', `${name}.json`), 'utf8')) as { message: unknown }).message;
      expect(NotificationDocumentSchema.safeParse(doc).success).toBe(true);
    }
  });

  it('a document with a misspelt or missing field does not validate', () => {
    const doc = JSON.parse(buildNotification(oneCritical(), { logGroup: LOG_GROUP, format: 'json', now: () => NOW })?.message ?? '{}') as Record<string, unknown>;
    expect(NotificationDocumentSchema.safeParse({ ...doc, summry: {} }).success).toBe(false);
    const { summary: _gone, ...missing } = doc;
    expect(NotificationDocumentSchema.safeParse(missing).success).toBe(false);
  });
});
