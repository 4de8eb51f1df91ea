/**
 * Alarm rules as data: rule files → a compiled RulePack → a pipeline Analyser that turns
 * records into findings. The format and configuration: README.md in this folder.
 */
export { loadRulePack, buildRulePack, readRuleDirectory, type RulePack, type RulePackOptions, type RuleDocument, type RuleFormat, type RuleSource, type BrokenRuleFile } from './load';
export { ruleAnalyser, planRules, DEFAULT_MAX_FINDINGS_PER_RULE, type EvaluationPlan, type RuleAnalyserOptions } from './engine';
export { runRuleTests, formatRuleTestResult, type RuleTestResult } from './test-runner';
export { rulePackOptionsFromEnv } from './config';
export { exceptionAnalyser, runExceptionTests, formatSuppressions, type ExceptionSet, type SuppressionCount, type CompiledException } from './exceptions';
export { scanDirectory, type ScannedFile } from './scan';
export { RuleLoadError, type RuleLoadErrorReason } from './errors';
export type { CompiledRule, RuleEntry, RuleStatus, RefusedRule } from './rule';
export { RuleFileSchema, type RuleFile, type TestCase } from './schema';
