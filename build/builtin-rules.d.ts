import type { PrecompiledRuleFile } from '../lib/rules/builtin-pack';

export function precompileRuleDirectory(dir: string): PrecompiledRuleFile[];
export function precompileRuleFile(name: string, text: string): PrecompiledRuleFile;
export function builtinPackModule(dir: string): string;
export function ruleFileNames(dir: string): string[];
