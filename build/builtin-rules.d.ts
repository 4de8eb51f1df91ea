import type { PrecompiledRuleFile } from '../lib/rules/builtin-pack';

/**
 * `testCases: false` drops each rule's tests.match / noMatch / trust (the bundle's copy);
 * `check` then marks a document it accepts `checked: true` and keeps the text of one it refuses.
 */
export interface PrecompileOptions {
  readonly testCases?: boolean;
  readonly check?: (doc: unknown) => boolean;
}

export function precompileRuleDirectory(dir: string, options?: PrecompileOptions): PrecompiledRuleFile[];
export function precompileRuleFile(name: string, text: string, options?: PrecompileOptions): PrecompiledRuleFile;
/** The built-in files as the bundle carries them: without test cases, checked against the schema. */
export function bundledRuleDirectory(dir: string): PrecompiledRuleFile[];
/** lib/rules/schema.ts RuleFileWithoutTestCasesSchema, as the build runs it. */
export function checkWithoutTestCases(doc: unknown): boolean;
export function builtinPackModule(dir: string): string;
export function ruleFileNames(dir: string): string[];
