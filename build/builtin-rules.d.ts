import type { PrecompiledRuleFile } from '../lib/rules/builtin-pack';

/** `testCases: false` drops each rule's tests.match / noMatch / trust (the bundle's copy). */
export interface PrecompileOptions {
  readonly testCases?: boolean;
}

export function precompileRuleDirectory(dir: string, options?: PrecompileOptions): PrecompiledRuleFile[];
export function precompileRuleFile(name: string, text: string, options?: PrecompileOptions): PrecompiledRuleFile;
export function builtinPackModule(dir: string): string;
export function ruleFileNames(dir: string): string[];
