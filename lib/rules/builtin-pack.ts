/**
 * The built-in pack (rules/), parsed at build time. Here, in source (tests, the CLI, `tsx`),
 * it is undefined and the pack is read from rules/ at start-up; the function's bundle
 * replaces this module with the parsed files (build/esbuild-plugins.js), so a cold start
 * parses no built-in YAML (issue 15).
 */
export interface PrecompiledRuleFile {
  /** Path below the built-in directory, `/`-separated. */
  readonly name: string;
  /** The file's one YAML document, as the loader would parse it (trailwatch rules). */
  readonly doc?: unknown;
  /** The file's text, for every other file (parsed at start-up as before). */
  readonly text?: string;
  /**
   * False: `doc` comes without its test cases (tests.match / noMatch), which the function
   * never runs; it is compiled with compileRuleFileWithoutTestCases (lib/rules/rule-file.ts).
   */
  readonly testCases?: false;
  /**
   * True: `doc` passed RuleFileWithoutTestCasesSchema at build time (build/builtin-rules.js),
   * so it is compiled without zod's parse (compileCheckedRuleFile, lib/rules/rule-file.ts).
   */
  readonly checked?: true;
}

export const PRECOMPILED_BUILTIN_RULES: readonly PrecompiledRuleFile[] | undefined = undefined;
