import { z } from 'zod';
import { SEVERITIES } from '../findings';
import { isFieldPath } from './field-path';

/**
 * The rule file format (README.md in this folder). Objects are strict: a misspelt key
 * (`treshold`, `noMatches`) is an error at load time, never a silently ignored setting.
 */

/** Kebab-case, as file names are: `root-account-usage`. */
export const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Upper-case, like the environment variable that usually supplies it: `ALLOWED_REGIONS`. */
export const PARAM_NAME = /^[A-Z][A-Z0-9_]*$/;
/**
 * A parameter value is spliced into a quoted filter-pattern value, so it may hold only the
 * characters AWS identifiers use (Region codes, account ids, ARNs, names): no `"`, `\`,
 * `*` or `%`, which would change the pattern's meaning.
 */
export const PARAM_VALUE = /^[A-Za-z0-9._:/@+=,-]{1,256}$/;

const FieldPath = z.string().refine(isFieldPath, 'must be a dotted field path such as sourceIPAddress or userIdentity.arn');
const ParamValue = z.string().regex(PARAM_VALUE, 'letters, digits and . _ : / @ + = , - only');
const ParamValues = z.array(ParamValue).min(1);

/** A JSON object: one CloudTrail record as CloudTrail writes it. */
const TestRecord = z.record(z.string(), z.unknown());

/**
 * One test case: a record (evaluated as a delivery of that one record), or
 * `{ delivery: [records…] }` evaluated as one delivery — what threshold rules need.
 */
export const TestCaseSchema = z.union([z.strictObject({ delivery: z.array(TestRecord).min(1) }), TestRecord]);

const AccountId = z.string().regex(/^\d{12}$/, 'a 12-digit account id');
const OrganizationId = z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id: o-…');
export const TrustSchema = z.strictObject({ accounts: z.array(AccountId).default([]), organizations: z.array(OrganizationId).default([]) });

export const ParamSchema = z.strictObject({
  description: z.string().min(1),
  /** The clause each value becomes; `{}` is replaced by the value. */
  each: z.string().includes('{}', { message: 'must contain {} where the value goes' }),
  /** How the clauses are joined; the whole is wrapped in parentheses. */
  join: z.enum(['&&', '||']),
  /** Used when configuration gives no value; without one the rule stays inactive until configured. */
  default: ParamValues.optional(),
});

export const RuleFileSchema = z.strictObject({
  id: z.string().regex(RULE_ID, 'must be kebab-case: lower-case letters and digits joined by single hyphens'),
  /** An alert headline: "Root user signed in to the console". */
  title: z.string().min(1).max(200),
  severity: z.enum(SEVERITIES),
  /** What happened, why it matters, and the rule's known gaps. */
  description: z.string().min(1),
  /** First steps for whoever is paged. */
  runbook: z.string().min(1),
  /** The controls it implements, e.g. "CIS AWS Foundations 1.4.0 4.3", "Security Hub CloudWatch.1". */
  references: z.array(z.string().min(1)),
  /** A CloudWatch Logs JSON filter pattern, pasted unchanged; may contain `${PARAM}`. */
  match: z.string().min(1),
  /** Alert when `count` records match within one delivery (per `groupBy` value), not per record. */
  threshold: z
    .strictObject({
      count: z.int().min(1).max(1_000_000),
      groupBy: FieldPath.optional(),
    })
    .optional(),
  /** Fields whose values identify "the same alert" across deliveries; default: the eventID (or group). */
  dedupKey: z.array(FieldPath).min(1).max(8).optional(),
  /** Named functions (lib/rules/functions) the record must also satisfy: `policyIsPublic(requestParameters.policy)`. */
  where: z.string().min(1).max(1024).optional(),
  enabled: z.boolean().optional(),
  params: z.record(z.string().regex(PARAM_NAME, 'parameter names are upper-case: ALLOWED_REGIONS'), ParamSchema).optional(),
  tests: z.strictObject({
    /** Parameter values the tests run with (required for a parameter without a default). */
    params: z.record(z.string(), ParamValues).optional(),
    /** The trusted accounts and organizations the tests run with (`where:` functions). */
    trust: TrustSchema.optional(),
    match: z.array(TestCaseSchema).min(1, 'at least one test case that must match'),
    noMatch: z.array(TestCaseSchema).min(1, 'at least one test case that must not match'),
  }),
});

/**
 * A rule file whose test cases (`tests.match` / `tests.noMatch`) were dropped at build time:
 * the built-in pack in the function's bundle (build/builtin-rules.js). The function never
 * runs rule tests, and the cases were six sevenths of the pack's data (issue 15, cold start).
 * `tests.params` stays: it is part of checking the parameter declarations.
 */
export const RuleFileWithoutTestCasesSchema = RuleFileSchema.extend({
  tests: RuleFileSchema.shape.tests.omit({ match: true, noMatch: true, trust: true }).optional(),
});

export type RuleFile = z.infer<typeof RuleFileSchema>;
export type RuleFileWithoutTestCases = z.infer<typeof RuleFileWithoutTestCasesSchema>;
export type RuleParam = z.infer<typeof ParamSchema>;
export type TestCase = z.infer<typeof TestCaseSchema>;

/** The records of a test case, in delivery order. */
export function testCaseRecords(testCase: TestCase): readonly Record<string, unknown>[] {
  const delivery = (testCase as { delivery?: unknown }).delivery;
  if (Array.isArray(delivery) && Object.keys(testCase).length === 1) return delivery as Record<string, unknown>[];
  return [testCase as Record<string, unknown>];
}

/** Zod issues as one line: `threshold.count: Too small: expected number to be >=1; …`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(file)'}: ${i.message}`)
    .concat(issues.length > 5 ? [`… and ${issues.length - 5} more`] : [])
    .join('; ');
}
