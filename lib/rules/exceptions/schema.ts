import { z } from 'zod';
import { RULE_ID } from '../schema';

/**
 * The exception file format (lib/rules/README.md, "Exceptions"). Strict like rule files: a
 * misspelt key (`expire`, `notsuppressed`) is a load error, never an ignored setting, since
 * an exception that silently means something else hides alerts.
 */

/** `2027-03-31`: a calendar date that exists (not `2027-02-30`). */
export const EXPIRY_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const m = EXPIRY_DATE.exec(text);
  if (m === null) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const TestRecord = z.record(z.string(), z.unknown());

export const ExceptionSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'must be kebab-case: lower-case letters and digits joined by single hyphens'),
    /** The rule id it applies to, or `*` for every rule (a global exception). */
    rule: z.union([z.literal('*'), z.string().regex(RULE_ID, 'a rule id, or * for every rule')]),
    /** A CloudWatch Logs JSON filter pattern over the record, like a rule's `match`… */
    match: z.string().min(1).optional(),
    /** …or a Sigma selection (one search identifier's map or list of maps), like a Sigma rule's `selection`. */
    selection: z.unknown().optional(),
    owner: z.string().trim().min(1, 'who answers for this exception (a team, an e-mail)'),
    reason: z.string().trim().min(1, 'why these matches are expected'),
    expires: z.string().refine(isCalendarDate, 'an ISO date, YYYY-MM-DD (unquoted is fine: YAML 1.2 keeps it a string)'),
    tests: z
      .object({
        /** Records the exception must suppress (for a per-rule exception the rule must match them too). */
        suppressed: z.array(TestRecord).min(1),
        /** Close misses it must not suppress (for a per-rule exception the rule must match them). */
        notSuppressed: z.array(TestRecord).min(1),
      })
      .strict(),
  })
  .strict()
  .refine((e) => (e.match === undefined) !== (e.selection === undefined), { message: 'exactly one of match (a filter pattern) or selection (a Sigma selection)', path: ['match'] });

export const ExceptionFileSchema = z.object({ exceptions: z.array(ExceptionSchema).min(1) }).strict();

export type ExceptionDefinition = z.infer<typeof ExceptionSchema>;
export type ExceptionFile = z.infer<typeof ExceptionFileSchema>;

/** An exception file has `exceptions:` at the top level (and is not a rule: no `id`/`match`). */
export function isExceptionDocument(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'exceptions' in doc && !('match' in doc) && !('id' in doc);
}
