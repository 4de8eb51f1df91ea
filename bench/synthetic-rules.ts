/**
 * ~100 synthetic filter-pattern rules of the shapes real packs have (issue 15: the rule
 * engine with the built-in pack, the SigmaHQ rules and ~100 more must stay < 25 % of
 * pipeline time). Deterministic: the same seed gives the same rules. The API names are the
 * corpus generator's (bench/corpus), so the rules meet the records they would in a trail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requiredEventNames } from '../lib/rules/event-names';
import { compileFilterPattern, parseFilterPattern } from '../lib/rules/filter-pattern';
import type { CompiledRule } from '../lib/rules/rule';
import { createRng } from './corpus/rng';

/** eventSource / eventName pairs the corpus generator writes. */
function corpusCalls(): { source: string; name: string }[] {
  const seen = new Set<string>();
  const calls: { source: string; name: string }[] = [];
  for (const file of ['benign.ts', 'security.ts']) {
    const text = readFileSync(path.join(__dirname, 'corpus', file), 'utf8');
    for (const m of text.matchAll(/eventSource: '([a-z0-9-]+\.amazonaws\.com)', eventName: '([A-Za-z0-9]+)'/g)) {
      const key = `${m[1]} ${m[2]}`;
      if (!seen.has(key)) calls.push({ source: m[1]!, name: m[2]! });
      seen.add(key);
    }
  }
  return calls;
}

/** One rule's pattern: the shapes of CIS/Security Hub patterns and detection packs, by turn. */
const SHAPES: ((pick: () => { source: string; name: string }, n: number) => string)[] = [
  // one service's changes: eventSource and a list of names
  (pick) => {
    const a = pick();
    const b = pick();
    return `{ ($.eventSource = "${a.source}") && (($.eventName = "${a.name}") || ($.eventName = "${b.name}")) }`;
  },
  // a denied call
  (pick) => `{ ($.eventName = "${pick().name}") && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) }`,
  // an assumed role acting on something sensitive
  (pick, n) => `{ ($.eventName = "${pick().name}") && ($.userIdentity.type = "AssumedRole") && ($.userIdentity.arn = "*admin-${n}*") }`,
  // a request parameter
  (pick, n) => `{ ($.eventName = "${pick().name}") && ($.requestParameters.bucketName = "prod-${n}-*") }`,
  // a console sign-in from a network
  (_pick, n) => `{ ($.eventName = "ConsoleLogin") && ($.sourceIPAddress = "198.51.${n % 256}.*") }`,
  // a service's calls from an unusual client: no eventName, evaluated on every record
  (pick, n) => `{ ($.eventSource = "${pick().source}") && ($.userAgent = "*tool-${n}*") }`,
  // root activity outside a list of calls: evaluated on every record
  (pick) => `{ ($.userIdentity.type = "Root") && ($.eventName != "${pick().name}") && ($.eventType != "AwsServiceEvent") }`,
  // a numeric and an existence check
  (pick) => `{ ($.eventName = "${pick().name}") && ($.requestParameters.maxResults > 500) && ($.errorCode NOT EXISTS) }`,
];

/** `count` rules (default 100), the same for the same seed. */
export function syntheticRules(count = 100, seed = 20261204): CompiledRule[] {
  const rng = createRng(seed);
  const calls = corpusCalls();
  const pick = () => calls[rng.int(0, calls.length - 1)]!;
  const rules: CompiledRule[] = [];
  for (let n = 0; n < count; n++) {
    const expression = SHAPES[n % SHAPES.length]!(pick, n);
    const eventNames = requiredEventNames(parseFilterPattern(expression));
    rules.push({
      id: `synthetic-${String(n).padStart(3, '0')}`,
      title: `synthetic rule ${n}`,
      severity: 'MEDIUM',
      source: 'rule',
      description: 'bench/synthetic-rules.ts',
      references: [],
      file: 'bench/synthetic-rules.ts',
      expression,
      test: compileFilterPattern(expression).test,
      ...(eventNames === undefined ? {} : { eventNames }),
    });
  }
  return rules;
}
