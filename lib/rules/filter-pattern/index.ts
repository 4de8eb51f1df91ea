/**
 * CloudWatch Logs JSON filter patterns (`{ $.eventName = ConsoleLogin && … }`) compiled into
 * predicates over parsed log records. What is supported and how it behaves: README.md here.
 */
export { compileFilterPattern, type CompiledPattern, type Predicate } from './compile';
export { FilterPatternError, type FilterPatternErrorReason } from './errors';
export { parseFilterPattern, MAX_PATTERN_LENGTH, MAX_REGEX_PER_PATTERN, MAX_WILDCARD_SELECTORS } from './parser';
export type * from './ast';
