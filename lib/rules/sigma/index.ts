/**
 * Sigma rules for CloudTrail (`logsource: {product: aws, service: cloudtrail}`) compiled onto
 * trailwatch's rule engine. What is supported, how it behaves and what is refused: README.md.
 */
export { compileSigmaRule, compileSigmaText, isSigmaRefusal, SIGMA_FORMAT, type SigmaCompiledRule } from './compile';
export { parseSigmaYaml, type SigmaDocument } from './yaml';
export { sigmaRuleFormat, looksLikeSigma, type SigmaRuleFormat } from './format';
export { compileSigmaRegex, type SigmaRegex, type RegexFlags } from './regex';
export type { SigmaRefusedRule, SigmaProblemKind } from './problem';
