/**
 * Synthetic rules of the shapes real packs have (issue 15: the rule engine with the built-in
 * pack, the SigmaHQ rules and ~100 more must stay < 25 % of pipeline time): ~100 filter
 * patterns (`syntheticRules`) and ~45 Sigma rules (`syntheticSigmaRules`), which stand in for
 * the SigmaHQ CloudTrail collection the repository does not carry. Deterministic: the same
 * seed gives the same rules. The API names are the corpus generator's (bench/corpus), so the
 * rules meet the records they would in a trail. Each rule carries the index hints the loader
 * would give it (`withFilterPatternHints`, the Sigma compiler's).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requiredEventNames, withFilterPatternHints } from '../lib/rules/event-names';
import { compileFilterPattern, parseFilterPattern } from '../lib/rules/filter-pattern';
import type { CompiledRule } from '../lib/rules/rule';
import { compileSigmaRule, isSigmaRefusal } from '../lib/rules/sigma';
import { SERVICE_EVENT_SOURCES } from '../lib/rules/sigma/services';
import { createRng } from './corpus/rng';

/** eventSource / eventName pairs the corpus generator writes; `sensitive`: only its security events and benign writes. */
function corpusCalls(sensitive = false): { source: string; name: string }[] {
  const seen = new Set<string>();
  const calls: { source: string; name: string }[] = [];
  for (const file of ['benign.ts', 'security.ts']) {
    const text = readFileSync(path.join(__dirname, 'corpus', file), 'utf8');
    for (const m of text.matchAll(/eventSource: '([a-z0-9-]+\.amazonaws\.com)', eventName: '([A-Za-z0-9]+)'(.*)/g)) {
      if (sensitive && file === 'benign.ts' && !m[3]!.includes('readOnly: false')) continue;
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
export function syntheticRules(count = 100, seed = 20261204, picks: 'sensitive' | 'any' = 'sensitive'): CompiledRule[] {
  const rng = createRng(seed);
  const pick = picker(rng, picks);
  const rules: CompiledRule[] = [];
  for (let n = 0; n < count; n++) {
    const expression = SHAPES[n % SHAPES.length]!(pick, n);
    const eventNames = requiredEventNames(parseFilterPattern(expression));
    const rule: CompiledRule = {
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
    };
    rules.push(withFilterPatternHints({ rule }).rule);
  }
  return rules;
}

/**
 * The calls rules name. `sensitive`: as detection packs do (SigmaHQ's CloudTrail rules, CIS):
 * mostly the corpus's security events and writes (StopLogging, PutUserPolicy, RunInstances…),
 * not the Describe/Get/List traffic that makes most of a trail — one value in four is any call
 * the corpus writes, reads included. `any`: every call alike, so a rule may name the trail's
 * busiest reads and match one record in twenty (how the figures were measured before).
 */
function picker(rng: ReturnType<typeof createRng>, picks: 'sensitive' | 'any'): () => { source: string; name: string } {
  const calls = corpusCalls();
  const sensitive = corpusCalls(true);
  const anyCall = () => calls[rng.int(0, calls.length - 1)]!;
  return picks === 'any' ? anyCall : () => (rng.chance(0.25) ? anyCall() : sensitive[rng.int(0, sensitive.length - 1)]!);
}

/** The Sigma `service:` name of an event source, when the table has one for it alone. */
function serviceOf(source: string): string | undefined {
  return Object.entries(SERVICE_EVENT_SOURCES).find(([, sources]) => sources.length === 1 && sources[0] === source)?.[0];
}

type Detection = Record<string, unknown>;

/**
 * Sigma rule shapes as SigmaHQ's CloudTrail rules write them, by turn: event source and a
 * list of names, an exclusion of the usual principal, name prefixes within a service, denied
 * calls, `logsource.service` instead of an eventSource selection, root activity, tool user
 * agents on a service, a request parameter, a response, and — one in fifteen — a rule that
 * names no field the index can use (a user agent anywhere), which runs on every record.
 */
const SIGMA_SHAPES: ((pick: () => { source: string; name: string }, n: number) => { service?: string; detection: Detection })[] = [
  (pick) => {
    const a = pick();
    return { detection: { selection: { eventSource: a.source, eventName: [a.name, pick().name] }, condition: 'selection' } };
  },
  (pick) => {
    const a = pick();
    return { detection: { selection: { eventSource: a.source, eventName: a.name }, filter: { 'userIdentity.type': 'AssumedRole' }, condition: 'selection and not filter' } };
  },
  (pick) => ({ detection: { selection: { eventSource: pick().source, 'eventName|startswith': ['Delete', 'Remove'] }, condition: 'selection' } }),
  (pick) => ({ detection: { selection: { eventName: pick().name, errorCode: ['AccessDenied', 'Client.UnauthorizedOperation'] }, condition: 'selection' } }),
  (pick) => {
    const a = pick();
    const service = serviceOf(a.source);
    return service === undefined
      ? { detection: { selection: { eventSource: a.source, eventName: a.name }, condition: 'selection' } }
      : { service, detection: { selection: { eventName: [a.name, pick().name, pick().name] }, condition: 'selection' } };
  },
  (_pick, n) => ({ detection: { selection: { 'userIdentity.type': 'Root', 'eventName|contains': ['Create', 'Delete', `Tag${n}`] }, condition: 'selection' } }),
  (pick) => ({ detection: { selection: { eventSource: pick().source, 'userAgent|contains': ['kali', 'parrot', 'pentoo'] }, condition: 'selection' } }),
  (pick, n) => ({
    detection: { selection_name: { eventName: pick().name }, selection_param: { 'requestParameters.bucketName|contains': `prod-${n}` }, condition: 'all of selection_*' },
  }),
  (pick) => {
    const a = pick();
    return { detection: { selection: { eventSource: a.source, eventName: a.name, 'responseElements|contains': 'Failure' }, condition: 'selection' } };
  },
  (pick) => ({ detection: { selection: { 'eventName|cased': pick().name, 'sourceIPAddress|cidr': ['203.0.113.0/24', '198.51.100.0/24'] }, condition: 'selection' } }),
  (pick) => {
    const a = pick();
    return { detection: { selection: { eventSource: a.source, eventName: a.name }, filter_aws: { 'userIdentity.invokedBy|endswith': '.amazonaws.com' }, condition: 'selection and not filter_aws' } };
  },
  (pick) => ({ detection: { selection: { eventName: [pick().name, pick().name], 'userIdentity.arn|contains': ':assumed-role/' }, condition: 'selection' } }),
  (_pick, n) => ({ detection: { selection: { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', 'userAgent|contains': `scanner-${n}` }, condition: 'selection' } }),
  (pick) => ({ detection: { selection1: { eventName: pick().name }, selection2: { eventName: pick().name, errorCode: 'AccessDenied' }, condition: '1 of selection*' } }),
  (_pick, n) => ({ detection: { selection: { 'userAgent|contains': [`attack-tool-${n}`, 'TruffleHog'] }, condition: 'selection' } }),
];

/** `count` Sigma rules (default 45), the same for the same seed. */
export function syntheticSigmaRules(count = 45, seed = 20261205): CompiledRule[] {
  const rng = createRng(seed);
  const pick = picker(rng, 'sensitive');
  const rules: CompiledRule[] = [];
  for (let n = 0; n < count; n++) {
    const { service, detection } = SIGMA_SHAPES[n % SIGMA_SHAPES.length]!(pick, n);
    const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const doc = { title: `synthetic Sigma rule ${n}`, id, level: 'medium', logsource: { product: 'aws', service: service ?? 'cloudtrail' }, detection };
    const result = compileSigmaRule(doc, `bench/synthetic-rules.ts#sigma-${n}`);
    if (isSigmaRefusal(result)) throw new Error(`synthetic Sigma rule ${n} refused: ${result.reason}`);
    rules.push(result);
  }
  return rules;
}
