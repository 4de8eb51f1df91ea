import { z } from 'zod';
import { NotificationDocumentSchema } from './notify/document-schema';
import { EventDetailSchema } from './outputs/event-detail';
import { RuleFileSchema } from './rules/schema';

/**
 * The published JSON Schemas (draft 2020-12), generated from the zod schemas the code
 * validates with, committed under schemas/ (test/unit/json-schemas.test.ts keeps them equal;
 * `UPDATE_SCHEMAS=1 npx jest test/unit/json-schemas.test.ts` rewrites them).
 */
export function jsonSchemas(): Record<string, object> {
  const make = (schema: z.ZodType, id: string, title: string, io: 'input' | 'output' = 'output') => ({
    $id: `https://trailwatch.invalid/schemas/${id}`,
    title,
    ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }),
  });
  return {
    'findings-document.schema.json': make(NotificationDocumentSchema, 'findings-document.schema.json', 'trailwatch findings document (SNS findings topic, schemaVersion 1)'),
    'eventbridge-detail.schema.json': make(EventDetailSchema, 'eventbridge-detail.schema.json', 'trailwatch EventBridge event detail (source trailwatch, detail-type "Trailwatch Finding")'),
    'rule-file.schema.json': make(RuleFileSchema, 'rule-file.schema.json', 'trailwatch rule file (YAML)', 'input'),
  };
}
