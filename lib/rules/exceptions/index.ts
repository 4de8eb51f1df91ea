/**
 * Exceptions (suppressions) as data: files beside the rules that except known matches, each
 * with an owner, a reason and an expiry date. The format: lib/rules/README.md, "Exceptions".
 */
export { ExceptionFileSchema, isExceptionDocument, type ExceptionFile, type ExceptionDefinition } from './schema';
export { compileExceptionFile, checkExceptions, type CompiledException } from './compile';
export { prepareExceptions, exceptionAnalyser, type ExceptionSet, type SuppressionCount, type SuppressingAnalyser, type ExceptionAnalyserOptions } from './apply';
export { runExceptionTests } from './tests';
export { formatSuppressions } from './format';
